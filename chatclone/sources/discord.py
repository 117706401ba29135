"""DiscordChatExporter JSON exports (a channel, DM, group or thread per file).

Only speech is loaded: message types `Default` and `Reply`. Joins, pins, calls, renames,
thread-created notices and the like are counted as skipped, not loaded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from chatclone.errors import SourceError
from chatclone.records import ChatMessage
from chatclone.sources.jsonstream import RECORD_ERRORS, first_item, require, stream_items, utc_naive

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
    guild_name = guild.get("name", "") if isinstance(guild, dict) else ""
    name = str(channel.get("name") or channel["id"])
    if guild_name and guild_name != "Direct Messages":
        name = f"{guild_name} #{name}"
    return str(channel["id"]), name


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


def parse(path: Path, skipped: Counter) -> Iterator[ChatMessage]:
    """Yield the speech messages of one DiscordChatExporter JSON file, streaming.

    Non-speech messages are counted in `skipped` by type. Raises SourceError (file and
    problem) for anything that is not a readable DiscordChatExporter export.
    """
    channel_id, channel_name = _channel(path)
    for index, raw in enumerate(stream_items(path, "messages.item")):
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
