"""Telegram Desktop JSON exports (`result.json`): one chat, or a whole account's chats.

A single-chat export is `{name, type, id, messages: [...]}`; a full-account export holds such
chats under `chats.list` and `left_chats.list`. The file is read as one stream of ijson events,
and each chat's `messages` array is built into records one message at a time, so a huge chat
is never held in memory.

Only `type: "message"` entries are speech; `service` entries (joins, calls, pins, ...) are
counted as skipped by action. Photos, stickers, gifs, voice and video messages and files become
attachment placeholders (also where the export left the file out). Forwarded messages are kept
as the forwarder's, with nothing to mark them: the export names the original sender, but what
someone chooses to forward is still part of how they chat.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import ijson

from chatclone.errors import SourceError
from chatclone.records import ChatMessage
from chatclone.sources.jsonstream import RECORD_ERRORS, json_events, require, stream_items, utc_naive

SOURCE = "telegram"
DELETED_ACCOUNT = "Deleted Account"
# Where chat objects sit: the whole file (one chat), or items of a full export's lists.
_CHATS = frozenset({"", "chats.list.item", "left_chats.list.item"})
_HEAD_FIELDS = {f"{chat}.{key}".lstrip("."): key for chat in _CHATS for key in ("name", "type", "id")}
_MESSAGE_ARRAYS = frozenset(f"{chat}.messages".lstrip(".") for chat in _CHATS)
_CHAT_LISTS = frozenset({"chats.list", "left_chats.list"})
_SCALARS = frozenset({"string", "number", "boolean", "null"})
_FILE_KINDS = {
    "sticker": "sticker",
    "animation": "gif",
    "voice_message": "audio",
    "audio_file": "audio",
    "video_file": "video",
    "video_message": "video",
}
_EPOCH = datetime(1970, 1, 1)
_PEER_PREFIX = re.compile(r"^(user|chat|channel)")
_INT32_MAX = 2**31 - 1
# ijson's own item builder (public on every backend), fed events by hand: one Python step per
# event instead of the two that ijson.items() over a generator of events costs (a quarter of the parse).
_items_basecoro = ijson.get_backend(ijson.backend).items_basecoro


class _Chat:
    """A chat object of the file: its place among them and the head fields (name, type, id) read so far."""

    __slots__ = ("ordinal", "head")

    def __init__(self, ordinal: int) -> None:
        self.ordinal = ordinal
        self.head: dict[str, object] = {}


def _walk(events: Iterator[tuple[str, str, object]]) -> Iterator[tuple[str, _Chat | None, str]]:
    """The steps a parse needs from ijson events: ("messages", chat, prefix) where a chat's
    `messages` array starts, ("end", chat, "") where a chat object ends, and ("list", None, "")
    where a full export's chat list starts.

    The consumer may read a messages array's events from `events` itself before resuming this.
    """
    open_chats: list[_Chat] = []
    ordinal = 0
    for prefix, event, value in events:
        if prefix in _CHATS:
            if event == "start_map":
                open_chats.append(_Chat(ordinal))
                ordinal += 1
            elif event == "end_map":
                yield "end", open_chats.pop(), ""
        elif prefix in _HEAD_FIELDS:
            if event in _SCALARS:
                open_chats[-1].head[_HEAD_FIELDS[prefix]] = value
        elif event == "start_array":
            if prefix in _MESSAGE_ARRAYS:
                yield "messages", open_chats[-1], prefix
            elif prefix in _CHAT_LISTS:
                yield "list", None, ""


def _array_items(events: Iterator[tuple[str, str, object]], array: str) -> Iterator[object]:
    """The items of the array at prefix `array`, each built whole, reading `events` up to the array's end."""
    built: list = ijson.sendable_list()
    send = _items_basecoro(built, f"{array}.item").send
    for event in events:
        if event[1] == "end_array" and event[0] == array:
            return
        send(event)
        if built:
            yield from built
            del built[:]


def _heads_in_order(path: Path) -> Iterator[_Chat]:
    """Each chat of the file as its object ends, with every head field it has (a second reader)."""
    with json_events(path) as events:
        for step, chat, _ in _walk(events):
            if step == "end":
                yield chat


