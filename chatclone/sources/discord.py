"""DiscordChatExporter JSON exports (a channel, DM, group or thread per file).

Only speech is loaded: message types `Default` and `Reply`. Joins, pins, calls, renames,
thread-created notices and the like are counted as skipped, not loaded.

Speed: DiscordChatExporter writes indented JSON, so the `messages` array can be cut at item
boundaries and parsed a chunk at a time with orjson, and well-formed messages converted by a
lean `_fast_message`. Both fast paths hand anything they do not recognise to the reference code
(`stream_items` with ijson, `_message`), so what `parse` yields, counts and raises is the same.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path

import orjson

from chatclone.errors import SourceError
from chatclone.records import ChatMessage
from chatclone.sources.jsonstream import RECORD_ERRORS, first_item, open_json, require, stream_items, utc_naive

SOURCE = "discord"
SPEECH_TYPES = frozenset({"Default", "Reply"})
_IMAGE = frozenset({"png", "jpg", "jpeg", "webp", "bmp", "heic", "avif"})
_VIDEO = frozenset({"mp4", "mov", "webm", "mkv", "avi", "m4v"})
_AUDIO = frozenset({"mp3", "ogg", "wav", "m4a", "flac", "opus", "aac"})


def attachment_kind(file_name: str) -> str:
    """Placeholder kind of an attachment from its file name: image, gif, video, audio or file."""
    ext = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if ext == "gif":
        return "gif"
    if ext in _IMAGE:
        return "image"
    if ext in _VIDEO:
        return "video"
    if ext in _AUDIO:
        return "audio"
    return "file"


def _channel(path: Path) -> tuple[str, str]:
    channel = first_item(path, "channel")
    if not isinstance(channel, dict) or "id" not in channel:
        raise SourceError(path, "not a DiscordChatExporter JSON export (no 'channel' object with an 'id')")
    guild = first_item(path, "guild")
    guild_name = guild.get("name") if isinstance(guild, dict) else None
    channel_id, name = channel["id"], channel.get("name") or channel["id"]
    if not isinstance(channel_id, (str, int)) or not isinstance(name, (str, int)):
        raise SourceError(path, "channel 'id' and 'name' must be strings")
    name = str(name)
    if isinstance(guild_name, str) and guild_name and guild_name != "Direct Messages":
        name = f"{guild_name} #{name}"
    return str(channel_id), name


def _message(m: dict, channel_id: str, channel_name: str) -> ChatMessage | None:
    """A speech message as a ChatMessage; None when it has no text and no attachment."""
    author = require(m["author"], dict, "author")
    text = require(m.get("content") or "", str, "content")
    attachments = tuple(attachment_kind(str(a.get("fileName") or a.get("url") or "")) for a in m.get("attachments") or ())
    attachments += ("sticker",) * len(m.get("stickers") or ())
    if not text.strip() and not attachments:
        return None
    reference = m.get("reference") or {}
    edited = m.get("timestampEdited")
    return ChatMessage(
        source=SOURCE,
        conversation_id=channel_id,
        message_id=str(require(m["id"], str, "id")),
        ts=utc_naive(datetime.fromisoformat(m["timestamp"])),
        author_id=str(author["id"]),
        author_name=str(author.get("nickname") or author.get("name") or author["id"]),
        text=text,
        conversation_name=channel_name,
        reply_to=str(reference["messageId"]) if reference.get("messageId") else None,
        is_bot=bool(author.get("isBot", False)),
        edited_ts=utc_naive(datetime.fromisoformat(edited)) if edited else None,
        attachments=attachments,
        mentions=tuple(str(u.get("nickname") or u.get("name") or "") for u in m.get("mentions") or ()),
        reactions=sum(int(r.get("count", 1)) for r in m.get("reactions") or ()),
    )


# _fast_message builds ChatMessage positionally, in this field order.
assert list(ChatMessage._fields) == [
    "source", "conversation_id", "message_id", "ts", "author_id", "author_name", "text",
    "conversation_name", "reply_to", "is_bot", "edited_ts", "attachments", "mentions", "reactions",
]
_UTC = timezone.utc
_fromisoformat = datetime.fromisoformat
_combine = datetime.combine


class _Unusual(Exception):
    """A record or file the fast path leaves to the reference code."""


def _utc_naive_iso(value: str) -> datetime:
    """utc_naive(datetime.fromisoformat(value)), faster.

    No conversion for the common +00:00 (fromisoformat gives the timezone.utc singleton), and
    combine(date, time) drops the zone like replace(tzinfo=None) does, at a sixth of the cost.
    """
    dt = _fromisoformat(value)
    tz = dt.tzinfo
    if tz is None:
        return dt
    if tz is not _UTC:
        dt = dt.astimezone(_UTC)
    return _combine(dt.date(), dt.time())


def _fast_message(m: dict, channel_id: str, channel_name: str) -> ChatMessage | None:
    """What `_message` returns, for a message of ordinary shape; raises for anything else.

    The same expressions as `_message`, less the `require` checks: a field of an unexpected
    type raises (here or further down), and the caller then asks `_message`, which words the error.
    """
    author = m["author"]
    text = m.get("content") or ""
    if type(author) is not dict or type(text) is not str:
        raise _Unusual
    files = m.get("attachments")
    attachments = tuple([attachment_kind(str(a.get("fileName") or a.get("url") or "")) for a in files]) if files else ()
    stickers = m.get("stickers")
    if stickers:
        attachments += ("sticker",) * len(stickers)
    if not attachments and not text.strip():
        return None
    message_id = m["id"]
    if type(message_id) is not str:
        raise _Unusual
    reference = m.get("reference") or {}
    edited = m.get("timestampEdited")
    mentions = m.get("mentions")
    reactions = m.get("reactions")
    return ChatMessage(
        SOURCE,
        channel_id,
        message_id,
        _utc_naive_iso(m["timestamp"]),
        str(author["id"]),
        str(author.get("nickname") or author.get("name") or author["id"]),
        text,
        channel_name,
        str(reference["messageId"]) if reference.get("messageId") else None,
        bool(author.get("isBot", False)),
        _utc_naive_iso(edited) if edited else None,
        attachments,
        tuple([str(u.get("nickname") or u.get("name") or "") for u in mentions]) if mentions else (),
        sum([int(r.get("count", 1)) for r in reactions]) if reactions else 0,
    )


# --- the `messages` array, fast ---------------------------------------------------------------

_CHUNK_BYTES = 1 << 16  # small pieces: their dicts die young (big ones cost more in garbage collection)
_WS = b" \t\r\n"  # JSON whitespace (bytes.strip() would also take \f and \v, which orjson rejects)
_ARRAY_START = re.compile(rb'"messages"[ \t\r\n]*:[ \t\r\n]*\[[ \t\r]*\n(?P<indent>[ \t]+)\{')
# ijson (yajl) rejects integers outside the signed 64-bit range, which orjson reads. Such a number
# has 19+ digits after one of : , [ - or whitespace; a piece with such a run (perhaps only inside a
# string) goes to ijson. Digits after a quote or a slash (ids, URLs) are no number.
_NUMBER_MARKS = bytes.maketrans(b"123456789:,[- \t\r\n!", b"000000000!!!!!!!!?")
_LONG_NUMBER = b"!" + b"0" * 19


def _loads(piece: bytes) -> object:
    """orjson.loads, for a piece that ijson would read to the same value; else _Unusual."""
    if _LONG_NUMBER in piece.translate(_NUMBER_MARKS):
        raise _Unusual
    try:
        return orjson.loads(piece)
    except orjson.JSONDecodeError:
        raise _Unusual from None


def _object_members(text: bytes) -> dict:
    """The members of `{` + text (the rest of an object after one of its members), as a dict."""
    value = _loads(b"{" + text)
    if type(value) is not dict:
        raise _Unusual
    return value


def _fast_items(path: Path) -> Iterator[object]:
    """The items of the top-level `messages` array of an indented export, via orjson; _Unusual otherwise.

    An item ends at a `}` on a line of its own at the items' indentation; each chunk cut there
    must parse as a list of whole items, and the object around the array must be valid JSON,
    else _Unusual (possibly after some items were yielded).
    """
    with open_json(path) as f:
        buf = f.read(_CHUNK_BYTES)
        start = _ARRAY_START.search(buf)
        if start is None:
            raise _Unusual
        head = buf[: start.start()].strip(_WS)
        if head != b"{":
            if not (head.startswith(b"{") and head.endswith(b",")) or "messages" in _object_members(head[1:-1] + b"}"):
                raise _Unusual
        item_end = b"\n" + start["indent"] + b"}"
        pos, first = start.end() - 1, True  # pos: where the unparsed rest of the array starts
        while True:
            cut = buf.rfind(item_end, pos)
            if cut < 0:
                more = f.read(_CHUNK_BYTES)
                if not more:
                    break
                buf, pos = buf[pos:] + more, 0
                continue
            end = cut + len(item_end)
            piece = buf[pos:end].lstrip(_WS)
            if not first:
                if not piece.startswith(b","):
                    raise _Unusual
                piece = piece[1:].lstrip(_WS)
            items = _loads(b"[" + piece + b"]")
            if type(items) is not list:
                raise _Unusual
            yield from items
            pos, first = end, False
            if len(buf) - pos < _CHUNK_BYTES // 2:
                more = f.read(_CHUNK_BYTES)
                if more:
                    buf, pos = buf[pos:] + more, 0
        rest = buf[pos:].strip(_WS)
        if first or not rest.startswith(b"]"):
            raise _Unusual
        rest = rest[1:].strip(_WS)
        if rest != b"}":
            if not (rest.startswith(b",") and rest.endswith(b"}")) or "messages" in _object_members(rest[1:]):
                raise _Unusual


def _messages(path: Path) -> Iterator[object]:
    """The items of the export's `messages` array: exactly what stream_items(path, "messages.item") yields.

    Fast (orjson, in chunks) for the indented JSON DiscordChatExporter writes; for any other
    layout, or invalid JSON, ijson takes over from the first item not yet yielded, so the items
    and any error are ijson's.
    """
    done = 0
    fast = _fast_items(path)
    try:
        for item in fast:
            yield item
            done += 1
        return
    except _Unusual:
        pass
    finally:
        fast.close()
    yield from islice(stream_items(path, "messages.item"), done, None)


def parse(path: Path, skipped: Counter) -> Iterator[ChatMessage]:
    """Yield the speech messages of one DiscordChatExporter JSON file, streaming.

    Non-speech messages are counted in `skipped` by type. Raises SourceError (file and
    problem) for anything that is not a readable DiscordChatExporter export.
    """
    channel_id, channel_name = _channel(path)
    for index, raw in enumerate(_messages(path)):
        if type(raw) is dict:
            kind = raw.get("type", "Default")
            if type(kind) is str:
                if kind not in SPEECH_TYPES:
                    skipped[f"system:{kind}"] += 1
                    continue
                try:
                    message = _fast_message(raw, channel_id, channel_name)
                except Exception:  # an unusual record: _message below decides, and words any error
                    pass
                else:
                    if message is None:
                        skipped["empty"] += 1
                    else:
                        yield message
                    continue
        try:
            kind = require(raw, dict, "message").get("type", "Default")
            if kind not in SPEECH_TYPES:
                skipped[f"system:{kind}"] += 1
                continue
            message = _message(raw, channel_id, channel_name)
        except RECORD_ERRORS as e:
            raise SourceError(path, f"message {index}: malformed ({type(e).__name__}: {e})") from None
        if message is None:
            skipped["empty"] += 1
            continue
        yield message
