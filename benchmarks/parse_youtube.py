"""Benchmark: parse a large yt-dlp live_chat.json, YouTube auto-captions and a manual WebVTT.

    .venv/bin/python benchmarks/parse_youtube.py [--chat-lines N] [--vtt-hours H] [--quick] [--keep]

Generates three inputs in a temp dir (generation is not timed):

- a yt-dlp `live_chat.json` of N lines (default 500,000), one replay action a line, built
  from the real actions in tests/data/youtube/live_chat.json: text messages (some with emoji
  runs, some from moderators), super chats, super stickers, memberships and non-chat actions
  (placeholders, tickers, banners, polls, deletions, ...), with varying ids, offsets, authors
  and texts;
- H hours (default 10) of YouTube auto-captions in the current yt-dlp style: a word-timed cue
  (`word<00:00:01.234><c> word</c>...`) alternating with a 10 ms cue repeating the finished line;
- a manual WebVTT of the same duration (numbered cues, one or two lines, some `<i>` tags).

Each is parsed once in a child process (chatclone.sources.youtube_live_chat.parse_live_chat,
chatclone.sources.subtitles.parse_youtube_auto_vtt, parse_vtt), timed with perf_counter
around the parse alone; the child's peak RSS comes from os.wait4. Chat events are counted as
they stream by, so chat RSS shows the streaming parser; the VTT parsers' results are kept as
lists. Every run checks the parse against what was generated (events per kind, cues, words,
a checksum of the texts) and stops if they differ. --quick shrinks the inputs 20x.

Then the incremental no-op: a fake channel of --channel-vods VODs (default 500) on 127.0.0.1
(tests/fake_channel.py: yt-dlp's own download code against a local server) is ingested once
(not timed beyond a figure), then ingested again with nothing new: the figure is that second
run's wall time, as the `ingest-channel` flow (ephemeral Prefect API included) and as the
channel listing alone, with the number of listing pages and files it asked for.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "youtube" / "live_chat.json"
WALL_CLOCK_START_USEC = 1_608_118_000_000_000

_WORDS = (
    "the a i you it to and that is of in we was for on this my so just like but not have what with be are me "
    "do can if no yeah its at all get about one know think out up time really when he they now would from good "
    "there go how your people more see then an or make gonna also had game stream today tonight chat song boss "
    "build run clip vod emote art collab karaoke setlist gg pog lets wait okay sure right basically actually "
    "honestly probably definitely maybe kinda literally first second next level thing stuff pretty much"
).split()
_SPOKEN_EXTRA = ["i'm", "don't", "it's", "that's", "we're", "you're", "can't", "&amp;"]
_CHAT_EXTRA = ["lol", "LMAO", "www", "草", "かわいい", "!!", "???", "...", "❤️", "w", "8888", "kekw", "omg", "F"]
# (emojiId, shortcut, is custom); YouTube sends standard emoji and channel emoji as emoji runs.
_EMOJI = [
    ("😂", ":face_with_tears_of_joy:", False), ("❤", ":red_heart:", False), ("👏", ":clapping_hands:", False),
    ("🔥", ":fire:", False), ("😭", ":loudly_crying_face:", False),
    ("UCkIimWZ9gBJRamKF0rmPU8w/CIW60IPp_dYCFaH3ZAodKXgCRA", ":_kurageHi:", True),
    ("UCkIimWZ9gBJRamKF0rmPU8w/b_Ug0kOBSkSsaLmA0Fw", ":_kurageLaugh:", True),
    ("UCSJ4gkVC6NrvII8umztf0Ow/Fm8UYPbaAoKj8gTxg4DADg", ":yougotthis:", True),
]
_PAID_AMOUNTS = ["$5.00", "$2.00", "$10.00", "$20.00", "$100.00", "¥1,000", "¥500", "€5,00", "£2.00", "CA$5.00", "A$10.00", "₩10,000"]
_NON_CHAT_WEIGHT = 0.105  # share of lines that are not chat (placeholders, tickers, banners, polls, ...)
_CHAT_WEIGHTS = {"text": 0.86, "paid": 0.015, "sticker": 0.006, "membership": 0.014}


# --- live chat ----------------------------------------------------------------------------


@dataclass
class ChatExpected:
    """What a correct parse of the generated live_chat.json yields."""

    lines: int = 0
    kinds: Counter = field(default_factory=Counter)
    text_chars: int = 0
    first: list = field(default_factory=list)  # [message_id, kind, author_id, author_name, text, amount, currency]
    last: list = field(default_factory=list)


def _sample_actions() -> tuple[dict, list[dict]]:
    """The renderers of the sample's chat kinds and its non-chat actions, as yt-dlp wrote them."""
    renderers, other = {}, []
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        action = json.loads(line)["replayChatItemAction"]["actions"][0]
        item = action.get("addChatItemAction", {}).get("item", {})
        name = next(iter(item), "")
        kind = {"liveChatTextMessageRenderer": "text", "liveChatPaidStickerRenderer": "sticker", "liveChatMembershipItemRenderer": "membership"}.get(name)
        if kind:
            renderers[kind] = item[name]
        else:
            other.append(action)
        ticker = action.get("addLiveChatTickerItemAction", {}).get("item", {}).get("liveChatTickerPaidMessageItemRenderer")
        if ticker:  # the sample's only super chat is the one a ticker shows when clicked
            renderers["paid"] = ticker["showItemEndpoint"]["showLiveChatItemEndpoint"]["renderer"]["liveChatPaidMessageRenderer"]
    missing = set(_CHAT_WEIGHTS) - set(renderers)
    if missing:
        raise SystemExit(f"{SAMPLE} has no {', '.join(sorted(missing))} action to copy")
    return renderers, other


