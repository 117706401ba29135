"""Benchmark: import a large DiscordChatExporter JSON export into a fresh warehouse.

    .venv/bin/python benchmarks/import_chats.py [--messages N] [--keep] [--no-scaling]

Writes a realistic DCE export of N messages (default 1,000,000) to a temp dir, streaming
(the export is never held in memory), then imports it with chatclone.importer.import_file
in a child process and reports the import's wall time, messages/s, MB/s and the child's
peak RSS. With --scaling (the default) the same is done at N/4 first, so the two rows
show whether peak memory grows with file size (it should not: the import streams).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

DISCORD_EPOCH_MS = 1_420_070_400_000
CHANNEL_ID = "1100000000000000001"
GUILD_ID = "1000000000000000001"

_WORDS = (
    "the a i you it to and that is of in we was for on this my so just like but not have what with be "
    "are me lol do can if no yeah its at all get about one know think out up time really when he they "
    "now would from good there im dont go how your people more see then an or make gonna also had game "
    "stream today tonight tomorrow weekend food cat music song album ranked queue patch boss build deck "
    "exam study homework coffee ramen pizza sleep tired work meeting server bot discord minecraft raid "
    "clip vod chat emote art commission sketch model rig debut collab karaoke setlist lowkey highkey ngl "
    "tbh idk imo fr literally actually honestly probably definitely maybe kinda sorta wait okay sure"
).split()
_EXTRA = ["✨", "😂", "💀", "🥺", ":3", "!!", "?", "...", "café", "naïve", "日本語", "やった"]
_AUTHORS = [
    # (id, name, nickname, color, is_bot)
    ("400000000000000001", "mikamika", "Mika", "#F47FFF", False),
    ("400000000000000002", "ren.exe", "Ren", "#3498DB", False),
    ("400000000000000003", "junodraws", "Juno", "#E67E22", False),
    ("400000000000000004", "tomo_k", "Tomo", None, False),
    ("400000000000000005", "dexterity", "Dex", "#2ECC71", False),
    ("400000000000000006", "saltyseal", "Seal", None, False),
    ("400000000000000007", "nori.bun", "Nori", "#9B59B6", False),
    ("400000000000000008", "kaz", "Kaz", None, False),
    ("400000000000000009", "lumen", "Lumen", "#F1C40F", False),
    ("400000000000000010", "quietfox", "fox", None, False),
    ("400000000000000011", "Jukebox", "Jukebox", "#95A5A6", True),
]
_AUTHOR_WEIGHTS = [30, 18, 14, 10, 8, 6, 5, 3, 2, 2, 2]


def _author(a: tuple) -> dict:
    aid, name, nickname, color, is_bot = a
    return {
        "id": aid,
        "name": name,
        "discriminator": "0000",
        "nickname": nickname,
        "color": color,
        "isBot": is_bot,
        "roles": [],
        "avatarUrl": f"https://cdn.discordapp.com/avatars/{aid}/a1b2c3d4e5f60718293a4b5c6d7e8f90.png?size=512",
    }


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="milliseconds")


def _text(rng: random.Random) -> str:
    r = rng.random()
    n = 1 + int(rng.expovariate(1 / 9)) if r < 0.93 else rng.randint(40, 120)  # mostly short, some long
    words = rng.choices(_WORDS, k=n)
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words) + 1), rng.choice(_EXTRA))
    return " ".join(words)


def generate_export(path: Path, n: int, seed: int = 1) -> int:
    """Write a DCE JSON export of `n` messages to `path`, one message at a time; return its size in bytes."""
    rng = random.Random(seed)
    authors = [_author(a) for a in _AUTHORS]
    mention_of = {a["id"]: {k: a[k] for k in ("id", "name", "discriminator", "nickname", "isBot")} for a in authors}
    start = datetime(2021, 1, 1, tzinfo=timezone.utc)
    header = {
        "guild": {"id": GUILD_ID, "name": "benchmark server", "iconUrl": "https://cdn.discordapp.com/icons/1/abc.png"},
        "channel": {"id": CHANNEL_ID, "type": "GuildTextChat", "categoryId": "1050000000000000001", "category": "Text Channels", "name": "general", "topic": None},
        "dateRange": {"after": None, "before": None},
        "exportedAt": "2024-06-01T12:00:00.000+00:00",
    }
    head = json.dumps(header, indent=2, ensure_ascii=False)[:-2]  # drop the closing "\n}"
    ts = start
    recent: list[str] = []
    seq = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(head + ',\n  "messages": [\n')
        for i in range(n):
            ts += timedelta(seconds=rng.expovariate(1 / 40) if rng.random() < 0.97 else rng.uniform(3600, 86400))
            ms = int(ts.timestamp() * 1000)
            seq = (seq + 1) & 0xFFF
            mid = str(((ms - DISCORD_EPOCH_MS) << 22) | (1 << 17) | seq)
            author = rng.choices(authors, _AUTHOR_WEIGHTS)[0]
            r = rng.random()
            kind = "Default"
            content = _text(rng)
            if r < 0.004:
                kind, content = "GuildMemberJoin", ""
            elif r < 0.006:
                kind, content = "ChannelPinnedMessage", "Pinned a message."
            elif r < 0.007:
                kind, content = "Call", "Started a call that lasted 42 minutes."
            msg = {
                "id": mid,
                "type": kind,
                "timestamp": _iso(ts),
                "timestampEdited": _iso(ts + timedelta(seconds=rng.randint(5, 300))) if rng.random() < 0.03 else None,
                "callEndedTimestamp": _iso(ts + timedelta(minutes=42)) if kind == "Call" else None,
                "isPinned": rng.random() < 0.002,
                "content": content,
                "author": author,
                "attachments": [],
                "embeds": [],
                "stickers": [],
                "reactions": [],
                "mentions": [],
            }
            if kind == "Default":
                if rng.random() < 0.05:
                    name = rng.choice(["image.png", "clip.mp4", "IMG_2041.jpg", "notes.pdf", "meme.gif", "voice-message.ogg"])
                    aid = str(int(mid) + 7)
                    msg["attachments"].append({"id": aid, "url": f"https://cdn.discordapp.com/attachments/{CHANNEL_ID}/{aid}/{name}", "fileName": name, "fileSizeBytes": rng.randint(10_000, 8_000_000)})
                    if rng.random() < 0.4:
                        msg["content"] = ""
                if rng.random() < 0.03:
                    url = f"https://www.youtube.com/watch?v={rng.getrandbits(40):011x}"
                    msg["content"] = f"{msg['content']} {url}".strip()
                    msg["embeds"].append({"title": "a video", "url": url, "timestamp": None, "description": "", "color": "#FF0000", "thumbnail": None, "images": [], "fields": [], "inlineEmojis": []})
                if rng.random() < 0.08:
                    target = rng.choice(authors)
                    msg["content"] = f"@{target['nickname']} {msg['content']}".strip()
                    msg["mentions"].append(mention_of[target["id"]])
                if rng.random() < 0.10:
                    msg["reactions"].append({"emoji": {"id": "", "name": "😂", "code": "joy", "isAnimated": False, "imageUrl": "https://cdn.jsdelivr.net/gh/twitter/twemoji@latest/assets/svg/1f602.svg"}, "count": rng.randint(1, 5)})
                if recent and rng.random() < 0.15:
                    msg["type"] = "Reply"
                    msg["reference"] = {"messageId": rng.choice(recent), "channelId": CHANNEL_ID, "guildId": GUILD_ID}
            recent.append(mid)
            if len(recent) > 50:
                del recent[:25]
            text = json.dumps(msg, indent=2, ensure_ascii=False).replace("\n", "\n    ")
            f.write(("    " if i == 0 else ",\n    ") + text)
        f.write(f'\n  ],\n  "messageCount": {n}\n}}\n')
    return path.stat().st_size


def _child(export: str, warehouse: str) -> None:
    """Child process: import one file, print a JSON line with the result and timings."""
    import resource

    from chatclone.importer import import_file
    from chatclone.warehouse import Warehouse

    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with Warehouse(warehouse) as wh:
        t0 = time.perf_counter()
        result = import_file(wh, "discord", Path(export), Path(warehouse).parent / "quarantine")
        elapsed = time.perf_counter() - t0
    print(json.dumps({"elapsed_s": elapsed, "baseline_rss_kib": baseline_kib, "result": result.as_dict()}))


def run_import(export: Path, workdir: Path) -> dict:
    """Import `export` into a fresh warehouse in a child process; its timings and peak RSS (os.wait4)."""
    warehouse = workdir / f"{export.stem}.duckdb"
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", str(export), str(warehouse)], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"import child failed with exit code {proc.returncode}")
    report = json.loads(out.strip().splitlines()[-1])
    peak_bytes = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)  # KiB on Linux
    report.update(process_wall_s=wall, peak_rss_mib=peak_bytes / 2**20, baseline_rss_mib=report["baseline_rss_kib"] / 1024)
    return report


def machine() -> dict:
    import duckdb
    import ijson

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    mem = ""
    try:
        kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
        mem = f"{kib / 2**20:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu model": model or "unknown",
        "memory": mem or "unknown",
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "ijson backend": ijson.backend,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000, help="messages in the big export (default 1,000,000)")
    parser.add_argument("--scaling", action=argparse.BooleanOptionalAction, default=True, help="also run at N/4 to show peak RSS is flat in file size")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (exports and warehouses) and print its path")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=2, metavar=("EXPORT", "WAREHOUSE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0

    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 132)
    info = machine()
    console.print("[bold]machine[/bold]: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    sizes = ([max(1, args.messages // 4)] if args.scaling else []) + [args.messages]
    workdir = Path(tempfile.mkdtemp(prefix="chatclone-bench-"))
    rows = []
    try:
        for n in sizes:
            export = workdir / f"discord_{n}.json"
            t0 = time.perf_counter()
            size = generate_export(export, n, seed=args.seed)
            console.print(f"generated {export.name}: {n:,} messages, {size / 2**20:,.1f} MiB in {time.perf_counter() - t0:.1f} s")
            report = run_import(export, workdir)
            result = report["result"]
            if result["status"] != "ok":
                raise SystemExit(f"import of {export} was {result['status']}: {result.get('error')}")
            elapsed = report["elapsed_s"]
            rows.append({
                "messages": n,
                "file_mib": size / 2**20,
                "rows_added": result["rows_added"],
                "import_s": elapsed,
                "messages_per_s": n / elapsed,
                "mb_per_s": size / 1e6 / elapsed,
                "peak_rss_mib": report["peak_rss_mib"],
                "baseline_rss_mib": report["baseline_rss_mib"],
            })
            console.print(f"imported {n:,} messages ({result['rows_added']:,} rows added, skipped {result['skipped']}) in {elapsed:.1f} s")
            if not args.keep:
                export.unlink()
    finally:
        if args.keep:
            console.print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    table = Table(title="DiscordChatExporter JSON import (chatclone.importer.import_file, child process)")
    for col in ("messages", "file MiB", "rows added", "import s", "messages/s", "MB/s", "peak RSS MiB", "RSS after imports MiB"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            f"{r['messages']:,}", f"{r['file_mib']:,.1f}", f"{r['rows_added']:,}", f"{r['import_s']:.1f}",
            f"{r['messages_per_s']:,.0f}", f"{r['mb_per_s']:.1f}", f"{r['peak_rss_mib']:,.0f}", f"{r['baseline_rss_mib']:,.0f}",
        )
    console.print(table)
    if len(rows) == 2:
        small, big = rows
        console.print(f"peak RSS at {big['messages']:,} / at {small['messages']:,} messages: {big['peak_rss_mib'] / small['peak_rss_mib']:.2f}x "
                      f"(file {big['file_mib'] / small['file_mib']:.1f}x larger)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
