"""What the JSON nesting limit costs: bytes/s through jsonstream.DepthGuard alone, and ijson's own event parse.

    .venv/bin/python benchmarks/json_depth_guard.py [--messages 300000]

Writes a Telegram-like export in memory (indented, escaped quotes and backslashes, brackets in
text), reads it through the guard in ijson's 64 KiB reads, then parses it with ijson.parse alone.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from pathlib import Path

import ijson

from chatclone.sources.jsonstream import DepthGuard


def export(messages: int) -> bytes:
    """A Telegram Desktop-like result.json of `messages` messages, as bytes."""
    items = [{"id": i, "type": "message", "date": "2024-01-01T10:00:00", "from": 'Yuki "Y" [x]',
              "text": ["hello [world] ", {"type": "link", "text": "https://x.y/{a}"}, " \\ end\nbye"],
              "reactions": [{"emoji": "👍", "count": 2}]} for i in range(messages)]
    return json.dumps({"name": "c", "type": "personal_chat", "messages": items}, indent=1, ensure_ascii=False).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300_000)
    args = parser.parse_args()
    data = export(args.messages)
    started = time.perf_counter()
    guard = DepthGuard(io.BytesIO(data), Path("result.json"))
    while guard.read(65536):
        pass
    guarded = time.perf_counter() - started
    started = time.perf_counter()
    for _ in ijson.parse(io.BytesIO(data)):
        pass
    parsed = time.perf_counter() - started
    mb = len(data) / 1e6
    print(f"{mb:.1f} MB, {args.messages:,} messages")
    print(f"depth guard alone: {guarded:.2f} s, {mb / guarded:.0f} MB/s")
    print(f"ijson.parse alone: {parsed:.2f} s, {mb / parsed:.0f} MB/s (the guard adds {guarded / parsed:.0%} of it)")


if __name__ == "__main__":
    main()