def _authors(rng: random.Random, n: int) -> list[dict]:
    authors = []
    for i in range(n):
        channel = "UC" + base64.urlsafe_b64encode(rng.randbytes(16)).decode()[:22]
        photo = f"https://yt3.ggpht.com/ytc/AAUvw{base64.urlsafe_b64encode(rng.randbytes(30)).decode()}"
        name = rng.choice(["", "The ", "xX"]) + rng.choice(_WORDS).capitalize() + rng.choice(["", "_", " "]) + rng.choice(_WORDS) + str(rng.randrange(10_000) if rng.random() < 0.5 else "")
        authors.append({
            "authorName": {"simpleText": name.strip() or f"user{i}"},
            "authorExternalChannelId": channel,
            "authorPhoto": {"thumbnails": [{"url": f"{photo}=s32-c-k-c0xffffffff-no-rj-mo", "width": 32, "height": 32},
                                           {"url": f"{photo}=s64-c-k-c0xffffffff-no-rj-mo", "width": 64, "height": 64}]},
        })
    return authors


def _emoji_run(rng: random.Random) -> tuple[dict, str]:
    """An emoji run as YouTube sends it and the text the parser makes of it."""
    emoji_id, shortcut, custom = rng.choice(_EMOJI)
    url = f"https://yt3.ggpht.com/{emoji_id.split('/')[-1]}=w24-h24-c-k-nd" if custom else f"https://www.youtube.com/s/gaming/emoji/0f0cae22/emoji_u{ord(emoji_id):x}.svg"
    emoji = {"emojiId": emoji_id, "shortcuts": [shortcut], "searchTerms": [shortcut.strip(":_")],
             "image": {"thumbnails": [{"url": url, "width": 24, "height": 24}], "accessibility": {"accessibilityData": {"label": shortcut.strip(":")}}}}
    if custom:
        emoji["isCustomEmoji"] = True
    return {"emoji": emoji}, f":{shortcut.strip(':')}:"


def _message(rng: random.Random) -> tuple[dict, str]:
    """A chat message as runs (a fifth of them with emoji runs) and its text as the parser renders it."""
    words = rng.choices(_WORDS, k=1 + min(int(rng.expovariate(1 / 6)), 60))
    if rng.random() < 0.2:
        words.insert(rng.randrange(len(words) + 1), rng.choice(_CHAT_EXTRA))
    text = " ".join(words)
    if rng.random() >= 0.2:
        return {"runs": [{"text": text}]}, text
    runs, rendered = [{"text": text + " "}], text + " "
    for _ in range(rng.randint(1, 3)):
        run, shown = _emoji_run(rng)
        runs.append(run)
        rendered += shown
    return {"runs": runs}, rendered


