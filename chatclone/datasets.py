"""Dataset export: conversations -> chat examples (messages, ShareGPT, Alpaca), leak-free splits.

The target speakers' turns are `assistant`; everyone else's are `user` (several speakers in
a row become one user turn of `Name: text` lines); the system prompt comes first. A
conversation goes wholly to one split, chosen by a hash of the seed and its key.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from chatclone.config import PersonaConfig
from chatclone.importer import file_sha256
from chatclone.text import scrub_counted
from chatclone.warehouse import Warehouse

SPLITS = ("train", "val", "test")
FORMATS = {"messages": "sft", "sharegpt": "sft.sharegpt", "alpaca": "sft.alpaca"}


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn of a conversation, as the export reads it."""

    author_name: str
    is_target: bool
    text: str


def split_of(conversation_key: str, seed: int, train: float, val: float) -> str:
    """The split of a conversation: deterministic in (seed, key), independent of other conversations."""
    digest = hashlib.sha256(f"{seed}:{conversation_key}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    return "train" if u < train else "val" if u < train + val else "test"


def to_messages(turns: list[Turn], system_prompt: str, name_prefix: bool) -> list[dict]:
    """Chat messages for one conversation: system first, then merged user/assistant turns."""
    messages = [{"role": "system", "content": system_prompt}]
    for is_target, group in itertools.groupby(turns, key=lambda t: t.is_target):
        group = list(group)
        if is_target:
            content = "\n".join(t.text for t in group)
        else:
            several = name_prefix or len({t.author_name for t in group}) > 1
            content = "\n".join(f"{t.author_name}: {t.text}" if several else t.text for t in group)
        messages.append({"role": "assistant" if is_target else "user", "content": content})
    return messages


def windows(messages: list[dict], max_turns: int, min_assistant: int = 1) -> Iterator[list[dict]]:
    """Cut a long conversation into examples of at most `max_turns` turns after the system prompt.

    Each example keeps the system prompt, ends on an assistant turn and has at least
    `min_assistant` assistant turns; the next example starts where the previous one ended.
    """
    system, body = messages[0], messages[1:]
    start = 0
    while start < len(body):
        chunk = body[start : start + max_turns]
        last = max((i for i, m in enumerate(chunk) if m["role"] == "assistant"), default=-1)
        if last < 0:
            start += len(chunk)
            continue
        chunk = chunk[: last + 1]
        if sum(m["role"] == "assistant" for m in chunk) >= min_assistant:
            yield [system, *chunk]
        start += len(chunk)


def to_sharegpt(messages: list[dict]) -> dict:
    """A messages example in ShareGPT form (`conversations` of from/value)."""
    names = {"system": "system", "user": "human", "assistant": "gpt"}
    return {"conversations": [{"from": names[m["role"]], "value": m["content"]} for m in messages]}


def to_alpaca(messages: list[dict]) -> Iterator[dict]:
    """One Alpaca record per assistant turn: instruction = system prompt, input = the chat so far."""
    system = messages[0]["content"]
    for i, m in enumerate(messages):
        if m["role"] == "assistant" and i > 1:
            context = "\n".join(f"[{'you' if p['role'] == 'assistant' else 'them'}] {p['content']}" for p in messages[1:i])
            yield {"instruction": system, "input": context, "output": m["content"]}


def _conversations(wh: Warehouse) -> Iterator[tuple[str, int, list[Turn]]]:
    rows = (
        row
        for batch in wh.stream("export_turns")
        for row in zip(*(batch.column(c).to_pylist() for c in ("conversation_key", "n_authors", "author_name", "is_target", "text")))
    )
    for key, group in itertools.groupby(rows, key=lambda r: r[0]):
        group = list(group)
        yield key, group[0][1], [Turn(r[2], r[3], r[4]) for r in group]


def export(wh: Warehouse, config: PersonaConfig, out_dir: Path) -> dict:
    """Write the SFT datasets (every format, every split) into `out_dir`; return counts per split.

    Chat-export conversations are split by conversation, zatsu pairs (user: the chat prompt,
    assistant: the streamer's answer) by VOD, so neither leaks across splits.

    Files: sft[.val|.test].jsonl (messages), sft.sharegpt[...].jsonl, sft.alpaca[...].jsonl,
    and manifest.json (files, example counts, sha256).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {(fmt, split): out_dir / (f"{stem}.jsonl" if split == "train" else f"{stem}.{split}.jsonl") for fmt, stem in FORMATS.items() for split in SPLITS}
    handles = {k: open(p.with_suffix(".jsonl.tmp"), "w", encoding="utf-8") for k, p in paths.items()}
    counts: Counter = Counter()
    try:
        for key, n_authors, turns in _conversations(wh):
            split = split_of(key, config.seed, config.split.train, config.split.val)
            counts[f"{split}_conversations"] += 1
            messages = to_messages(turns, config.resolved_system_prompt(), name_prefix=n_authors > 2)
            for example in windows(messages, config.export.max_turns_per_example, config.export.min_assistant_turns):
                counts[f"{split}_examples"] += 1
                counts[f"{split}_assistant_turns"] += sum(m["role"] == "assistant" for m in example)
                _write(handles[("messages", split)], [{"messages": example}])
                _write(handles[("sharegpt", split)], [to_sharegpt(example)])
                _write(handles[("alpaca", split)], to_alpaca(example))
        cleaning = config.cleaning
        for video_id, prompt, response, method in wh.run("export_pairs"):
            split = split_of(f"youtube:{video_id}", config.seed, config.split.train, config.split.val)
            counts[f"{split}_pairs_{method}"] += 1
            # Live chat and speech reach here unscrubbed (cleaning covers chat exports only).
            prompt, response = (scrub_counted(t, counts, cleaning.scrub_pii, cleaning.placeholders) for t in (prompt, response))
            example = [{"role": "system", "content": config.resolved_system_prompt()},
                       {"role": "user", "content": prompt}, {"role": "assistant", "content": response}]
            counts[f"{split}_examples"] += 1
            counts[f"{split}_assistant_turns"] += 1
            _write(handles[("messages", split)], [{"messages": example}])
            _write(handles[("sharegpt", split)], [to_sharegpt(example)])
            _write(handles[("alpaca", split)], to_alpaca(example))
    finally:
        for h in handles.values():
            h.close()
    for k, p in paths.items():
        p.with_suffix(".jsonl.tmp").replace(p)
    manifest = {
        "files": {p.name: {"format": fmt, "split": split, "sha256": file_sha256(p), "lines": _lines(p)} for (fmt, split), p in paths.items()},
        "counts": dict(counts),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return dict(counts)


def _write(handle, records: Iterable[dict]) -> None:
    for record in records:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)
