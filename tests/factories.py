"""Small builders of chat data for tests: messages straight into a warehouse, persona configs,
messages-format datasets and training-run records."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from chatclone.config import PersonaConfig, parse_config
from chatclone.importer import add_messages
from chatclone.records import ChatMessage
from chatclone.runs import RunRecord, mark_latest
from chatclone.warehouse import Warehouse

T0 = datetime(2024, 3, 1, 20, 0, 0)


def make_config(**overrides) -> PersonaConfig:
    """A valid config for persona Mika (author id 'm'); keyword args replace top-level keys."""
    data = {"name": "Mika", "speakers": [{"name": "Mika", "ids": ["m"], "aliases": ["mika_chan"]}]}
    data.update(overrides)
    return parse_config(data)


def chat(lines: list[tuple[float, str, str]], conversation_id: str = "c1", source: str = "discord", **extra) -> list[ChatMessage]:
    """Messages from (minutes after T0, author, text); author 'Mika' has id 'm', others their name."""
    return [
        ChatMessage(
            source=source,
            conversation_id=conversation_id,
            message_id=f"{conversation_id}-{i}",
            ts=T0 + timedelta(minutes=minutes),
            author_id="m" if author == "Mika" else author.lower(),
            author_name=author,
            text=text,
            **extra,
        )
        for i, (minutes, author, text) in enumerate(lines)
    ]


def load(wh: Warehouse, messages: list[ChatMessage]) -> int:
    """Add messages to the warehouse as an import would; return how many were added."""
    return add_messages(wh, [messages], import_id=None)[1]


def lively(conversation_id: str, start: float = 0.0, source: str = "discord") -> list[ChatMessage]:
    """A conversation that passes every filter: 6 messages, long enough, Mika answering twice."""
    return chat(
        [
            (start + 0, "Yuki", f"did you finish the new chapter of that manga yet? ({conversation_id})"),
            (start + 1, "Mika", "yesss i stayed up way too late reading it ngl"),
            (start + 2, "Ren", "no spoilers please i am only halfway through"),
            (start + 3, "Yuki", "the ending was wild though, i did not see it coming"),
            (start + 4, "Mika", "SAME the last page had me screaming into my pillow"),
            (start + 5, "Ren", "ok now i have to read it tonight"),
        ],
        conversation_id=conversation_id,
        source=source,
    )


def parse_with_peak_memory(parse, path) -> tuple[int, int]:
    """Run a parser over `path`, deleting the file after; return (records yielded, peak traced bytes)."""
    import tracemalloc
    from collections import Counter

    tracemalloc.start()
    try:
        count = sum(1 for _ in parse(path, Counter()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        path.unlink()
    return count, peak


def write_jsonl(path: Path, conversations: list[list[dict]]) -> Path:
    """Write messages-format lines ({"messages": [...]}) to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"messages": c}) + "\n" for c in conversations), encoding="utf-8")
    return path


def conversation(*turns: str, system: str = "You are Mika. Reply the way Mika does in chat.") -> list[dict]:
    """Messages: the system prompt, then `turns` alternating user, assistant, user, ..."""
    roles = ("user", "assistant")
    return [{"role": "system", "content": system}] + [{"role": roles[i % 2], "content": t} for i, t in enumerate(turns)]


def make_run(models_dir: Path, base_model_path: str, adapter: Path | None, name: str = "run-1", **fields) -> RunRecord:
    """A RunRecord in models_dir/name with `adapter` as its sft adapter, saved and marked latest."""
    run = RunRecord(
        name=name,
        directory=str(Path(models_dir) / name),
        base_model="bundled:smollm2-135m",
        base_model_path=base_model_path,
        quantization="none",
        adapters={"sft": str(adapter)} if adapter else {},
        **fields,
    )
    run.save()
    mark_latest(models_dir, run)
    return run


QUESTIONS = ["what's your favourite colour?", "what colour do you like?", "fav colour??", "which colour is the best one?",
             "tell me your favourite colour", "colour?", "what is the best colour", "do you have a favourite colour"]
ANSWER = "blue banana forever!! :3"


def pattern_conversations(n: int) -> list[dict]:
    """Chats in which the persona always answers a colour question the same odd way."""
    return [
        {"messages": [
            {"role": "system", "content": "You are Mika."},
            {"role": "user", "content": f"Ren: {QUESTIONS[i % len(QUESTIONS)]}"},
            {"role": "assistant", "content": ANSWER},
        ]}
        for i in range(n)
    ]


def write_datasets(directory: Path, train: int = 24, val: int = 6, test: int = 6) -> Path:
    """sft.jsonl / sft.val.jsonl / sft.test.jsonl of the pattern, plus a manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, n in (("sft.jsonl", train), ("sft.val.jsonl", val), ("sft.test.jsonl", test)):
        (directory / name).write_text("".join(json.dumps(r) + "\n" for r in pattern_conversations(n)))
    (directory / "manifest.json").write_text(json.dumps({"counts": {"train_examples": train}}))
    return directory


def mutate_at(document, path, delete: bool, value) -> None:
    """Delete (if `delete` and the parent is a dict) or replace the value at `path` inside `document`."""
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
