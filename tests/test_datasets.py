import json

import pytest

from chatclone.cleaning import clean_all
from chatclone.datasets import SPLITS, Turn, export, split_of, to_alpaca, to_messages, to_sharegpt, windows
from chatclone.segmentation import segment
from chatclone.warehouse import Warehouse
from factories import chat, lively, load, make_config


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_persona_turns_are_assistant_and_others_user():
    turns = [Turn("Yuki", False, "hi"), Turn("Mika", True, "hey!"), Turn("Yuki", False, "how are you")]
    messages = to_messages(turns, "You are Mika.", name_prefix=False)
    assert [(m["role"], m["content"]) for m in messages] == [
        ("system", "You are Mika."), ("user", "hi"), ("assistant", "hey!"), ("user", "how are you"),
    ]


def test_several_speakers_in_a_row_become_one_user_turn_with_names():
    turns = [Turn("Yuki", False, "hi"), Turn("Ren", False, "yo"), Turn("Mika", True, "hey both")]
    messages = to_messages(turns, "sys", name_prefix=False)
    assert messages[1] == {"role": "user", "content": "Yuki: hi\nRen: yo"}
    assert messages[2]["role"] == "assistant"


def test_group_conversations_always_name_the_speaker():
    messages = to_messages([Turn("Yuki", False, "hi"), Turn("Mika", True, "hey")], "sys", name_prefix=True)
    assert messages[1]["content"] == "Yuki: hi"


def test_windows_end_on_an_assistant_turn_and_keep_the_system_prompt():
    roles = ["user", "assistant"] * 10 + ["user"]
    messages = [{"role": "system", "content": "s"}] + [{"role": r, "content": str(i)} for i, r in enumerate(roles)]
    examples = list(windows(messages, max_turns=5))
    assert examples and all(e[0]["role"] == "system" and e[-1]["role"] == "assistant" for e in examples)
    assert all(len(e) - 1 <= 5 for e in examples)
    contents = [m["content"] for e in examples for m in e[1:]]
    assert len(contents) == len(set(contents)), "a turn appears in two examples"


def test_conversation_without_assistant_gives_no_example():
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": "anyone?"}]
    assert list(windows(messages, max_turns=24)) == []


def test_split_is_deterministic_and_depends_only_on_seed_and_key():
    keys = [f"discord:c{i}:1" for i in range(2000)]
    first = [split_of(k, 7, 0.8, 0.1) for k in keys]
    assert first == [split_of(k, 7, 0.8, 0.1) for k in keys]
    assert first != [split_of(k, 8, 0.8, 0.1) for k in keys]
    share = {s: first.count(s) / len(keys) for s in SPLITS}
    assert share["train"] == pytest.approx(0.8, abs=0.03) and share["val"] == pytest.approx(0.1, abs=0.02)


def test_sharegpt_and_alpaca_forms():
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    assert to_sharegpt(messages) == {"conversations": [{"from": "system", "value": "s"}, {"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]}
    assert list(to_alpaca(messages)) == [{"instruction": "s", "input": "[them] q", "output": "a"}]


@pytest.fixture
def built(tmp_path):
    config = make_config(split={"train": 0.6, "val": 0.2, "test": 0.2}, system_prompt="You are Mika.")
    messages = []
    for i in range(30):
        messages += lively(f"c{i}", start=i * 100)
    messages += chat([(5000, "Yuki", "mika@example.com is my mail, text +44 20 7946 0958 long enough")], conversation_id="c0")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        load(wh, messages)
        clean_all(wh, config.cleaning)
        segment(wh, config)
        counts = export(wh, config, tmp_path / "datasets")
    return tmp_path / "datasets", counts


def test_export_writes_every_format_and_split(built):
    out, counts = built
    for stem in ("sft", "sft.sharegpt", "sft.alpaca"):
        assert (out / f"{stem}.jsonl").exists() and (out / f"{stem}.val.jsonl").exists() and (out / f"{stem}.test.jsonl").exists()
    assert sum(counts[f"{s}_examples"] for s in SPLITS) == 30
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]["sft.jsonl"]["lines"] == counts["train_examples"]


def test_no_conversation_lands_in_two_splits(built):
    out, _ = built
    seen = {}
    for split, name in zip(SPLITS, ("sft.jsonl", "sft.val.jsonl", "sft.test.jsonl")):
        for example in read_jsonl(out / name):
            conversation = example["messages"][1]["content"].rsplit("(", 1)[-1]
            seen.setdefault(conversation, set()).add(split)
    assert len(seen) == 30
    assert all(len(splits) == 1 for splits in seen.values())
    assert len({s for splits in seen.values() for s in splits}) == 3


def test_assistant_turns_are_only_the_persona(built):
    out, _ = built
    for example in read_jsonl(out / "sft.jsonl"):
        assert example["messages"][0] == {"role": "system", "content": "You are Mika."}
        for m in example["messages"]:
            if m["role"] == "assistant":
                assert not m["content"].startswith(("Yuki:", "Ren:"))
            if m["role"] == "user":
                assert all(line.split(":")[0] in {"Yuki", "Ren"} for line in m["content"].splitlines())


def test_no_pii_reaches_any_exported_file(built):
    out, _ = built
    text = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.jsonl"))
    assert "mika@example.com" not in text and "7946" not in text
