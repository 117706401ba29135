"""The audience model: chat examples in context, emotes as tokens, training and evaluation on a synthetic stream."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from rich.console import Console

from chatclone import audience
from chatclone.config import PersonaConfig
from chatclone.serving.repl import run_audience_repl
from chatclone.warehouse import Warehouse
from test_mining import add_vod, chat, say


def config(**settings) -> PersonaConfig:
    return PersonaConfig(name="mika", speakers=[{"name": "mika"}], audience=settings)


def read(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def wh(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        yield wh


def test_each_message_gets_the_streamers_last_words_and_the_chat_before_it(wh, tmp_path):
    add_vod(wh)
    chat(wh, 1.0, "a", "hello :wave:")
    say(wh, 2.0, "welcome everyone today we talk about ramen")
    chat(wh, 4.0, "b", "ramen gang")
    chat(wh, 60.0, "c", "what game")  # 56 s after the last word and the last message: no context
    counts = audience.export(wh, config(emote_min_count=1), tmp_path / "ds")

    examples = [e["messages"] for e in read(tmp_path / "ds" / "audience.jsonl")]
    assert [m[2]["content"] for m in examples] == ["hello :wave:", "ramen gang", "what game"]
    assert examples[0][1]["content"] == audience.NO_CONTEXT
    # words started by 4.0 s: 0.35 s apart from 2.0 s
    assert examples[1][1]["content"] == "Streamer: welcome everyone today we talk about\nChat:\nhello :wave:"
    assert examples[2][1]["content"] == audience.NO_CONTEXT
    assert examples[0][0]["content"] == "You are the live chat of mika's stream. Write one chat message."
    assert counts == {"train_examples": 3, "with_speech": 1, "with_chat": 1, "vods": 1, "emotes": 1}
    assert audience.read_emotes(tmp_path / "ds") == [":wave:"]


def test_pii_and_links_in_chat_and_speech_become_placeholders(wh, tmp_path):
    add_vod(wh)
    chat(wh, 1.0, "a", "my mail is a.fan@example.com")
    say(wh, 2.0, "thanks see https://example.org/merch")
    chat(wh, 4.0, "b", "call me +44 20 7946 0958")
    counts = audience.export(wh, config(), tmp_path / "ds")

    examples = [e["messages"] for e in read(tmp_path / "ds" / "audience.jsonl")]
    assert [m[2]["content"] for m in examples] == ["my mail is <email>", "call me <phone>"]
    assert examples[1][1]["content"] == "Streamer: thanks see <link>\nChat:\nmy mail is <email>"
    assert (counts["scrubbed_email"], counts["scrubbed_phone"], counts["scrubbed_link"]) == (2, 1, 1)


def test_only_the_configured_categories_and_not_the_streamers_own_messages(wh, tmp_path):
    add_vod(wh, "z1")
    add_vod(wh, "s1", category="solo")
    chat(wh, 1.0, "a", "hi", video_id="z1")
    chat(wh, 1.0, "a", "hi solo", video_id="s1")
    wh.con.execute("INSERT INTO chat (video_id, message_id, t_s, author_id, author_name, text, kind, is_owner) "
                   "VALUES ('z1', 'own', 2.0, 'mika', 'mika', 'thanks chat', 'text', true)")
    audience.export(wh, config(), tmp_path / "ds")
    assert [e["messages"][2]["content"] for e in read(tmp_path / "ds" / "audience.jsonl")] == ["hi"]

    audience.export(wh, config(categories=["zatsu", "solo"]), tmp_path / "ds")
    assert sorted(e["video_id"] for e in read(tmp_path / "ds" / "audience.jsonl")) == ["s1", "z1"]


def test_context_limits_and_splits_by_vod(wh, tmp_path):
    for v in range(20):
        add_vod(wh, f"v{v}")
        for i in range(5):
            chat(wh, float(i), f"u{i}", f"line {i}", video_id=f"v{v}")
    audience.export(wh, config(context_lines=2), tmp_path / "ds")
    by_split = {s: read(audience.split_file(tmp_path / "ds", s)) for s in ("train", "val", "test")}
    vods = {s: {e["video_id"] for e in rows} for s, rows in by_split.items()}
    assert vods["train"] and not (vods["train"] & vods["val"]) and not (vods["train"] & vods["test"])
    last = [e for e in by_split["train"] if e["messages"][2]["content"] == "line 4"][0]
    assert last["messages"][1]["content"] == "Chat:\nline 2\nline 3"


def test_without_context_keeps_the_message_and_drops_its_context():
    example = audience.example("sys", "we talk about cats", ["cats gang"], "meow")
    bare = audience.without_context(example)
    assert bare[1]["content"] == audience.NO_CONTEXT and bare[2] == example[2] and bare[0] == example[0]


def test_emotes_become_single_tokens_that_start_as_their_pieces(base_model_path):
    import torch

    from chatclone.models import add_word_tokens, load_model, load_tokenizer

    tokenizer, model = load_tokenizer(base_model_path), load_model(base_model_path)
    pieces = tokenizer(" :kekw:", add_special_tokens=False)["input_ids"]
    assert len(pieces) > 1
    before = len(tokenizer)
    ids = add_word_tokens(model, tokenizer, [":kekw:", "LUL", ":kekw:"])

    assert len(ids) == 2 and len(tokenizer) == before + 2
    assert model.get_input_embeddings().num_embeddings >= len(tokenizer)
    encoded = tokenizer("lmao :kekw: :kekw:", add_special_tokens=False)["input_ids"]
    assert encoded.count(ids[0]) == 2
    embeddings = model.get_input_embeddings().weight
    assert torch.allclose(embeddings[ids[0]], embeddings[pieces].mean(dim=0))
    assert add_word_tokens(model, tokenizer, [":kekw:"]) == []  # already there


# slow: 140 s on a 2-core Zen 3 VM; tests/training proves in the default run that training lowers perplexity
@pytest.mark.slow
@pytest.mark.integration
def test_the_audience_model_trains_with_its_emotes_and_context_helps(tmp_path, base_model_path):
    """A short real training run on synthetic streams: emotes as tokens, perplexity below the base's, context helping."""
    import torch

    from chatclone import pipeline
    from chatclone.models import load_adapted, load_tokenizer
    from chatclone.serving.personas import load_audience
    from chatclone.workspace import init_workspace, open_workspace
    from synthetic_stream import load

    ws = init_workspace(tmp_path / "ws", "mika", ["mika"])
    ws.config_path.write_text(f"""name = "mika"
[[speakers]]
name = "mika"
[split]
train = 0.6
val = 0.2
test = 0.2
[train]
base_model = "{base_model_path}"
max_length = 96
batch_size = 4
learning_rate = 2e-3
lora_r = 8
lora_alpha = 16
logging_steps = 5
eval_steps = 1000
save_steps = 1000
[generation]
max_new_tokens = 24
""", encoding="utf-8")
    with Warehouse(ws.warehouse_path) as wh:
        load(wh, vods=8, minutes=1)
    counts = pipeline.export_audience(str(ws.root))
    assert counts["emotes"] >= 2 and counts.get("test_examples", 0) + counts.get("val_examples", 0) > 0
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    run = pipeline.start_training_run(str(ws.root), uri, "audience", max_steps=8)
    stage = pipeline.train_run_stage(str(ws.root), uri, run["name"], "audience", max_steps=8)
    pipeline.finish_training_run(str(ws.root), uri, run["name"])

    model, tokenizer = load_adapted(base_model_path, stage["adapter_dir"], merge=False)
    kekw = tokenizer.convert_tokens_to_ids(":kekw:")
    assert tokenizer(":kekw:", add_special_tokens=False)["input_ids"] == [kekw]
    pieces = load_tokenizer(base_model_path)(" :kekw:", add_special_tokens=False)["input_ids"]
    embeddings = model.get_input_embeddings().weight
    assert torch.allclose(embeddings[kekw], embeddings[pieces].mean(dim=0))  # rebuilt as in training
    result = pipeline.evaluate_audience_run(str(ws.root), uri, limit=40)
    assert result["perplexity_tuned_context"] < result["perplexity_base_context"]
    assert result["perplexity_tuned_context"] < result["perplexity_tuned_no_context"]
    with pytest.raises(Exception, match="no trained model yet"):
        pipeline.sample_reply(str(ws.root), "hi")  # the audience run is not the persona's latest run

    crowd = load_audience(open_workspace(ws.root))
    assert ":kekw:" in crowd.tokenizer.get_vocab()
    lines = audience.chat_lines(crowd, "and then i tripped over my own tent, what a clown", [], 3, seed=1)
    assert len(lines) == 3 and all("\n" not in line for line in lines)

    typed = iter(["let me tell you about cats", "/reset", "/quit"])
    console = Console(file=StringIO(), width=200)
    run_audience_repl(crowd, 2, 6, input_fn=lambda prompt: next(typed), output=console)
    printed = console.file.getvalue()
    assert printed.count("chat> ") == 2 and "(conversation forgotten)" in printed
