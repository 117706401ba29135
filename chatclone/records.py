"""Typed records that parsers yield and the warehouse loads."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import pyarrow as pa


class ChatMessage(NamedTuple):
    """One message from a chat export, as the `messages` table holds it.

    `ts` is naive UTC where the export says the zone, else as written.
    `attachments` holds placeholder kinds (image, video, audio, file, sticker, gif, link).
    A NamedTuple, not a frozen dataclass: as immutable, five times cheaper to build, and a
    batch transposes into columns with one zip(*batch) — this is the import's hot path.
    """

    source: str
    conversation_id: str
    message_id: str
    ts: datetime
    author_id: str
    author_name: str
    text: str
    conversation_name: str = ""
    reply_to: str | None = None
    is_bot: bool = False
    edited_ts: datetime | None = None
    attachments: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    reactions: int = 0


MESSAGE_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("conversation_id", pa.string()),
        ("message_id", pa.string()),
        ("ts", pa.timestamp("us")),
        ("author_id", pa.string()),
        ("author_name", pa.string()),
        ("text", pa.string()),
        ("conversation_name", pa.string()),
        ("reply_to", pa.string()),
        ("is_bot", pa.bool_()),
        ("edited_ts", pa.timestamp("us")),
        ("attachments", pa.list_(pa.string())),
        ("mentions", pa.list_(pa.string())),
        ("reactions", pa.int32()),
    ]
)
assert list(ChatMessage._fields) == MESSAGE_SCHEMA.names


def messages_to_arrow(batch: list[ChatMessage]) -> pa.Table:
    """A batch of messages as an Arrow table with MESSAGE_SCHEMA (for a bulk insert)."""
    columns = zip(*batch) if batch else [[] for _ in MESSAGE_SCHEMA]
    return pa.Table.from_arrays(
        [pa.array(col, type=field.type) for col, field in zip(columns, MESSAGE_SCHEMA)],
        schema=MESSAGE_SCHEMA,
    )


def unique_id(message: ChatMessage, repeats: dict) -> ChatMessage:
    """The message, its id suffixed `-N` when it repeats an identical message (same natural-key id) of the same time.

    For exports without message ids, whose ids hash what a message is. `repeats` holds the ids
    seen at the current timestamp only (an export runs in time order), so two identical messages
    sent at one time stay two rows, and memory stays flat.
    """
    if repeats.get("ts") != message.ts:
        repeats.clear()
        repeats["ts"] = message.ts
    n = repeats.get(message.message_id, 0)
    repeats[message.message_id] = n + 1
    return message._replace(message_id=f"{message.message_id}-{n}") if n else message
