"""YouTube live chat as yt-dlp saves it (`VIDEO.live_chat.json`): one JSON object per line.

A replay line is `{"replayChatItemAction": {"actions": [ACTION, ...], "videoOffsetTimeMsec": "1234"}}`;
yt-dlp's live capture writes the same shape with `videoOffsetTimeMsec` beside
`replayChatItemAction`. Only what viewers said or paid for becomes a ChatEvent: text messages,
super chats ("paid"), super stickers ("sticker") and memberships ("membership"). Everything else
(placeholders, polls, mode changes, banners, tickers, engagement messages, deletions) is counted
in `skipped` by action or renderer name.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import orjson

from chatclone.errors import SourceError
from chatclone.sources.jsonstream import RECORD_ERRORS, require

KINDS = {
    "liveChatTextMessageRenderer": "text",
    "liveChatPaidMessageRenderer": "paid",
    "liveChatPaidStickerRenderer": "sticker",
    "liveChatMembershipItemRenderer": "membership",
}
# YouTube writes amounts with the viewer's locale symbol; "$" alone is US dollars there.
CURRENCIES = {
    "$": "USD", "US$": "USD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "HK$": "HKD",
    "NT$": "TWD", "MX$": "MXN", "R$": "BRL", "€": "EUR", "£": "GBP", "¥": "JPY", "JP¥": "JPY",
    "CN¥": "CNY", "₩": "KRW", "₹": "INR", "₱": "PHP", "₽": "RUB", "₪": "ILS", "₫": "VND", "₺": "TRY",
    "zł": "PLN", "Kč": "CZK", "Ft": "HUF",
}
_MONEY = re.compile(r"([^\d\s.,]*)\s*(\d[\d.,\s]*?)\s*([^\d\s.,]*)")


class ChatEvent(NamedTuple):
    """One live-chat message; `t_s` is seconds into the video, `ts_usec` the wall clock (µs since the epoch).

    `kind` is "text", "paid", "sticker" or "membership"; `amount`/`currency` (ISO code where the
    symbol is known, else as written) only for paid messages and stickers. `emotes` holds the
    words of `text` that are emotes (YouTube `:shortcut:`s, Twitch emote names), each once; None
    where the source does not say which words are emotes.
    """

    message_id: str
    t_s: float
    ts_usec: int | None
    author_id: str
    author_name: str
    text: str
    kind: str
    amount: float | None = None
    currency: str | None = None
    is_owner: bool = False
    is_moderator: bool = False
    emotes: tuple[str, ...] | None = None


def parse_live_chat(path: Path, skipped: Counter) -> Iterator[ChatEvent]:
    """Yield the chat events of a yt-dlp live_chat.json, streaming, in file order.

    Non-chat actions are counted in `skipped`. A line with no usable offset takes the previous
    line's time. Raises SourceError naming the file and line for a line that is not JSON or
    not a chat replay action.
    """
    t_s = 0.0
    for n, line in _lines(path):
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            raise SourceError(path, f"line {n}: not JSON ({_one_line(e)})") from None
        if type(obj) is not dict or "replayChatItemAction" not in obj:
            raise SourceError(path, f"line {n}: not a yt-dlp live chat line (no 'replayChatItemAction')")
        try:
            t_s, events = _line_events(obj, t_s, skipped)
        except RECORD_ERRORS as e:
            raise SourceError(path, f"line {n}: malformed chat action ({type(e).__name__}: {_one_line(e)})") from None
        yield from events


def is_live_capture(path: Path) -> bool:
    """Whether a live_chat.json was captured while the stream was live (yt-dlp marks its lines `"isLive": true`).

    Such a file's videoOffsetTimeMsec counts from when the capture started, not from the
    stream's start (yt-dlp issue 489), so its messages are placed by their wall clock instead.
    """
    try:
        first = next(_lines(path), None)
        return first is not None and orjson.loads(first[1]).get("isLive") is True
    except (SourceError, orjson.JSONDecodeError, AttributeError):
        return False  # parse_live_chat reports what is wrong with the file


def parse_amount(text: str) -> tuple[float | None, str | None]:
    """(amount, currency) of a purchase amount like "$5.00", "¥1,000", "CA$2.00" or "€3,50"; (None, None) if unreadable.

    A last separator followed by three digits groups thousands; otherwise it is the decimal point.
    """
    match = _MONEY.fullmatch(text.strip())
    if not match or match[1] and match[3]:
        return None, None
    number = re.sub(r"\s", "", match[2]).rstrip(".,")
    last = max(number.rfind(","), number.rfind("."))
    whole, fraction = (number[:last], number[last + 1 :]) if last >= 0 and len(number) - last - 1 != 3 else (number, "")
    whole = whole.replace(",", "").replace(".", "")
    if not whole.isdigit() or fraction and not fraction.isdigit():
        return None, None
    symbol = match[1] or match[3]
    return float(f"{whole}.{fraction or 0}"), CURRENCIES.get(symbol, symbol or None)


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of each non-blank line, a leading BOM dropped."""
    try:
        f = open(path, "rb")
    except OSError as e:
        raise SourceError(path, f"cannot read: {e.strerror}") from None
    with f:
        for n, line in enumerate(f, 1):
            if n == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if line.strip():
                yield n, line