def _chat_renderer(kind: str, template: dict, rng: random.Random, author: dict, usec: int) -> tuple[dict, str, str | None]:
    """A copy of a sample renderer with a new id, time, author and message; its parsed text and amount text."""
    renderer = dict(template)
    renderer.update(author)
    renderer["id"] = "ChwKGk" + base64.urlsafe_b64encode(rng.randbytes(24)).decode()
    renderer["timestampUsec"] = str(usec)
    text, amount = "", None
    if kind in ("text", "paid"):
        renderer["message"], text = _message(rng)
        if kind == "text":
            badge = rng.random()
            if badge < 0.03:
                renderer["authorBadges"] = [{"liveChatAuthorBadgeRenderer": {"icon": {"iconType": "MODERATOR"}, "tooltip": "Moderator",
                                                                            "accessibility": {"accessibilityData": {"label": "Moderator"}}}}]
            elif badge < 0.031:
                renderer["authorBadges"] = [{"liveChatAuthorBadgeRenderer": {"icon": {"iconType": "OWNER"}, "tooltip": "Owner",
                                                                            "accessibility": {"accessibilityData": {"label": "Owner"}}}}]
    if kind in ("paid", "sticker"):
        amount = rng.choice(_PAID_AMOUNTS)
        renderer["purchaseAmountText"] = {"simpleText": amount}
    return renderer, text, amount


def generate_live_chat(path: Path, lines: int, seed: int) -> ChatExpected:
    """Write a yt-dlp live_chat.json of `lines` replay lines to `path`; what parsing it must yield."""
    from chatclone.sources.youtube_live_chat import parse_amount

    rng = random.Random(seed)
    renderers, other = _sample_actions()
    renderer_names = {"text": "liveChatTextMessageRenderer", "paid": "liveChatPaidMessageRenderer",
                      "sticker": "liveChatPaidStickerRenderer", "membership": "liveChatMembershipItemRenderer"}
    authors = _authors(rng, 5000)
    author_weights = [1 / (i + 1) ** 0.8 for i in range(len(authors))]  # a few regulars, a long tail
    kinds = list(_CHAT_WEIGHTS) + ["other"]
    kind_weights = list(_CHAT_WEIGHTS.values()) + [_NON_CHAT_WEIGHT]
    expected = ChatExpected(lines=lines)
    offset_ms = 0
    with open(path, "wb") as f:
        for _ in range(lines):
            offset_ms += int(rng.expovariate(1 / 180))  # ~5.5 lines a second: a busy stream
            kind = rng.choices(kinds, kind_weights)[0]
            if kind == "other":
                action = rng.choice(other)
            else:
                author = rng.choices(authors, author_weights)[0]
                usec = WALL_CLOCK_START_USEC + offset_ms * 1000 + rng.randrange(1000)
                renderer, text, amount_text = _chat_renderer(kind, renderers[kind], rng, author, usec)
                action = {"clickTrackingParams": "CAEQl98BIhMItfnRqrbS7QIVR70WCh2HSw3D",
                          "addChatItemAction": {"item": {renderer_names[kind]: renderer}, "clientId": renderer["id"][:26]}}
                expected.kinds[kind] += 1
                expected.text_chars += len(text)
                amount, currency = parse_amount(amount_text) if amount_text else (None, None)
                summary = [renderer["id"], kind, author["authorExternalChannelId"], author["authorName"]["simpleText"], text, amount, currency]
                expected.first = expected.first or summary
                expected.last = summary
            offset = str(offset_ms)
            line = {"replayChatItemAction": {"actions": [action], "videoOffsetTimeMsec": offset}, "videoOffsetTimeMsec": offset, "isLive": False}
            f.write(orjson.dumps(line))
            f.write(b"\n")
    return expected


def _parse_chat(path: Path) -> dict:
    from chatclone.sources.youtube_live_chat import parse_live_chat

    kinds, skipped, chars, first, last = Counter(), Counter(), 0, None, None
    t0 = time.perf_counter()
    for event in parse_live_chat(path, skipped):
        kinds[event.kind] += 1
        chars += len(event.text)
        first = first or event
        last = event
    elapsed = time.perf_counter() - t0
    summary = lambda e: [e.message_id, e.kind, e.author_id, e.author_name, e.text, e.amount, e.currency]  # noqa: E731
    return {"elapsed_s": elapsed, "items": sum(kinds.values()), "kinds": kinds, "skipped": sum(skipped.values()),
            "text_chars": chars, "first": summary(first), "last": summary(last)}


# --- WebVTT -------------------------------------------------------------------------------


@dataclass
class VttExpected:
    """What a correct parse of a generated WebVTT yields."""

    file_cues: int = 0
    cues: int = 0
    words: int = 0
    texts_crc: int = 0


