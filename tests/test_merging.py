import copy

import pytest
import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM

from chatclone.errors import ChatcloneError
from chatclone.merging import merge_adapter, merged_dir
from chatclone.serving import load_persona
from factories import make_config, make_run


@pytest.fixture(scope="module")
def merged(trained_run, tmp_path_factory):
    """The session's trained run merged into a directory that held a stale file from an earlier export."""
    out = tmp_path_factory.mktemp("export") / "merged"
    out.mkdir()
    (out / "stale.bin").write_text("old")
    return merge_adapter(trained_run, out)


def greedy_ids(model, tokenizer, text: str = "<|im_start|>user\nwhat are you up to?<|im_end|>\n<|im_start|>assistant\n") -> list[int]:
    ids = tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        return model.generate(ids, max_new_tokens=8, do_sample=False, pad_token_id=tokenizer.pad_token_id)[0, ids.shape[1] :].tolist()


def test_merged_model_generates_what_base_plus_adapter_generates(merged, trained_run, base_model, tokenizer):
    with_adapter = PeftModel.from_pretrained(copy.deepcopy(base_model), trained_run.final_adapter).eval()
    plain = AutoModelForCausalLM.from_pretrained(merged).eval()
    assert greedy_ids(plain, tokenizer) == greedy_ids(with_adapter, tokenizer)


def test_merged_directory_is_a_plain_safetensors_model_with_its_tokenizer(merged):
    names = {p.name for p in merged.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= names and "adapter_config.json" not in names


def test_merging_replaces_what_the_output_directory_held(merged):
    assert not (merged / "stale.bin").exists() and not merged.with_name("merged.partial").exists()


def test_a_run_without_adapter_cannot_be_merged(tmp_path, base_model_path):
    with pytest.raises(ChatcloneError, match="no trained adapter"):
        merge_adapter(make_run(tmp_path, base_model_path, adapter=None), tmp_path / "out")


def test_a_run_without_adapters_is_served_from_its_merged_model(merged, tmp_path, base_model_path):
    run = make_run(tmp_path, base_model_path, adapter=None)
    merged_dir(run).symlink_to(merged, target_is_directory=True)
    persona = load_persona(run, make_config())
    assert persona.model.name_or_path == str(merged_dir(run))


def test_a_merged_model_directory_is_served_as_it_is(merged):
    assert load_persona(merged, make_config()).model.name_or_path == str(merged)