def _line_events(obj: dict, t_s: float, skipped: Counter) -> tuple[float, list[ChatEvent]]:
    """The offset (seconds) of one line and its chat events."""
    replay = require(obj["replayChatItemAction"], dict, "replayChatItemAction")
    t_s = _offset_s(replay.get("videoOffsetTimeMsec", obj.get("videoOffsetTimeMsec")), t_s)
    events = []
    for action in require(replay.get("actions", []), list, "actions"):
        event = _event(require(action, dict, "action"), t_s, skipped)
        if event is not None:
            events.append(event)
    return t_s, events


def _offset_s(value: object, previous: float) -> float:
    """videoOffsetTimeMsec in seconds; `previous` where it is missing or not a number (yt-dlp writes "None")."""
    if value is None:
        return previous
    require(value, (str, int, float), "videoOffsetTimeMsec")
    try:
        seconds = float(value) / 1000
    except (ValueError, OverflowError):
        return previous
    return seconds if math.isfinite(seconds) else previous


def _event(action: dict, t_s: float, skipped: Counter) -> ChatEvent | None:
    if "addChatItemAction" in action:
        item = require(require(action["addChatItemAction"], dict, "addChatItemAction")["item"], dict, "item")
    elif "replaceChatItemAction" in action:
        # A held message released by the moderators arrives as the replacement of its placeholder.
        item = require(require(action["replaceChatItemAction"], dict, "replaceChatItemAction")["replacementItem"], dict, "replacementItem")
    else:
        skipped[next((k for k in action if k != "clickTrackingParams"), "empty action")] += 1
        return None
    if not item:
        raise ValueError("item is empty")
    name, renderer = next(iter(item.items()))
    kind = KINDS.get(name)
    if kind is None:
        skipped[name] += 1
        return None
    r = require(renderer, dict, name)
    emotes: list[str] = []
    text = _text(r.get("message"), emotes)
    if kind == "text" and not text.strip():
        skipped["empty"] += 1
        return None
    amount = currency = None
    if kind in ("paid", "sticker"):
        amount, currency = parse_amount(_text(r.get("purchaseAmountText")))
    badges = _badges(r.get("authorBadges"))
    usec = r.get("timestampUsec")
    return ChatEvent(
        message_id=require(r["id"], str, "id"),
        t_s=t_s,
        ts_usec=int(require(usec, (str, int), "timestampUsec")) if usec is not None else None,
        author_id=require(r.get("authorExternalChannelId", ""), str, "authorExternalChannelId"),
        author_name=_text(r.get("authorName")),
        text=text,
        kind=kind,
        amount=amount,
        currency=currency,
        is_owner="OWNER" in badges,
        is_moderator="MODERATOR" in badges,
        emotes=tuple(dict.fromkeys(emotes)),
    )


def _text(value: object, emotes: list[str] | None = None) -> str:
    """A YouTube text object as a string: simpleText, or runs joined, emoji runs as `:shortcut:` (added to `emotes`)."""
    if value is None:
        return ""
    value = require(value, dict, "text object")
    if "simpleText" in value:
        return require(value["simpleText"], str, "simpleText")
    parts = []
    for run in require(value.get("runs", []), list, "runs"):
        run = require(run, dict, "run")
        if "text" in run:
            parts.append(require(run["text"], str, "run text"))
        elif "emoji" in run:
            emoji = require(run["emoji"], dict, "emoji")
            shortcuts = require(emoji.get("shortcuts") or [], list, "emoji shortcuts")
            name = shortcuts[0] if shortcuts else emoji["emojiId"]
            parts.append(f":{require(name, str, 'emoji name').strip(':')}:")
            if emotes is not None:
                emotes.append(parts[-1])
    return "".join(parts)


def _badges(value: object) -> set[str]:
    """The icon types of an author's badges (OWNER, MODERATOR, VERIFIED, ...)."""
    icons = set()
    for badge in require(value or [], list, "authorBadges"):
        renderer = require(require(badge, dict, "badge").get("liveChatAuthorBadgeRenderer", {}), dict, "badge renderer")
        icon = require(renderer.get("icon", {}), dict, "badge icon").get("iconType")
        if isinstance(icon, str):
            icons.add(icon)
    return icons


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())[:200] or type(e).__name__