def _stamp(ms: int) -> str:
    s, ms = divmod(ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _spoken_line(rng: random.Random) -> list[str]:
    words = rng.choices(_WORDS, k=rng.randint(4, 10))
    if rng.random() < 0.3:
        words[rng.randrange(len(words))] = rng.choice(_SPOKEN_EXTRA)
    return words


def generate_auto_vtt(path: Path, hours: float, seed: int) -> VttExpected:
    """Write `hours` of yt-dlp auto-captions: word-timed cues alternating with 10 ms cues that repeat the line."""
    rng = random.Random(seed)
    expected = VttExpected()
    end_ms, t, previous = int(hours * 3_600_000), 0, " "
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("WEBVTT\nKind: captions\nLanguage: en\n\n")
        while t < end_ms:
            words = _spoken_line(rng)
            starts = [t]
            for _ in words[1:]:
                starts.append(starts[-1] + rng.randint(120, 520))
            done = starts[-1] + rng.randint(150, 600)
            timed = words[0] + "".join(f"<{_stamp(s)}><c> {w}</c>" for s, w in zip(starts[1:], words[1:]))
            plain = " ".join(words)
            f.write(f"{_stamp(t)} --> {_stamp(done)} align:start position:0%\n{previous}\n{timed}\n\n")
            f.write(f"{_stamp(done)} --> {_stamp(done + 10)} align:start position:0%\n{plain}\n \n\n")
            spoken = plain.replace("&amp;", "&")
            expected.file_cues += 2
            expected.cues += 1
            expected.words += len(words)
            expected.texts_crc = zlib.crc32(spoken.encode() + b"\n", expected.texts_crc)
            previous = plain
            t = done + 10 + (rng.randint(500, 4000) if rng.random() < 0.1 else 0)  # now and then a pause
    return expected


def generate_manual_vtt(path: Path, hours: float, seed: int) -> VttExpected:
    """Write `hours` of hand-made WebVTT captions: numbered cues of one or two lines, some in italics."""
    rng = random.Random(seed)
    expected = VttExpected()
    end_ms, t = int(hours * 3_600_000), 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("WEBVTT\n\n")
        while t < end_ms:
            t += rng.randint(80, 900)
            done = t + rng.randint(1200, 5000)
            lines = [rng.choices(_WORDS, k=rng.randint(3, 8)) for _ in range(rng.choice((1, 1, 2)))]
            plain = " ".join(" ".join(words) for words in lines)
            shown = [f"<i>{' '.join(words)}</i>" if rng.random() < 0.15 else " ".join(words) for words in lines]
            expected.file_cues += 1
            f.write(f"{expected.file_cues}\n{_stamp(t)} --> {_stamp(done)} position:50% line:85% align:middle\n" + "\n".join(shown) + "\n\n")
            expected.cues += 1
            expected.words += sum(len(words) for words in lines)
            expected.texts_crc = zlib.crc32(plain.encode() + b"\n", expected.texts_crc)
            t = done
    return expected


def _parse_auto_vtt(path: Path) -> dict:
    from chatclone.sources.subtitles import parse_youtube_auto_vtt

    t0 = time.perf_counter()
    cues, words = parse_youtube_auto_vtt(path)
    elapsed = time.perf_counter() - t0
    crc = 0
    for cue in cues:
        crc = zlib.crc32(cue.text.encode() + b"\n", crc)
    return {"elapsed_s": elapsed, "items": len(cues), "words": len(words), "texts_crc": crc}


def _parse_manual_vtt(path: Path) -> dict:
    from chatclone.sources.subtitles import parse_vtt

    t0 = time.perf_counter()
    cues = list(parse_vtt(path))
    elapsed = time.perf_counter() - t0
    crc = 0
    for cue in cues:
        crc = zlib.crc32(cue.text.encode() + b"\n", crc)
    return {"elapsed_s": elapsed, "items": len(cues), "words": sum(len(c.text.split()) for c in cues), "texts_crc": crc}


# --- running and checking -----------------------------------------------------------------

PARSERS = {"chat": _parse_chat, "auto_vtt": _parse_auto_vtt, "manual_vtt": _parse_manual_vtt}


def _child(kind: str, path: str) -> None:
    """Child process: parse one file, print a JSON line with its timing and what it found."""
    import resource

    import chatclone.sources.subtitles  # noqa: F401  (imports are not part of the parse)
    import chatclone.sources.youtube_live_chat  # noqa: F401

    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = PARSERS[kind](Path(path))
    print(json.dumps({**report, "baseline_rss_kib": baseline_kib}))


def run_parse(kind: str, path: Path) -> dict:
    """Parse `path` with the `kind` parser in a child process; its report and peak RSS (os.wait4)."""
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", kind, str(path)], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{kind} parse of {path} failed with exit code {os.waitstatus_to_exitcode(status)}")
    report = json.loads(out.strip().splitlines()[-1])
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is KiB on Linux
    report.update(peak_rss_mib=usage.ru_maxrss * unit / 2**20, baseline_rss_mib=report["baseline_rss_kib"] * unit / 2**20)
    return report