class _Heads:
    """The head fields of chats that name themselves only after their messages, read ahead.

    Telegram Desktop writes a chat's name, type and id before its messages. A file that puts them
    after (a re-dump with sorted keys, a hand-made file) has a second reader go on to the end of
    that chat; it only ever moves forward, so the file is read at most twice in all, and holds
    the heads of chats it passed, not their messages.
    """

    def __init__(self, path: Path) -> None:
        self._ahead = _heads_in_order(path)
        self._passed: dict[int, dict[str, object]] = {}

    def of(self, chat: _Chat) -> dict[str, object]:
        """The head fields `chat` has anywhere in the file."""
        while chat.ordinal not in self._passed:
            done = next(self._ahead, None)
            if done is None:  # not reached: every chat of a valid file ends, and an invalid one raises
                return chat.head
            self._passed[done.ordinal] = done.head
        return self._passed.pop(chat.ordinal)

    def close(self) -> None:
        """Stop reading ahead (closes the second reader's file)."""
        self._ahead.close()


def _conversation(head: dict[str, object], path: Path, ordinal: int) -> tuple[str, str, str]:
    """(conversation_id, conversation_name, message id prefix) of a chat, from its head fields.

    Ids are "telegram:<chat id>". A chat without an id is keyed by its name, or by its folder,
    file and place in the file, so that importing the same file again gives the same ids.
    """
    chat_id, name, kind = head.get("id"), head.get("name"), head.get("type")
    name = name if isinstance(name, str) and name else None
    kind = kind if isinstance(kind, str) and kind else None
    if isinstance(chat_id, (int, str)) and not isinstance(chat_id, bool) and str(chat_id):
        key = str(chat_id)
    elif name:
        key = f"name:{name}"
    else:
        key = f"{path.parent.name}/{path.stem}" + (f"#{ordinal}" if ordinal else "")
    return f"{SOURCE}:{key}", name or kind or key, key


def _ts(unixtime: object, written: object, what: str) -> datetime:
    """`<what>_unixtime` (seconds, UTC) when present, else `<what>` as written (ISO, the exporter's local time)."""
    if type(unixtime) is str:
        return _EPOCH + timedelta(0, int(unixtime))
    if unixtime is not None:
        return _EPOCH + timedelta(0, require(unixtime, int, f"{what}_unixtime"))
    return utc_naive(datetime.fromisoformat(require(written, str, what)))


def _joined(parts: object, mentions: list[str]) -> str:
    """The plain text of a `text` given as a list of strings and entity objects.

    A text_link keeps its target in brackets where the shown text is not the URL itself;
    mentions (`@username`, or a name linked to a user) are added to `mentions`.
    """
    out = []
    for part in require(parts, list, "text"):
        if type(part) is str:
            out.append(part)
            continue
        entity = require(part, dict, "text entity")
        text = require(entity.get("text", ""), str, "text entity text")
        kind = entity.get("type")
        if kind == "text_link":
            href = entity.get("href")
            if isinstance(href, str) and href and href != text.strip():
                shown = text.rstrip()
                text = f"{shown} ({href}){text[len(shown):]}"
        elif kind == "mention":
            mentions.append(text.lstrip("@"))
        elif kind == "mention_name":
            mentions.append(text)
        out.append(text)
    return "".join(out)


def _attachments(photo: object, file: object, media_type: object) -> tuple[str, ...]:
    """Placeholder kinds: image for a photo, the media type's kind (else file) for a file."""
    kinds = ("image",) if photo is not None else ()
    if file is not None or media_type is not None:
        kinds += (_FILE_KINDS.get(media_type, "file") if isinstance(media_type, str) else "file",)
    return kinds


def _reactions(reactions: object) -> int:
    total = sum(require(require(r, dict, "reaction").get("count", 1), int, "reaction count") for r in require(reactions, list, "reactions"))
    return max(0, min(total, _INT32_MAX))


