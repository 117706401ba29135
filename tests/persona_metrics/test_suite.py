"""All persona metrics of a run, end to end, on the bundled model with a small LoRA adapter."""

import pytest

from chatclone.persona_metrics.suite import evaluate_persona
from factories import conversation, make_config, write_jsonl

SETTINGS = {"prompts": 3, "distractors": 3, "max_new_tokens": 6, "temperature": 0, "scenarios": [{"name": "hello", "messages": ["hi!"]}]}


def chats(mika: list[str], others: list[str]) -> list[list[dict]]:
    """Conversations of two exchanges each: another speaker, then the persona."""
    return [conversation(f"Ren: {others[j]}", mika[j], f"Yuki: {others[j + 1]}", mika[j + 1]) for j in range(0, len(others) - 1, 2)]


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory, trained_run, mika_says, others_say):
    datasets = tmp_path_factory.mktemp("datasets")
    write_jsonl(datasets / "sft.jsonl", chats(mika_says[:40], others_say[:40]))
    write_jsonl(datasets / "sft.test.jsonl", chats(mika_says[300:308], others_say[40:48]))
    config = make_config(eval=SETTINGS, generation={"cpu_int8": False}, train={"max_length": 128})
    return evaluate_persona(trained_run, config, datasets)


def test_every_metric_is_there_for_both_models(evaluated):
    metrics = evaluated["metrics"]
    for side in ("base", "tuned"):
        assert 0 <= metrics[f"reply_rank_acc1_{side}"] <= 1 and 0 < metrics[f"reply_rank_mrr_{side}"] <= 1
        assert 0 <= metrics[f"style_score_{side}"] <= 100 and 0 <= metrics[f"authorship_share_{side}"] <= 1
    assert metrics["reply_rank_acc1_chance"] == 0.25
    assert metrics["style_score_real"] > 80 and metrics["authorship_share_real"] >= 2 / 3
    assert evaluated["skipped"] == {}


def test_sizes_say_how_much_data_the_numbers_rest_on(evaluated):
    assert evaluated["dataset"] == {"train_examples": 20, "train_persona_replies": 40, "train_other_lines": 40, "held_out_examples": 4,
                                    "held_out_prompts": 3, "held_out_other_lines": 8}
    assert evaluated["metrics"]["eval_prompts"] == 3 and evaluated["metrics"]["eval_train_examples"] == 20


def test_each_prompt_gets_a_reply_from_each_model(evaluated):
    rows = evaluated["replies"]
    assert len(rows) == 3 and all(set(r) == {"id", "messages", "real", "tuned", "base"} for r in rows)
    assert all(r["messages"][-1]["role"] == "user" for r in rows)
    assert evaluated["scenarios"][0]["name"] == "hello" and {"user", "base", "tuned"} == set(evaluated["scenarios"][0]["turns"][0])


def test_both_models_are_ranked_on_the_same_candidates(evaluated):
    assert evaluated["ranking"]["base"]["candidates"] == evaluated["ranking"]["tuned"]["candidates"] == [4, 4, 4]


def test_a_training_split_without_other_speakers_leaves_authorship_out(tmp_path, trained_run, mika_says, others_say):
    write_jsonl(tmp_path / "sft.jsonl", [conversation("", m) for m in mika_says[:8]])
    write_jsonl(tmp_path / "sft.test.jsonl", chats(mika_says[300:302], others_say[:2]))
    config = make_config(eval=SETTINGS | {"prompts": 1}, generation={"cpu_int8": False}, train={"max_length": 128})
    result = evaluate_persona(trained_run, config, tmp_path)
    assert "authorship" in result["skipped"] and result["authorship"] == {}
    assert "authorship_share_tuned" not in result["metrics"] and "style_score_tuned" in result["metrics"]
