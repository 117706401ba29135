"""Benchmark: import a large chat export (DiscordChatExporter JSON, a WhatsApp .txt or a Telegram result.json) into a fresh warehouse.

    .venv/bin/python benchmarks/import_chats.py [--format discord|whatsapp|telegram|twitch] [--messages N] [--keep] [--no-scaling]

Writes a realistic export of N messages (default 1,000,000) to a temp dir, streaming
(the export is never held in memory), then imports it with chatclone.importer.import_file
in a child process and reports the import's wall time, messages/s, MB/s and the child's
peak RSS. With --scaling (the default) the same is done at N/4 first, so the two rows
show whether peak memory grows with file size (it should not: the import streams).
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


_WA_AUTHORS = ["Mika", "Ren", "Juno Park", "Tomo", "Dex", "+44 7700 900123", "Nori", "Kaz"]
_WA_WEIGHTS = [30, 22, 15, 10, 8, 6, 5, 4]


def generate_whatsapp_export(path: Path, n: int, seed: int = 1) -> int:
    """Write an Android WhatsApp `.txt` export of `n` lines-with-a-timestamp to `path`, streaming; return its size.

    Day-first 24-hour dates; about 5% of messages span several lines, 4% are `<Media omitted>`,
    1% deleted, 1% edited, 0.5% system lines (kept in `n`, as the Discord export keeps its joins).
    """
    rng = random.Random(seed)
    ts = datetime(2021, 1, 1)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("01/01/2021, 00:00 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n")
        for _ in range(n - 1):
            ts += timedelta(seconds=rng.expovariate(1 / 40) if rng.random() < 0.97 else rng.uniform(3600, 86400))
            stamp = f"{ts.day:02d}/{ts.month:02d}/{ts.year}, {ts.hour:02d}:{ts.minute:02d} - "
            author = rng.choices(_WA_AUTHORS, _WA_WEIGHTS)[0]
            r = rng.random()
            if r < 0.005:
                f.write(f"{stamp}{author} added {rng.choice(_WA_AUTHORS)}\n")
                continue
            if r < 0.045:
                body = "<Media omitted>"
            elif r < 0.055:
                body = "This message was deleted"
            else:
                body = _text(rng)
                if rng.random() < 0.05:
                    body += "".join("\n" + _text(rng) for _ in range(rng.randint(1, 4)))
                if rng.random() < 0.01:
                    body += " <This message was edited>"
            f.write(f"{stamp}{author}: {body}\n")
    return path.stat().st_size


_TG_PEOPLE = [("user100000001", "Mika"), ("user100000002", "Ren"), ("user100000003", "Juno"), ("user100000004", "Tomo"), ("user100000005", "Dex"), ("user100000006", "Nori")]
_TG_WEIGHTS = [30, 25, 18, 12, 9, 6]
# (type, name, id, share of the messages); the last is a chat the account left.
_TG_CHATS = [
    ("personal_chat", "Ren", 100000002, 0.40),
    ("private_supergroup", "stream friends", 1700000001, 0.30),
    ("private_group", "family", 4500000001, 0.15),
    ("saved_messages", None, 100000001, 0.05),
    ("private_supergroup", "old server", 1700000002, 0.10),
]
_TG_NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"
_TG_FILES = [  # (media_type or None, file, extra fields)
    ("sticker", "stickers/sticker.webp", {"sticker_emoji": "😂", "width": 512, "height": 512}),
    ("animation", _TG_NOT_INCLUDED, {"mime_type": "video/mp4", "width": 320, "height": 240}),
    ("voice_message", "voice_messages/audio_1@01-01-2021_00-00-00.ogg", {"mime_type": "audio/ogg", "duration_seconds": 4}),
    ("video_message", _TG_NOT_INCLUDED, {"mime_type": "video/mp4", "duration_seconds": 9}),
    (None, "files/notes.pdf", {"mime_type": "application/pdf"}),
]


def _tg_message(rng: random.Random, mid: int, ts: datetime, recent: list[int]) -> dict:
    uid, name = rng.choices(_TG_PEOPLE, _TG_WEIGHTS)[0]
    date = ts.strftime("%Y-%m-%dT%H:%M:%S")
    m = {"id": mid, "type": "message", "date": date, "date_unixtime": str(int(ts.timestamp()))}
    r = rng.random()
    if r < 0.01:
        action = rng.choice(["pin_message", "phone_call", "invite_members"])
        m.update(type="service", actor=name, actor_id=uid, action=action, text="", text_entities=[])
        if action == "pin_message" and recent:
            m["message_id"] = rng.choice(recent)
        return m
    if rng.random() < 0.03:
        edited = ts + timedelta(seconds=rng.randint(5, 300))
        m["edited"], m["edited_unixtime"] = edited.strftime("%Y-%m-%dT%H:%M:%S"), str(int(edited.timestamp()))
    m["from"], m["from_id"] = name, uid
    if recent and rng.random() < 0.15:
        m["reply_to_message_id"] = rng.choice(recent)
    if rng.random() < 0.02:
        m["forwarded_from"] = "some channel"
    text = _text(rng)
    if rng.random() < 0.15:  # text as a list of strings and entities
        entity = rng.choice([
            {"type": "bold", "text": rng.choice(_WORDS)},
            {"type": "link", "text": f"https://www.youtube.com/watch?v={rng.getrandbits(40):011x}"},
            {"type": "mention", "text": f"@{rng.choice(_TG_PEOPLE)[1].lower()}"},
            {"type": "text_link", "text": "this", "href": f"https://example.com/{rng.getrandbits(24):x}"},
        ])
        m["text"] = [text + " ", entity]
        m["text_entities"] = [{"type": "plain", "text": text + " "}, entity]
    else:
        m["text"], m["text_entities"] = text, [{"type": "plain", "text": text}]
    r = rng.random()
    if r < 0.04:
        m["photo"] = rng.choice([_TG_NOT_INCLUDED, f"photos/photo_{mid}@01-01-2021_00-00-00.jpg"])
        m["width"], m["height"] = 1280, 960
    elif r < 0.06:
        media_type, file, extra = rng.choice(_TG_FILES)
        m["file"] = file
        m.update({"media_type": media_type} if media_type else {}, **extra)
    if r < 0.06 and rng.random() < 0.6:
        m["text"], m["text_entities"] = "", []
    if rng.random() < 0.08:
        m["reactions"] = [{"type": "emoji", "count": rng.randint(1, 4), "emoji": "👍", "recent": [{"from": name, "from_id": uid, "date": date}]}]
    return m


def generate_telegram_export(path: Path, n: int, seed: int = 1) -> int:
    """Write a Telegram Desktop full-account `result.json` of `n` entries over five chats to `path`, streaming; return its size.

    One-space indentation like Telegram Desktop; chats in `chats.list` and one in `left_chats.list`.
    About 1% service entries (kept in `n`), 15% replies, 15% text as entity lists, 6% media
    (often "File not included"), 3% edits, 8% reactions, 2% forwards.
    """
    rng = random.Random(seed)
    sizes = [int(n * share) for *_, share in _TG_CHATS]
    sizes[0] += n - sum(sizes)
    ts = datetime(2021, 1, 1, tzinfo=timezone.utc)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('{\n "about": "Here is the data you requested.",\n "personal_information": {\n  "user_id": 100000001,\n  "first_name": "Mika"\n },\n')
        for i, ((kind, name, chat_id, _), size) in enumerate(zip(_TG_CHATS, sizes)):
            if i == 0 or i == len(_TG_CHATS) - 1:
                section = "chats" if i == 0 else "left_chats"
                f.write(("" if i == 0 else "\n  ]\n },\n") + f' "{section}": {{\n  "about": "chats",\n  "list": [\n   ')
            else:
                f.write(",\n   ")
            head = ({"name": name} if name else {}) | {"type": kind, "id": chat_id}
            f.write("{\n" + "".join(f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n" for k, v in head.items()) + '    "messages": [')
            recent: list[int] = []
            for mid in range(1, size + 1):
                ts += timedelta(seconds=rng.expovariate(1 / 40))
                message = _tg_message(rng, mid, ts, recent)
                recent.append(mid)
                if len(recent) > 50:
                    del recent[:25]
                f.write(("\n     " if mid == 1 else ",\n     ") + json.dumps(message, indent=1, ensure_ascii=False).replace("\n", "\n     "))
            f.write("\n    ]\n   }")
        f.write("\n  ]\n }\n}\n")
    return path.stat().st_size


_TW_EMOTES = ["LUL", "Kappa", "PogChamp", "KEKW", "monkaS", "catJAM", "OMEGALUL", "Sadge", "peepoHappy", "5Head"]


def _tw_comment(rng: random.Random, i: int, t_s: float, created: datetime) -> dict:
    """One comment as TwitchDownloader writes it (v5 shape): about 30% with emote fragments, 0.5% cheers, 0.3% resubs."""
    user = rng.randrange(20_000)
    words = rng.choices(_WORDS, k=1 + int(rng.expovariate(1 / 6)))
    fragments, ranges, at = [], [], 0
    for _ in range(rng.choice([0, 0, 1, 2]) if rng.random() < 0.3 else 0):
        words.insert(rng.randrange(len(words) + 1), rng.choice(_TW_EMOTES))
    for k, w in enumerate(words):
        token = w + (" " if k < len(words) - 1 else "")
        if w in _TW_EMOTES:
            fragments.append({"text": w, "emoticon": {"emoticon_id": str(_TW_EMOTES.index(w) + 25)}})
            ranges.append({"_id": str(_TW_EMOTES.index(w) + 25), "begin": at, "end": at + len(w) - 1})
            if token != w:
                fragments.append({"text": " ", "emoticon": None})
        elif fragments and fragments[-1]["emoticon"] is None:
            fragments[-1]["text"] += token
        else:
            fragments.append({"text": token, "emoticon": None})
        at += len(token)
    r = rng.random()
    bits = rng.choice([100, 500, 1000]) if r < 0.005 else 0
    notice = "resub" if 0.005 <= r < 0.008 else None
    body = ("Cheer%d " % bits if bits else "") + "".join(f["text"] for f in fragments)
    return {
        "_id": f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-a{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}",
        "created_at": created.isoformat(timespec="microseconds").replace("+00:00", "Z"), "channel_id": "900000001",
        "content_type": "video", "content_id": "2100000001", "content_offset_seconds": round(t_s, 3),
        "commenter": {"display_name": f"Viewer{user}", "_id": str(100_000_000 + user), "name": f"viewer{user}", "bio": None,
                      "created_at": "2019-05-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
                      "logo": f"https://static-cdn.jtvnw.net/jtv_user_pictures/{user:x}-profile_image-300x300.png"},
        "message": {"body": body, "bits_spent": bits, "fragments": fragments,
                    "user_badges": [{"_id": "subscriber", "version": "12"}] if user % 3 == 0 else [],
                    "user_color": "#%06X" % (user * 2654435761 % 0xFFFFFF), "user_notice_params": {"msg_id": notice}, "emoticons": ranges},
    }


def generate_twitch_export(path: Path, n: int, seed: int = 1, embedded_mib: int = 64) -> int:
    """Write a TwitchDownloader chat JSON of `n` comments to `path`, streaming; return its size.

    Compact JSON as TwitchDownloader writes it: FileInfo, streamer, video, the comments, then an
    `embeddedData` of `embedded_mib` MiB of base64 emote images (the import must skip it unread).
    """
    rng = random.Random(seed)
    start = datetime(2024, 3, 1, 20, 0, tzinfo=timezone.utc)
    length = max(3600.0, n * 0.04)
    head = {"FileInfo": {"Version": {"Major": 1, "Minor": 4, "Patch": 0}, "CreatedAt": "2024-03-02T00:00:00Z", "UpdatedAt": "0001-01-01T00:00:00"},
            "streamer": {"name": "mika", "id": 900000001},
            "video": {"title": "just chatting: cozy chat stream", "description": None, "id": "2100000001", "created_at": _iso(start),
                      "start": 0, "end": length, "length": length, "viewCount": 1234, "game": "Just Chatting", "chapters": []}}
    image = base64.b64encode(rng.randbytes(24 * 1024)).decode()
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(head, ensure_ascii=False)[:-1] + ',"comments":[')
        for i in range(n):
            t_s = length * i / n
            f.write(("," if i else "") + json.dumps(_tw_comment(rng, i, t_s, start + timedelta(seconds=t_s)), ensure_ascii=False))
        f.write('],"embeddedData":{"thirdParty":[')
        for k in range(embedded_mib * 1024 // 32):
            f.write(("," if k else "") + json.dumps({"id": f"7tv{k}", "imageScale": 2, "data": image, "name": f"emote{k}", "url": None, "width": 56, "height": 56}))
        f.write('],"firstParty":[],"twitchBadges":[],"twitchBits":[]}}')
    return path.stat().st_size


# Per format: the export writer, the file suffix, the table's title.
FORMATS = {
    "discord": (generate_export, "json", "DiscordChatExporter JSON import"),
    "whatsapp": (generate_whatsapp_export, "txt", "WhatsApp .txt import"),
    "telegram": (generate_telegram_export, "json", "Telegram result.json import (full-account export)"),
    "twitch": (generate_twitch_export, "json", "TwitchDownloader chat JSON import (one VOD's chat)"),
}


def _child(fmt: str, export: str, warehouse: str) -> None:
    """Child process: import one file, print a JSON line with the result and timings."""
    import resource

    from chatclone.importer import import_file
    from chatclone.warehouse import Warehouse

    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with Warehouse(warehouse) as wh:
        t0 = time.perf_counter()
        if fmt == "twitch":
            result = _import_twitch(wh, Path(export), Path(warehouse).parent / "quarantine")
        else:
            result = import_file(wh, fmt, Path(export), Path(warehouse).parent / "quarantine").as_dict()
        elapsed = time.perf_counter() - t0
    print(json.dumps({"elapsed_s": elapsed, "baseline_rss_kib": baseline_kib, "result": result}))


def _import_twitch(wh, export: Path, quarantine: Path) -> dict:
    """Import a Twitch VOD's chat file; the result in import_file's terms (status ok, rows_added)."""
    from chatclone.twitch_import import import_chat_file

    r = import_chat_file(wh, export, quarantine)
    return {"status": "ok" if r["status"] == "loaded" else r["status"], "rows_read": r["chat"], "rows_added": r["chat"],
            "skipped": r["skipped"], "error": r["error"]}


def run_import(export: Path, workdir: Path, fmt: str = "discord") -> dict:
    """Import `export` (of format `fmt`) into a fresh warehouse in a child process; its timings and peak RSS (os.wait4)."""
    warehouse = workdir / f"{export.stem}.duckdb"
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", fmt, str(export), str(warehouse)], stdout=subprocess.PIPE, text=True)
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
    parser.add_argument("--format", choices=FORMATS, default="discord", help="the export to generate and import (default discord)")
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "EXPORT", "WAREHOUSE"), help=argparse.SUPPRESS)
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
            generate, suffix, _ = FORMATS[args.format]
            export = workdir / f"{args.format}_{n}.{suffix}"
            t0 = time.perf_counter()
            size = generate(export, n, seed=args.seed)
            console.print(f"generated {export.name}: {n:,} messages, {size / 2**20:,.1f} MiB in {time.perf_counter() - t0:.1f} s")
            report = run_import(export, workdir, args.format)
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

    importer = "chatclone.twitch_import.import_chat_file" if args.format == "twitch" else "chatclone.importer.import_file"
    table = Table(title=f"{FORMATS[args.format][2]} ({importer}, child process)")
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
