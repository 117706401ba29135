"""Facebook Messenger exports: a thread folder of `message_N.json` (or one such file).

Handles both the classic "Download your information" JSON (snake_case, text written as
latin-1 mojibake of UTF-8) and the newer end-to-end-encrypted chat export (camelCase).
Unsent messages, calls, joins/leaves and "X reacted ... to your message" notices are
counted as skipped; photos, videos, gifs, audio, files, stickers and shares become
attachment placeholders; reactions are kept as a count on the message they react to.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from chatclone.errors import SourceError
from chatclone.records import ChatMessage, unique_id
from chatclone.sources.jsonstream import RECORD_ERRORS, first_item, from_epoch_ms, require, stream_items

SOURCE = "messenger"
SYSTEM_TYPES = frozenset({"Call", "Subscribe", "Unsubscribe", "Payment", "Plan", "call", "subscribe", "unsubscribe"})
_MEDIA_KEYS = {"photos": "image", "gifs": "gif", "videos": "video", "audio_files": "audio", "files": "file"}
_NOTICE = re.compile(
    r"^(.{1,80} reacted .{1,16} to your message|.{1,80} (sent|shared) an? (attachment|photo|video|link|GIF|sticker|voice message)\.?"
    r"|You missed a call from .*|.{1,80} (named the group|changed the group photo|set (the|your|his|her|their) nickname|left the group|added .* to the group).*)$"
)
_NUMBERED = re.compile(r"^message_\d+\.json$")


def fix_mojibake(text: str) -> str:
    """Undo Messenger's export bug: UTF-8 bytes written as latin-1 code points (`JosÃ©` -> `José`).

    Text that is not such mojibake (plain ASCII, or already proper Unicode) is returned unchanged.
    """
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _thread(path: Path) -> tuple[str, str]:
    """(conversation_id, conversation_name) of the thread a file belongs to."""
    thread_path = first_item(path, "thread_path")
    title = first_item(path, "title") or first_item(path, "threadName")
    if isinstance(thread_path, str) and thread_path:
        conversation_id = thread_path
    elif _NUMBERED.match(path.name):
        conversation_id = path.parent.name
    else:
        conversation_id = path.stem
    return conversation_id, fix_mojibake(title) if isinstance(title, str) else conversation_id


def _message_id(conversation_id: str, ts_ms: object, sender: str, text: str, media: tuple[str, ...]) -> str:
    # Messenger exports carry no message ids: the natural key is what the message is.
    key = "\x1f".join([conversation_id, str(ts_ms), sender, text, *media])
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _attachments(m: dict) -> tuple[list[str], list[str]]:
    """(placeholder kinds, media uris) of a message in either export format."""
    kinds, uris = [], []
    for key, kind in _MEDIA_KEYS.items():
        for item in m.get(key) or ():
            kinds.append(kind)
            uris.append(str(require(item, dict, key).get("uri", "")))
    for item in m.get("media") or ():  # E2EE export: one list, kind from the file name
        uri = str(require(item, dict, "media").get("uri", ""))
        kinds.append("image" if re.search(r"\.(jpe?g|png|webp|heic)$", uri, re.I) else "video" if re.search(r"\.(mp4|mov)$", uri, re.I) else "file")
        uris.append(uri)
    if m.get("sticker"):
        kinds.append("sticker")
        uris.append(str(require(m["sticker"], dict, "sticker").get("uri", "")))
    return kinds, uris


def _message(m: dict, conversation_id: str, conversation_name: str, skipped: Counter) -> ChatMessage | None:
    """One export message as a ChatMessage, or None (counted in `skipped`) when it is not speech."""
    if m.get("is_unsent") or m.get("isUnsent"):
        skipped["unsent"] += 1
        return None
    if m.get("type") in SYSTEM_TYPES:
        skipped[f"system:{m['type']}"] += 1
        return None
    sender = fix_mojibake(require(m.get("sender_name", m.get("senderName")), str, "sender_name"))
    ts_ms = m.get("timestamp_ms", m.get("timestamp"))
    require(ts_ms, (int, float), "timestamp_ms")
    text = fix_mojibake(require(m.get("content", m.get("text")) or "", str, "content"))
    kinds, uris = _attachments(m)
    share = m.get("share")
    if isinstance(share, dict) and share.get("link"):
        link = str(share["link"])
        if _NOTICE.match(text):
            text = ""
        if link not in text:
            text = f"{text} {link}".strip()
    elif _NOTICE.match(text):
        if not kinds:
            skipped["notice"] += 1
            return None
        text = ""
    if not text.strip() and not kinds:
        skipped["empty"] += 1
        return None
    return ChatMessage(
        source=SOURCE,
        conversation_id=conversation_id,
        message_id=_message_id(conversation_id, ts_ms, sender, text, tuple(uris)),
        ts=from_epoch_ms(ts_ms),
        author_id=sender,
        author_name=sender,
        text=text,
        conversation_name=conversation_name,
        attachments=tuple(kinds),
        reactions=len(m.get("reactions") or ()),
    )


def parse(path: Path, skipped: Counter) -> Iterator[ChatMessage]:
    """Yield the speech messages of one Messenger `message_N.json`, streaming.

    Messenger has no author ids, so the sender's name is the author id. Raises SourceError
    (file and problem) for anything that is not a readable Messenger export.
    """
    conversation_id, conversation_name = _thread(path)
    seen_any = False
    repeats: dict = {}
    for index, raw in enumerate(stream_items(path, "messages.item")):
        seen_any = True
        if index == 0 and isinstance(raw, dict) and "sender_name" not in raw and "senderName" not in raw:
            raise SourceError(path, "not a Messenger export (its messages have no sender_name)")
        try:
            message = _message(require(raw, dict, "message"), conversation_id, conversation_name, skipped)
        except RECORD_ERRORS as e:
            raise SourceError(path, f"message {index}: malformed ({type(e).__name__}: {e})") from None
        if message is not None:
            yield unique_id(message, repeats)
    if not seen_any and first_item(path, "participants") is None:
        raise SourceError(path, "not a Messenger export (no 'messages' list)")