def check_chat(report: dict, expected: ChatExpected) -> None:
    """Stop the benchmark if the chat parse differs from what was generated."""
    got = {k: report["kinds"].get(k, 0) for k in _CHAT_WEIGHTS}
    want = {k: expected.kinds.get(k, 0) for k in _CHAT_WEIGHTS}
    problems = []
    if got != want:
        problems.append(f"events per kind {got}, generated {want}")
    if report["skipped"] != expected.lines - sum(want.values()):
        problems.append(f"skipped {report['skipped']} actions, generated {expected.lines - sum(want.values())} non-chat lines")
    if report["text_chars"] != expected.text_chars:
        problems.append(f"{report['text_chars']} text characters, generated {expected.text_chars}")
    for which in ("first", "last"):
        if report[which] != getattr(expected, which):
            problems.append(f"{which} event {report[which]}, generated {getattr(expected, which)}")
    if problems:
        raise SystemExit("live chat parse is wrong: " + "; ".join(problems))


def check_vtt(name: str, report: dict, expected: VttExpected) -> None:
    """Stop the benchmark if a VTT parse differs from what was generated."""
    got = (report["items"], report["words"], report["texts_crc"])
    want = (expected.cues, expected.words, expected.texts_crc)
    if got != want:
        raise SystemExit(f"{name} parse is wrong: (cues, words, text crc32) {got}, generated {want}")


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} CPUs, {model}, {platform.system()} {platform.release()}, Python {platform.python_version()}, orjson {orjson.__version__}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chat-lines", type=int, default=500_000, help="lines in the live_chat.json (default 500,000: about 765 MB)")
    parser.add_argument("--vtt-hours", type=float, default=10.0, help="hours of speech in each WebVTT (default 10)")
    parser.add_argument("--channel-vods", type=int, default=500, help="VODs in the fake channel of the no-op run (default 500; 0 skips it)")
    parser.add_argument("--quick", action="store_true", help="shrink both 20x for a smoke run")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir with the generated files and print its path")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    chat_lines, vtt_hours = (max(1, args.chat_lines // 20), args.vtt_hours / 20) if args.quick else (args.chat_lines, args.vtt_hours)

    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 132)
    console.print(f"[bold]machine[/bold]: {machine()}")
    workdir = Path(tempfile.mkdtemp(prefix="chatclone-bench-yt-"))
    rows = []
    try:
        inputs = [
            ("chat", "live_chat.json", "parse_live_chat", lambda p: generate_live_chat(p, chat_lines, args.seed)),
            ("auto_vtt", "auto.en.vtt", "parse_youtube_auto_vtt", lambda p: generate_auto_vtt(p, vtt_hours, args.seed)),
            ("manual_vtt", "manual.en.vtt", "parse_vtt", lambda p: generate_manual_vtt(p, vtt_hours, args.seed)),
        ]
        for kind, name, parser_name, generate in inputs:
            path = workdir / name
            t0 = time.perf_counter()
            expected = generate(path)
            size = path.stat().st_size
            lines = expected.lines if kind == "chat" else expected.file_cues
            console.print(f"generated {name}: {size / 1e6:,.1f} MB, {lines:,} {'lines' if kind == 'chat' else 'cues'} in {time.perf_counter() - t0:.1f} s")
            report = run_parse(kind, path)
            if kind == "chat":
                check_chat(report, expected)
            else:
                check_vtt(name, report, expected)
            elapsed = report["elapsed_s"]
            row = {"parser": parser_name, "file": name, "file_mb": size / 1e6, "lines": lines, "items": report["items"],
                   "words": report.get("words"), "parse_s": elapsed, "mb_per_s": size / 1e6 / elapsed,
                   "items_per_s": report["items"] / elapsed, "words_per_s": report["words"] / elapsed if "words" in report else None,
                   "peak_rss_mib": report["peak_rss_mib"], "baseline_rss_mib": report["baseline_rss_mib"]}
            rows.append(row)
            what = "chat messages" if kind == "chat" else "cues"
            words = f", {row['words']:,} words ({row['words_per_s']:,.0f}/s)" if row["words"] is not None else ""
            console.print(f"{parser_name}: {row['items']:,} {what} in {elapsed:.3f} s = {row['mb_per_s']:.1f} MB/s, "
                          f"{row['items_per_s']:,.0f} {what}/s{words}, peak RSS {row['peak_rss_mib']:,.0f} MiB (checked)")
            if not args.keep:
                path.unlink()
    finally:
        if args.keep:
            console.print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    title = "YouTube parsing (one parse each, child process" + (", --quick" if args.quick else "") + ")"
    table = Table(title=title)
    table.add_column("parser", no_wrap=True)
    for col in ("file MB", "in file", "parsed", "parse s", "MB/s", "items/s", "words/s", "peak RSS MiB", "RSS before MiB"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            r["parser"], f"{r['file_mb']:,.1f}", f"{r['lines']:,}", f"{r['items']:,}", f"{r['parse_s']:.3f}", f"{r['mb_per_s']:.1f}",
            f"{r['items_per_s']:,.0f}", f"{r['words_per_s']:,.0f}" if r["words_per_s"] is not None else "–",
            f"{r['peak_rss_mib']:,.0f}", f"{r['baseline_rss_mib']:,.0f}",
        )
    console.print(table)
    console.print("in file: lines (chat) or cues (VTT); parsed and items/s: chat messages (text, super chats, stickers, memberships) "
                  "or spoken cues; RSS before: the child after imports, before parsing")
    vods = max(1, args.channel_vods // 20) if args.quick else args.channel_vods
    if vods:
        noop_run(console, vods)
    return 0


def noop_run(console, n_vods: int) -> None:
    """Ingest a fake channel of n_vods VODs, then time a second ingest that finds nothing new."""
    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo / "tests"))
    os.environ["CHATCLONE_YTDLP_EXTRACTORS"] = "fake_channel:FakeChannelIE,fake_channel:FakeVideoIE"
    os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="chatclone-bench-prefect-"))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    from fake_channel import FakeSite, FakeVod

    from chatclone import ingest
    from chatclone.workspace import init_workspace
    from flows.ingest_channel import ingest_channel

    workdir = Path(tempfile.mkdtemp(prefix="chatclone-bench-channel-"))
    try:
        with FakeSite([FakeVod(f"vod{i:08d}", f"stream {i}") for i in range(n_vods)], page_size=30) as site:
            ws = init_workspace(workdir / "ws", "mika", ["Mika"], [site.channel_url()])
            text = ws.config_path.read_text(encoding="utf-8").replace("sleep_seconds = 1.0", "sleep_seconds = 0")
            ws.config_path.write_text(text.replace("concurrency = 2", "concurrency = 4"), encoding="utf-8")
            t0 = time.perf_counter()
            first = ingest_channel(str(ws.root))
            first_s = time.perf_counter() - t0
            assert len(first["vods"]) == n_vods, f"first run fetched {len(first['vods'])} of {n_vods}"
            listing, files = len(site.listing_requests()), len(site.file_requests())
            t0 = time.perf_counter()
            second = ingest_channel(str(ws.root))
            flow_s = time.perf_counter() - t0
            pages, fetched = len(site.listing_requests()) - listing, len(site.file_requests()) - files
            t0 = time.perf_counter()
            planned = ingest.plan_channel(str(ws.root), site.channel_url())
            listing_s = time.perf_counter() - t0
        assert second["vods"] == [] and planned == [] and fetched == 0, "the no-op run fetched something"
        console.print(f"fake channel of {n_vods} VODs: first ingest {first_s:.1f} s ({n_vods / first_s:.1f} VODs/s, concurrency 4); "
                      f"no-op ingest {flow_s:.2f} s as a flow, listing alone {listing_s:.3f} s; "
                      f"{pages} listing page(s) of {-(-n_vods // 30)}, {fetched} files fetched (checked)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