def _message(m: dict, index: int, conversation: tuple[str, str, str], skipped: Counter) -> ChatMessage | None:
    """One export entry as a ChatMessage, or None (counted in `skipped`) when it is not speech.

    Well-formed fields are taken as they are; `require` words the error for any other.
    """
    kind = m.get("type", "message")
    if kind != "message":
        if kind == "service":
            action = m.get("action")
            skipped[f"service:{action if isinstance(action, str) else 'unknown'}"] += 1
        else:
            skipped[f"type:{require(kind, str, 'type')}"] += 1
        return None
    conversation_id, conversation_name, key = conversation
    mentions: list[str] = []
    text = m["text"] if "text" in m else m.get("text_entities") or ""
    if type(text) is not str:
        text = _joined(text, mentions)
    photo, file, media_type = m.get("photo"), m.get("file"), m.get("media_type")
    attachments = _attachments(photo, file, media_type) if photo is not None or file is not None or media_type is not None else ()
    if not attachments and not text.strip():
        skipped["empty"] += 1
        return None
    author = m.get("from")
    if type(author) is not str or not author:
        author = require(author, (str, type(None)), "from") or DELETED_ACCOUNT
    author_id = m.get("from_id")
    if type(author_id) is not str:
        author_id = author if author_id is None else str(require(author_id, (str, int), "from_id"))
    message_id = m.get("id")
    if type(message_id) is not int:
        message_id = f"#{index}" if message_id is None else require(message_id, (int, str), "id")
    reply_to = m.get("reply_to_message_id")
    if reply_to is not None:
        if type(reply_to) is not int:
            require(reply_to, (int, str), "reply_to_message_id")
        peer = m.get("reply_to_peer_id")
        # A reply to a message of another chat (reply_to_peer_id "user1"/"channel1"/...) has no row here.
        reply_to = f"{key}:{reply_to}" if peer is None or _PEER_PREFIX.sub("", str(peer)) == key else None
    edited_unixtime, edited = m.get("edited_unixtime"), m.get("edited")
    reactions = m.get("reactions")
    return ChatMessage(
        SOURCE,
        conversation_id,
        f"{key}:{message_id}",
        _ts(m.get("date_unixtime"), m.get("date"), "date"),
        author_id,
        author,
        text,
        conversation_name,
        reply_to,
        False,
        _ts(edited_unixtime, edited, "edited") if edited_unixtime is not None or edited is not None else None,
        attachments,
        tuple(mentions),
        _reactions(reactions) if reactions else 0,
    )


# _message builds ChatMessage positionally, in this field order.
assert list(ChatMessage._fields) == [
    "source", "conversation_id", "message_id", "ts", "author_id", "author_name", "text",
    "conversation_name", "reply_to", "is_bot", "edited_ts", "attachments", "mentions", "reactions",
]


def _records(path: Path, items: Iterator[object], conversation: tuple[str, str, str], skipped: Counter) -> Iterator[ChatMessage]:
    """The speech records of one chat's message items; SourceError if the first has no date (another app's export)."""
    for index, raw in enumerate(items):
        if index == 0 and isinstance(raw, dict) and "date" not in raw and "date_unixtime" not in raw:
            raise SourceError(path, "not a Telegram export (its messages have no date)")
        try:
            message = _message(raw if type(raw) is dict else require(raw, dict, "message"), index, conversation, skipped)
        except RECORD_ERRORS as e:
            raise SourceError(path, f"message {index}: malformed ({type(e).__name__}: {e}), in chat {conversation[1]!r}") from None
        if message is not None:
            yield message


def parse(path: Path, skipped: Counter) -> Iterator[ChatMessage]:
    """Yield the speech messages of a Telegram Desktop `result.json` (one chat or a full account), streaming.

    Conversation ids are "telegram:<chat id>" and message ids "<chat id>:<message id>"; entries
    that are not speech are counted in `skipped`. A file with a top-level `messages` list is
    one chat. Raises SourceError (file and problem) for anything that is not a readable
    Telegram export.
    """
    heads: _Heads | None = None
    seen_chats = False
    try:
        with json_events(path) as events:
            for step, chat, array in _walk(events):
                if step == "end":
                    continue
                seen_chats = True
                if step == "list":
                    continue
                head = chat.head
                if "id" not in head or "name" not in head and "type" not in head:
                    heads = heads or _Heads(path)
                    head = heads.of(chat)
                conversation = _conversation(head, path, chat.ordinal)
                if array == "messages":
                    # One chat is the whole file: ijson's C reader alone builds its messages, twice
                    # as fast as feeding events by hand, and reads the rest of the file for errors.
                    yield from _records(path, stream_items(path, "messages.item"), conversation, skipped)
                    return
                yield from _records(path, _array_items(events, array), conversation, skipped)
    finally:
        if heads is not None:
            heads.close()
    if not seen_chats:
        raise SourceError(path, "not a Telegram export (no 'messages' list and no 'chats' list)")
