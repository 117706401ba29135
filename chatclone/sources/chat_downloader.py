"""Chat replays as chat-downloader saves them (`chat_downloader URL --output chat.json`): one JSON list.

chat-downloader (xenova/chat-downloader) writes each chat item as a flat object: `message_type`
("text_message", "paid_message", "membership_item", "ticker_paid_message_item", "banner", ...),
`message_id`, `message` (emoji already written as text, e.g. `:glasses:`), `time_in_seconds`
(negative for chat before the stream started), `timestamp` (µs since the epoch) and a nested
`author` {id, name, badges}. YouTube replays and Twitch VODs become the same ChatEvent as yt-dlp's
live chat: text messages, super chats ("paid"), super stickers ("sticker"), memberships, Twitch
subscriptions ("membership") and cheers ("paid", currency "BITS"). Everything else is counted in
`skipped` by message_type, tickers included: a ticker repeats a super chat or membership that is
already in the chat under the same message_id.

Live captures are not read: their items have no `time_in_seconds`, so nothing places them in the video.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import ijson

from chatclone.errors import SourceError
from chatclone.sources.jsonstream import RECORD_ERRORS, open_json, require, stream_items
from chatclone.sources.youtube_live_chat import ChatEvent, parse_amount

KINDS = {
    "text_message": "text",
    "paid_message": "paid",
    "paid_sticker": "sticker",
    "membership_item": "membership",
    # Twitch chat messages highlighted, or sent past subscriber-only mode, with channel points.
    "highlighted_message": "text",
    "send_message_in_subscriber_only_mode": "text",
    # Twitch USERNOTICE msg-ids, as chat-downloader renames them.
    "subscription": "membership",
    "resubscription": "membership",
    "extend_subscription": "membership",
    "subscription_gift": "membership",
    "anonymous_subscription_gift": "membership",
    "mystery_subscription_gift": "membership",
    "anonymous_mystery_subscription_gift": "membership",
    "prime_paid_upgrade": "membership",
    "gift_paid_upgrade": "membership",
    "anonymous_gift_paid_upgrade": "membership",
}
# Lower-cased badge names (Twitch), icon names and titles (YouTube) that mark the channel's owner.
OWNER_BADGES = {"owner", "broadcaster"}
_TOP_LEVEL = {"start_map": "an object", "string": "a string", "number": "a number", "boolean": "a boolean", "null": "null"}


def parse_chat_downloader(path: Path, skipped: Counter) -> Iterator[ChatEvent]:
    """Yield the chat events of a chat-downloader JSON file (YouTube replay or Twitch VOD), streaming, in file order.

    Items that are not viewers' messages are counted in `skipped` by message_type, blank text
    messages as "empty". Raises SourceError naming the file for a file that is not a JSON list,
    and the item (its index in the list) for a malformed item or one without time_in_seconds.
    """
    _require_list(path)
    for index, item in enumerate(stream_items(path, "item")):
        try:
            event = _event(item, skipped)
        except RECORD_ERRORS as e:
            raise SourceError(path, f"item {index}: {_problem(e)}") from None
        if event is not None:
            yield event


def _require_list(path: Path) -> None:
    """SourceError unless the file's top-level value is a list (ijson would silently find no items)."""
    with open_json(path) as f:
        try:
            _, event, _ = next(ijson.parse(f))
        except (ijson.JSONError, UnicodeDecodeError):
            return  # stream_items reports invalid JSON with its byte offset
    if event != "start_array":
        raise SourceError(path, f"not a chat-downloader JSON list (it starts with {_TOP_LEVEL.get(event, event)})")


def _event(item: object, skipped: Counter) -> ChatEvent | None:
    item = require(item, dict, "item")
    message_type = require(_field(item, "message_type"), str, "message_type")
    kind = KINDS.get(message_type)
    if kind is None:
        skipped[message_type] += 1
        return None
    if kind == "text" and "message" not in item:
        raise ValueError(f"{message_type} has no message")
    text = _str(item, "message")
    if kind == "text" and not text.strip():
        skipped["empty"] += 1
        return None
    if "time_in_seconds" not in item:
        raise ValueError(f"{message_type} has no time_in_seconds (a live capture? only replays and VODs can be read)")
    t_s = float(require(item["time_in_seconds"], (int, float), "time_in_seconds"))
    if not math.isfinite(t_s):
        raise ValueError("time_in_seconds is not a finite number")
    timestamp = item.get("timestamp")
    amount = currency = None
    if kind in ("paid", "sticker"):
        amount, currency = _money(item)
    bits = item.get("bits")
    if kind == "text" and bits is not None and require(bits, int, "bits") > 0:
        kind, amount, currency = "paid", float(bits), "BITS"
    author = require(item.get("author") or {}, dict, "author")
    badges = _badges(author)
    return ChatEvent(
        message_id=require(_field(item, "message_id"), str, "message_id"),
        t_s=t_s,
        ts_usec=None if timestamp is None else require(timestamp, int, "timestamp"),
        author_id=_str(author, "id"),
        # Twitch's display name is what chat shows; its `name` is the lower-case login.
        author_name=_str(author, "display_name") or _str(author, "name"),
        text=text,
        kind=kind,
        amount=amount,
        currency=currency,
        is_owner=bool(badges & OWNER_BADGES),
        is_moderator="moderator" in badges or author.get("is_moderator") is True,
    )


def _money(item: dict) -> tuple[float | None, str | None]:
    """(amount, currency) of a super chat or sticker: from `money` {amount, currency, text}, or an early version's `amount` text."""
    money = item.get("money")
    if money is None:
        text = item.get("amount")
        return (None, None) if text is None else parse_amount(require(text, str, "amount"))
    money = require(money, dict, "money")
    # chat-downloader reads the amount by dropping commas, so "€3,50" becomes 350.0; the text is the truth.
    amount, currency = parse_amount(_str(money, "text"))
    if amount is None and type(money.get("amount")) in (int, float) and math.isfinite(money["amount"]):
        amount, currency = float(money["amount"]), _str(money, "currency") or None
    return amount, currency


def _badges(author: dict) -> set[str]:
    """The lower-cased names, icon names and titles of an author's badges ("owner", "moderator", "broadcaster", ...)."""
    found = set()
    for badge in require(author.get("badges") or [], list, "author badges"):
        badge = require(badge, dict, "badge")
        for key in ("name", "icon_name", "title"):
            if isinstance(badge.get(key), str):
                found.add(badge[key].lower())
    return found


def _field(item: dict, key: str) -> object:
    if item.get(key) is None:
        raise ValueError(f"no {key}")
    return item[key]


def _str(obj: dict, key: str) -> str:
    """obj[key] as a string; "" where it is absent or null."""
    value = obj.get(key)
    return "" if value is None else require(value, str, key)


def _problem(e: Exception) -> str:
    text = " ".join(str(e).split())[:200] or type(e).__name__
    # Our own checks raise ValueError with a message that already says what is wrong.
    return text if type(e) is ValueError else f"malformed ({type(e).__name__}: {text})"
