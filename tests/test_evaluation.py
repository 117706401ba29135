import math

import pytest

from chatclone.chat_tokens import IGNORE, tokenize_conversation
from chatclone.errors import DatasetError
from chatclone.evaluation import assistant_perplexity, compare_base_and_tuned, read_conversations
from factories import conversation, make_config, write_jsonl

CONFIG = make_config(train={"max_length": 128})
TALK = [
    conversation("hey, you around tonight?", "yeah just got home, what's up"),
    conversation("did you see the match", "ugh don't remind me", "that bad?", "worst half I've ever watched"),
    conversation("lunch tomorrow?", "sure, the usual place at noon"),
]


def test_only_assistant_tokens_are_counted(base_model, tokenizer):
    chatty_user = [[dict(m, content=m["content"] + " and a much longer question than before") if m["role"] == "user" else m for m in c] for c in TALK]
    short = assistant_perplexity(base_model, tokenizer, TALK, max_length=128)
    long = assistant_perplexity(base_model, tokenizer, chatty_user, max_length=128)
    assert short["tokens"] == long["tokens"]


def test_tokens_are_the_assistant_labels_of_every_conversation(base_model, tokenizer):
    labelled = sum(sum(label != IGNORE for label in tokenize_conversation(tokenizer, c, 128)["labels"]) for c in TALK)
    result = assistant_perplexity(base_model, tokenizer, TALK, max_length=128)
    assert result["tokens"] == labelled and result["examples"] == 3


def test_perplexity_is_averaged_over_tokens_not_examples(base_model, tokenizer):
    parts = [assistant_perplexity(base_model, tokenizer, [c], max_length=128) for c in TALK]
    whole = assistant_perplexity(base_model, tokenizer, TALK, max_length=128)
    mean_nll = sum(math.log(p["perplexity"]) * p["tokens"] for p in parts) / sum(p["tokens"] for p in parts)
    assert whole["perplexity"] == pytest.approx(math.exp(mean_nll), rel=1e-4)


def test_padding_does_not_change_perplexity(base_model, tokenizer):
    one_by_one = assistant_perplexity(base_model, tokenizer, TALK, max_length=128, batch_size=1)
    batched = assistant_perplexity(base_model, tokenizer, TALK, max_length=128, batch_size=3)
    assert batched["perplexity"] == pytest.approx(one_by_one["perplexity"], rel=1e-4)


def test_conversations_without_assistant_tokens_are_a_dataset_error(base_model, tokenizer):
    with pytest.raises(DatasetError, match="no assistant tokens"):
        assistant_perplexity(base_model, tokenizer, [conversation("anyone here?")], max_length=128)


def test_read_conversations_stops_at_limit_and_skips_blank_lines(tmp_path):
    path = write_jsonl(tmp_path / "sft.test.jsonl", TALK)
    path.write_text(path.read_text() + "\n\n")
    assert read_conversations(path) == TALK
    assert read_conversations(path, limit=2) == TALK[:2]


def test_a_line_without_messages_names_the_file_and_line(tmp_path):
    path = tmp_path / "sft.test.jsonl"
    path.write_text('{"messages": []}\n{"text": "x"}\n')
    with pytest.raises(DatasetError, match=r"sft\.test\.jsonl:2:"):
        read_conversations(path)


def test_the_adapter_changes_perplexity(tmp_path, trained_run):
    write_jsonl(tmp_path / "sft.test.jsonl", TALK)
    result = compare_base_and_tuned(trained_run, CONFIG, tmp_path)
    assert result["split"] == "test" and result["run"] == trained_run.name and result["eval_examples"] == 3
    assert abs(result["perplexity_tuned"] - result["perplexity_base"]) > 0.01 * result["perplexity_base"]


def test_an_empty_test_split_falls_back_to_val(tmp_path, trained_run):
    (tmp_path / "sft.test.jsonl").write_text("")
    write_jsonl(tmp_path / "sft.val.jsonl", TALK[:1])
    result = compare_base_and_tuned(trained_run, CONFIG, tmp_path)
    assert result["split"] == "val" and result["eval_examples"] == 1


def test_no_held_out_examples_is_a_one_line_dataset_error(tmp_path, trained_run):
    (tmp_path / "sft.test.jsonl").write_text("")
    with pytest.raises(DatasetError) as caught:
        compare_base_and_tuned(trained_run, CONFIG, tmp_path)
    assert "sft.test.jsonl and sft.val.jsonl" in str(caught.value) and "\n" not in str(caught.value)
