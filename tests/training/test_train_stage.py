import math

import pytest
import torch
from transformers import TrainerCallback

from chatclone.evaluation import assistant_perplexity
from chatclone.models import load_model, load_tokenizer
from chatclone.training import load_for_training, sft_datasets, train_stage
from factories import ANSWER, pattern_conversations, write_datasets


class Evaluations(TrainerCallback):
    def __init__(self):
        self.seen = []  # (step, eval_loss) of every evaluation

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        self.seen.append((state.global_step, metrics["eval_loss"]))


class CrashAfterFirstSave(TrainerCallback):
    def on_save(self, args, state, control, **kwargs):
        raise KeyboardInterrupt("simulated kill after a checkpoint")


def test_training_lowers_validation_perplexity_and_the_adapter_generates(base_path, tiny_train, tmp_path):
    from peft import PeftModel

    datasets_dir = write_datasets(tmp_path / "datasets")
    model, tokenizer = load_for_training(base_path, "none", "cpu", gradient_checkpointing=False)
    train_ds, eval_ds = sft_datasets(tokenizer, datasets_dir, tiny_train.max_length)
    val = [c["messages"] for c in pattern_conversations(6)]
    before = assistant_perplexity(model, tokenizer, val, max_length=64)["perplexity"]

    evaluations = Evaluations()
    result = train_stage("sft", model, tokenizer, train_ds, eval_ds, tmp_path / "run", tiny_train, seed=1, callbacks=[evaluations])

    after = assistant_perplexity(model, tokenizer, val, max_length=64)["perplexity"]
    assert math.isfinite(after) and after < before / 2, (before, after)
    assert result.global_step == 12 and result.eval_loss is not None
    # eval_steps 6: the validation set is evaluated at steps 6 and 12, and the final loss is step 12's, not a third pass
    assert [step for step, _ in evaluations.seen] == [6, 12] and result.eval_loss == evaluations.seen[-1][1]

    reloaded = PeftModel.from_pretrained(load_model(base_path), result.adapter_dir)
    prompt = tokenizer.apply_chat_template(val[0][:2], add_generation_prompt=True, return_tensors="pt", return_dict=True)
    output = reloaded.generate(**prompt, max_new_tokens=8, do_sample=False)
    assert tokenizer.decode(output[0][prompt["input_ids"].shape[1]:], skip_special_tokens=True).startswith(ANSWER[:6])


def test_packing_leaves_almost_no_padding(base_path, tiny_train, tmp_path):
    datasets_dir = write_datasets(tmp_path / "datasets", train=16)
    model, tokenizer = load_for_training(base_path, "none", "cpu", gradient_checkpointing=False)
    train_ds, _ = sft_datasets(tokenizer, datasets_dir, tiny_train.max_length)
    result = train_stage("sft", model, tokenizer, train_ds, None, tmp_path / "run", tiny_train.model_copy(update={"max_steps": 1}), seed=1)
    assert result.padding_fraction < 0.05


def test_an_interrupted_stage_resumes_from_its_checkpoint(base_path, tiny_train, tmp_path):
    datasets_dir = write_datasets(tmp_path / "datasets")
    settings = tiny_train.model_copy(update={"max_steps": 4, "save_steps": 2, "eval_steps": 100})
    model, tokenizer = load_for_training(base_path, "none", "cpu", gradient_checkpointing=False)
    train_ds, _ = sft_datasets(tokenizer, datasets_dir, settings.max_length)
    with pytest.raises(KeyboardInterrupt):
        train_stage("sft", model, tokenizer, train_ds, None, tmp_path / "run", settings, seed=1, callbacks=[CrashAfterFirstSave()])

    model, tokenizer = load_for_training(base_path, "none", "cpu", gradient_checkpointing=False)
    result = train_stage("sft", model, tokenizer, train_ds, None, tmp_path / "run", settings, seed=1, resume=True)
    assert (result.resumed_from_step, result.global_step) == (2, 4)


@pytest.mark.slow
def test_qlora_trains_forward_and_backward_on_cpu(base_path, tiny_train, tmp_path):
    datasets_dir = write_datasets(tmp_path / "datasets", train=8)
    model, tokenizer = load_for_training(base_path, "4bit", "cpu", gradient_checkpointing=True)
    assert getattr(model, "is_loaded_in_4bit", False)
    train_ds, _ = sft_datasets(tokenizer, datasets_dir, 32)
    settings = tiny_train.model_copy(update={"max_steps": 2, "max_length": 32, "batch_size": 2, "gradient_checkpointing": True})
    result = train_stage("sft", model, tokenizer, train_ds, None, tmp_path / "run", settings, seed=1)
    assert result.global_step == 2 and math.isfinite(result.train_loss)
    assert (tmp_path / "run" / "adapter" / "adapter_config.json").exists()
    trainable = [name for name, p in model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in name for name in trainable)  # the 4-bit base stays frozen
