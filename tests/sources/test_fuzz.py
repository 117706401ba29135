"""Fuzzing with hypothesis: parsers fail only with SourceError; text cleaning never raises or leaks PII."""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from factories import mutate_at
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from chatclone.errors import SourceError
from chatclone.records import ChatMessage
from chatclone.sources import discord, messenger, telegram, whatsapp
from chatclone.text import clean_message, scrub

PARSERS = {"discord": discord.parse, "messenger": messenger.parse, "telegram": telegram.parse}
SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
TEST_DATA = Path(__file__).resolve().parents[1] / "data"

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse_file(parse, data: bytes, name: str = "message_1.json") -> int:
    """Write `data` to a fresh temporary file, parse it to the end and return the number of records."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return len(list(parse(path, Counter())))


def _only_source_error(parse, data: bytes) -> None:
    try:
        n = _parse_file(parse, data)
    except SourceError as e:
        assert "\n" not in str(e), f"multi-line error: {e!r}"
        event(f"SourceError: {e.problem.split(':')[0].split(' near ')[0]}")
    else:
        event("parsed, with records" if n else "parsed, no records")


# --- strategies -----------------------------------------------------------------------------
# Documents come three ways: a valid export with a few values replaced by any JSON or deleted,
# a "loose" export whose every key may be missing or hold any JSON value, or any JSON at all.

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def record(loose: bool, required: dict, optional: dict | None = None):
    """A dict of the real keys: right-shaped values, or (loose) any subset of keys holding anything."""
    if loose:
        return st.fixed_dictionaries({}, optional={k: v | json_values for k, v in (required | (optional or {})).items()})
    return st.fixed_dictionaries(required, optional=optional or {})


def _nodes(value, path=()):
    yield path
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _nodes(child, (*path, key))


@st.composite
def corrupted(draw, documents):
    """A document from `documents` with up to three of its values replaced by any JSON value, or deleted."""
    document = draw(documents)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        path = draw(st.sampled_from(list(_nodes(document))[1:] or [None]))
        if path is None:
            break
        mutate_at(document, path, draw(st.booleans()), draw(json_values))
    return document


snowflakes = st.integers(min_value=0, max_value=2**64).map(str)
iso_timestamps = st.builds(
    lambda dt, offset: dt.isoformat() + offset,
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)) | st.datetimes(),
    st.sampled_from(["+00:00", "+02:00", "-05:00", "Z", ""]),
) | st.sampled_from(["0001-01-01T00:00:00+02:00", "9999-12-31T23:59:59.999-05:00", "2023-02-30T10:00:00+00:00", "yesterday"])


def discord_document(loose: bool):
    user = record(loose, {"id": snowflakes, "name": st.text(max_size=10)}, {"nickname": st.none() | st.text(max_size=10), "isBot": st.booleans()})
    message = record(
        loose,
        {
            "id": snowflakes,
            "type": st.sampled_from(["Default", "Reply", "Call", "ThreadCreated", "ChannelPinnedMessage"]),
            "timestamp": iso_timestamps,
            "content": st.text(min_size=1, max_size=30),
            "author": user,
        },
        {
            "timestampEdited": st.none() | iso_timestamps,
            "attachments": st.lists(record(loose, {"fileName": st.text(max_size=12)}, {"url": st.text(max_size=12)}), max_size=3),
            "stickers": st.lists(record(loose, {"id": snowflakes}, {"name": st.text(max_size=5)}), max_size=2),
            "reactions": st.lists(record(loose, {"count": st.integers(min_value=-10, max_value=10**6)}), max_size=3),
            "mentions": st.lists(user, max_size=2),
            "reference": record(loose, {"messageId": snowflakes}),
        },
    )
    return record(
        loose,
        {
            "guild": record(loose, {"id": snowflakes, "name": st.text(max_size=10)}),
            "channel": record(loose, {"id": snowflakes, "name": st.text(max_size=10)}, {"type": st.sampled_from(["GuildTextChat", "GuildPublicThread"])}),
            "messages": st.lists(message, min_size=1, max_size=4),
        },
    )


epoch_ms = (
    st.integers(min_value=-(2**62), max_value=2**62)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e300, -1e300, 253402300800000, -62135596800001, 2**63 - 1])
)


def messenger_document(loose: bool):
    media = st.lists(record(loose, {"uri": st.text(max_size=15)}), max_size=2)
    reactions = st.lists(record(loose, {"reaction": st.text(max_size=2), "actor": st.text(max_size=5)}), max_size=3)
    classic = record(
        loose,
        {"sender_name": st.text(max_size=10), "timestamp_ms": epoch_ms},
        {
            "content": st.text(min_size=1, max_size=30),
            "type": st.sampled_from(["Generic", "Share", "Call", "Subscribe", "Unsubscribe"]),
            "is_unsent": st.booleans(),
            **dict.fromkeys(["photos", "videos", "gifs", "audio_files", "files"], media),
            "sticker": record(loose, {"uri": st.text(max_size=15)}),
            "share": record(loose, {"link": st.text(max_size=15)}),
            "reactions": reactions,
        },
    )
    e2ee = record(
        loose,
        {"senderName": st.text(max_size=10), "timestamp": epoch_ms, "text": st.text(max_size=30)},
        {"isUnsent": st.booleans(), "media": media, "reactions": reactions, "type": st.just("text")},
    )
    return record(
        loose,
        {"messages": st.lists(classic | e2ee, min_size=1, max_size=4)},
        {
            "participants": st.lists(record(loose, {"name": st.text(max_size=10)}) | st.text(max_size=10), max_size=3),
            "title": st.text(max_size=10),
            "threadName": st.text(max_size=10),
            "thread_path": st.text(max_size=15),
        },
    )


unixtimes = (
    st.integers(min_value=0, max_value=4_102_444_800).map(str)
    | st.integers(min_value=-(2**62), max_value=2**62)
    | st.sampled_from(["", "x", "1.5", "-62135596801", "253402300800", "9" * 30])
)


def telegram_document(loose: bool):
    entity = record(
        loose,
        {"type": st.sampled_from(["plain", "bold", "link", "text_link", "mention", "mention_name", "custom_emoji"]), "text": st.text(max_size=10)},
        {"href": st.text(max_size=10), "user_id": st.integers()},
    )
    text = st.text(max_size=30) | st.lists(st.text(max_size=10) | entity, max_size=4)
    message = record(
        loose,
        {
            "id": st.integers(min_value=-(2**63), max_value=2**63 - 1),
            "type": st.sampled_from(["message", "message", "service", "unsupported"]),
            "date": iso_timestamps,
            "from": st.none() | st.text(max_size=10),
            "from_id": st.text(max_size=10) | st.integers(min_value=0, max_value=2**40),
            "text": text,
        },
        {
            "date_unixtime": unixtimes,
            "text_entities": st.lists(entity, max_size=3),
            "action": st.sampled_from(["phone_call", "pin_message", "create_channel"]),
            "photo": st.text(max_size=10),
            "file": st.text(max_size=10),
            "media_type": st.sampled_from(["sticker", "animation", "voice_message", "audio_file", "video_file", "video_message", "other"]),
            "edited": iso_timestamps,
            "edited_unixtime": unixtimes,
            "reply_to_message_id": st.integers(min_value=0, max_value=2**40),
            "reply_to_peer_id": st.text(max_size=5),
            "reactions": st.lists(record(loose, {"count": st.integers(min_value=-10, max_value=10**12)}, {"emoji": st.text(max_size=2)}), max_size=3),
            "forwarded_from": st.none() | st.text(max_size=10),
        },
    )
    # "messages" is drawn first, so name, type and id often come after it (the read-ahead path).
    chat = record(
        loose,
        {"messages": st.lists(message, min_size=1, max_size=4)},
        {"name": st.text(max_size=10), "type": st.sampled_from(["personal_chat", "saved_messages", "private_supergroup"]), "id": st.integers()},
    )
    chat_list = record(loose, {"list": st.lists(chat, max_size=3)}, {"about": st.text(max_size=5)})
    full = record(loose, {"chats": chat_list}, {"left_chats": chat_list, "personal_information": record(loose, {"user_id": st.integers()})})
    return chat | full


discord_documents = corrupted(discord_document(loose=False)) | discord_document(loose=True) | json_values
messenger_documents = corrupted(messenger_document(loose=False)) | messenger_document(loose=True) | json_values
telegram_documents = corrupted(telegram_document(loose=False)) | telegram_document(loose=True) | json_values
DOCUMENTS = {"discord": discord_documents, "messenger": messenger_documents, "telegram": telegram_documents}


# --- (a) arbitrary bytes --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", PARSERS)
@FUZZ
@given(data=st.binary(max_size=2_000) | st.binary(max_size=200).map(lambda b: b"\xef\xbb\xbf" + b))
def test_arbitrary_bytes_raise_only_source_error(fmt, data):
    _only_source_error(PARSERS[fmt], data)


# --- (b) plausible JSON: the real keys, values of any type ----------------------------------


@pytest.mark.parametrize("fmt", PARSERS)
@FUZZ
@given(data=st.data(), ensure_ascii=st.booleans(), indent=st.sampled_from([None, 2, 4, "\t"]))
def test_plausible_json_with_wrong_types_raises_only_source_error(fmt, data, ensure_ascii, indent):
    document = data.draw(DOCUMENTS[fmt])
    _only_source_error(PARSERS[fmt], json.dumps(document, ensure_ascii=ensure_ascii, indent=indent).encode("utf-8", "surrogatepass"))


def _outcome(parse, data: bytes):
    """(records, skipped counts) of parsing `data`, or "SourceError"."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "thread_1" / "message_1.json"  # the same conversation id each time
        path.parent.mkdir()
        path.write_bytes(data)
        skipped: Counter = Counter()
        try:
            return list(parse(path, skipped)), skipped
        except SourceError:
            return "SourceError"


@pytest.mark.parametrize("fmt", PARSERS)
@FUZZ
@given(data=st.data(), indent=st.sampled_from([2, 4, "\t"]))
def test_indented_and_compact_dumps_of_a_document_parse_the_same(fmt, data, indent):
    # DiscordChatExporter writes indented JSON, which may take a faster path than compact JSON.
    document = data.draw(DOCUMENTS[fmt])

    indented = _outcome(PARSERS[fmt], json.dumps(document, indent=indent).encode())
    compact = _outcome(PARSERS[fmt], json.dumps(document).encode())

    assert indented == compact


# --- (c) valid exports cut at a random byte -------------------------------------------------

_SYNTHETIC_DISCORD = {
    "guild": {"id": "900", "name": "Test Guild"},
    "channel": {"id": "42", "type": "GuildTextChat", "name": "général"},
    "messages": [
        {"id": "1", "type": "Default", "timestamp": "2023-01-17T19:33:07.489+02:00", "content": "héllo 😀 @bob",
         "author": {"id": "7", "name": "alice", "nickname": "Alice", "isBot": False},
         "attachments": [{"fileName": "a.png"}], "stickers": [{"id": "1"}], "reactions": [{"count": 2}], "mentions": [{"id": "8", "name": "bob"}]},
        {"id": "2", "type": "Call", "timestamp": "2023-01-17T19:34:07+00:00", "content": "", "author": {"id": "7", "name": "alice"}},
        {"id": "3", "type": "Reply", "timestamp": "2023-01-17T19:35:07.1+00:00", "content": "ok", "author": {"id": "8", "name": "bob", "isBot": True},
         "reference": {"messageId": "1"}},
    ],
}
_SYNTHETIC_MESSENGER = {
    "participants": [{"name": "Alice"}, {"name": "Bob"}],
    "messages": [
        {"sender_name": "Jos\u00c3\u00a9", "timestamp_ms": 1415147732056, "content": "caf\u00c3\u00a9 \u00f0\u009f\u0098\u008d", "reactions": [{"reaction": "x", "actor": "Bob"}]},
        {"sender_name": "Bob", "timestamp_ms": 1415147681489, "photos": [{"uri": "p.jpg"}], "share": {"link": "https://example.com"}},
        {"sender_name": "Bob", "timestamp_ms": 1415147681000, "content": "gone", "is_unsent": True},
    ],
    "title": "Bob",
    "thread_path": "inbox/bob_1",
}
_SYNTHETIC_TELEGRAM = {
    "about": "Here is the data you requested.",
    "chats": {"about": "chats", "list": [
        {"messages": [
            {"id": 1, "type": "service", "date": "2024-05-01T12:00:00", "date_unixtime": "1714564800", "actor": "Bob", "action": "phone_call", "text": ""},
            {"id": 2, "type": "message", "date": "2024-05-01T12:01:00", "date_unixtime": "1714564860", "edited": "2024-05-01T12:02:00", "from": "José",
             "from_id": "user1", "text": ["héllo ", {"type": "text_link", "text": "😀", "href": "https://example.com"}, {"type": "mention", "text": "@bob"}],
             "reactions": [{"type": "emoji", "count": 2, "emoji": "👍"}]},
            {"id": 3, "type": "message", "date": "2024-05-01T12:03:00", "from": None, "from_id": 7, "text": "", "photo": "(File not included.)", "reply_to_message_id": 2},
        ], "name": "Bob", "type": "personal_chat", "id": 222},
        {"name": "Saved", "type": "saved_messages", "id": 111, "messages": [
            {"id": 1, "type": "message", "date": "2024-05-01T12:04:00", "from": "Alice", "from_id": "user2", "text": "",
             "file": "stickers/s.webp", "media_type": "sticker"},
        ]},
    ]},
    "left_chats": {"about": "left", "list": []},
}


def _valid_exports(fmt: str) -> list[bytes]:
    synthetic = {"discord": _SYNTHETIC_DISCORD, "messenger": _SYNTHETIC_MESSENGER, "telegram": _SYNTHETIC_TELEGRAM}[fmt]
    exports = [b"\xef\xbb\xbf" + json.dumps(synthetic, indent=2, ensure_ascii=False).encode("utf-8")]
    # Real samples are read in place (AGPL ones may not be copied); absent ones are simply not used.
    folders = [SHARED_DATA / "chat-exports" / fmt] + ([TEST_DATA / fmt] if fmt in ("messenger", "telegram") else [])
    for folder in folders:
        if folder.is_dir():
            exports += [p.read_bytes().rstrip() for p in sorted(folder.glob("*.json"))]
    return exports


VALID_EXPORTS = {fmt: _valid_exports(fmt) for fmt in PARSERS}


@pytest.mark.parametrize("fmt", PARSERS)
def test_uncut_exports_parse_to_some_records(fmt):
    # The premise of the cut and overwritten-byte tests: whole, every export is valid.
    assert all(_parse_file(PARSERS[fmt], data) > 0 for data in VALID_EXPORTS[fmt])


@pytest.mark.parametrize("fmt", PARSERS)
@FUZZ
@given(data=st.data())
def test_export_cut_at_any_byte_raises_source_error(fmt, data):
    export = data.draw(st.sampled_from(VALID_EXPORTS[fmt]))
    cut = data.draw(st.integers(min_value=0, max_value=len(export) - 1))

    with pytest.raises(SourceError) as caught:
        _parse_file(PARSERS[fmt], export[:cut])

    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("fmt", PARSERS)
@FUZZ
@given(data=st.data())
def test_export_with_bytes_overwritten_raises_only_source_error(fmt, data):
    export = bytearray(data.draw(st.sampled_from(VALID_EXPORTS[fmt])))
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        export[data.draw(st.integers(min_value=0, max_value=len(export) - 1))] = data.draw(st.sampled_from(b'{}[]",:0 \\an\xc3\xff'))

    _only_source_error(PARSERS[fmt], bytes(export))


# --- WhatsApp: line-based text, so a cut export is still an export -------------------------
# Every text is some WhatsApp export (lines not starting with a timestamp continue a message),
# so these check that any bytes, text, zip or damaged export yields ChatMessages or SourceError.

WA_NAMES = ["WhatsApp Chat with A.txt", "WhatsApp Chat - A.zip"]
wa_stamps = st.builds(
    lambda bracket, a, sep, b, year, gap, h, m, sec, ampm: f"{bracket}{a}{sep}{b}{sep}{year}{gap}{h}:{m:02d}{sec}{ampm}" + ("] " if bracket else " - "),
    st.sampled_from(["", "[", "\u200e["]), st.integers(1, 12) | st.integers(0, 40), st.sampled_from("/.-"), st.integers(1, 12) | st.integers(0, 40),
    st.sampled_from(["21", "2021", "99", "0000", "1", "12345"]), st.sampled_from([", ", " ", ",\u202f", ","]),
    st.integers(0, 23) | st.integers(0, 30), st.integers(0, 59) | st.integers(0, 99), st.sampled_from(["", ":00", ":61"]),
    st.sampled_from(["", " AM", "\u202fpm", " p. m.", " a.m.", "PM"]),
)
wa_bodies = st.sampled_from([
    "Alice: hi", "Bob: <Media omitted>", "\u202a+1 555\u202c: \u200eimage omitted", "A: \u200e<attached: 00000001-PHOTO-x.jpg>",
    "A: This message was deleted", "A: ok <This message was edited>", 'X changed the subject to "a: b"', "Alice left", "A:", ": x",
    "A: IMG-1.jpg (file attached)", "A: \u200eMessages and calls are end-to-end encrypted.",
]) | st.text(max_size=30)
wa_lines = st.tuples(wa_stamps, wa_bodies).map("".join) | st.text(max_size=40)


def _wa_bytes(text: str, zipped: bool) -> bytes:
    if not zipped:
        return text.encode("utf-8", "surrogatepass")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_chat.txt", text.encode("utf-8", "surrogatepass"))
    return buffer.getvalue()


def _wa_parse(data: bytes, name: str) -> int | SourceError:
    """Parse `data` as the WhatsApp file `name`: the number of ChatMessages, or the (one-line) SourceError raised."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            messages = list(whatsapp.parse(path, Counter()))
        except SourceError as e:
            assert "\n" not in str(e), f"multi-line error: {e!r}"
            return e
    assert all(isinstance(m, ChatMessage) and isinstance(m.ts, datetime) and m.source == "whatsapp" for m in messages)
    return len(messages)


def _wa_outcome(data: bytes, name: str) -> int | None:
    """_wa_parse, recorded as a hypothesis event; None for a SourceError."""
    outcome = _wa_parse(data, name)
    if isinstance(outcome, SourceError):
        event(f"SourceError: {re.sub(r'[0-9,]+', 'N', outcome.problem)[:40]}")
        return None
    event("parsed, with records" if outcome else "parsed, no records")
    return outcome


@FUZZ
@given(data=st.binary(max_size=2_000) | st.binary(max_size=200).map(lambda b: b"\xef\xbb\xbf" + b), name=st.sampled_from(WA_NAMES))
def test_whatsapp_arbitrary_bytes_raise_only_source_error(data, name):
    _wa_outcome(data, name)


@FUZZ
@given(lines=st.lists(wa_lines, max_size=30), newline=st.sampled_from(["\n", "\r\n"]), zipped=st.booleans())
def test_whatsapp_plausible_lines_yield_messages_or_source_error(lines, newline, zipped):
    _wa_outcome(_wa_bytes(newline.join(lines), zipped), WA_NAMES[zipped])


def _whatsapp_exports() -> list[str]:
    synthetic = "\n".join([
        "\u200e[31/01/21, 10:00:00] Alice: \u200eMessages and calls are end-to-end encrypted.",
        "[31/01/21, 10:00:05] Alice: hi\nsecond line",
        "[31/01/21, 10:01:00\u202fPM] \u202a+1 555\u202c: \u200e<attached: 00000001-PHOTO-2021-01-31.jpg>",
        "[1/2/21, 10:02:00] Bob: done <This message was edited>",
    ])
    folders = [TEST_DATA / "whatsapp", SHARED_DATA / "chat-exports" / "whatsapp"]
    return [synthetic] + [p.read_text(encoding="utf-8") for folder in folders if folder.is_dir() for p in sorted(folder.glob("*.txt"))]


WHATSAPP_EXPORTS = _whatsapp_exports()


def test_whatsapp_uncut_exports_parse_to_some_records():
    outcomes = [_wa_parse(_wa_bytes(text, zipped), WA_NAMES[zipped]) for text in WHATSAPP_EXPORTS for zipped in (False, True)]

    assert all(isinstance(n, int) and n > 0 for n in outcomes), outcomes


@FUZZ
@given(data=st.data(), zipped=st.booleans())
def test_whatsapp_export_cut_at_any_byte_loses_messages_or_raises_source_error(data, zipped):
    export = _wa_bytes(data.draw(st.sampled_from(WHATSAPP_EXPORTS)), zipped)
    whole = _wa_outcome(export, WA_NAMES[zipped])
    cut = _wa_outcome(export[: data.draw(st.integers(min_value=0, max_value=len(export) - 1))], WA_NAMES[zipped])

    assert cut is None or cut <= whole


@FUZZ
@given(data=st.data(), zipped=st.booleans())
def test_whatsapp_export_with_bytes_overwritten_raises_only_source_error(data, zipped):
    export = bytearray(_wa_bytes(data.draw(st.sampled_from(WHATSAPP_EXPORTS)), zipped))
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        export[data.draw(st.integers(min_value=0, max_value=len(export) - 1))] = data.draw(st.sampled_from(b"[]/.-:, 0139\n\r\xe2\x80\x8e\xc3\xffPK"))

    _wa_outcome(bytes(export), WA_NAMES[zipped])


# --- text cleaning --------------------------------------------------------------------------

emails = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}@[a-z0-9][a-z0-9-]{0,10}(\.[a-z0-9-]{1,8})?\.[a-z]{2,6}", fullmatch=True)
ipv4s = st.ip_addresses(v=4).map(str)
TEXT_FUZZ = settings(max_examples=300, deadline=None)


@TEXT_FUZZ
@given(
    text=st.text(max_size=300),
    attachments=st.lists(st.sampled_from(["image", "gif", "video", "audio", "file", "sticker", "link"]), max_size=3),
    mentions=st.lists(st.text(max_size=10), max_size=3),
    strip_at=st.booleans(),
    placeholders=st.booleans(),
    pii=st.booleans(),
)
def test_clean_message_never_raises(text, attachments, mentions, strip_at, placeholders, pii):
    cleaned = clean_message(text, attachments, tuple(mentions), strip_at=strip_at, placeholders=placeholders, pii=pii)

    assert isinstance(cleaned.text, str)
    assert all(isinstance(n, int) and n >= 0 for n in cleaned.counts.values())


@TEXT_FUZZ
@given(text=st.text(max_size=300), pii=st.booleans(), links=st.booleans())
def test_scrub_never_raises_and_counts_what_it_replaced(text, pii, links):
    out, counts = scrub(text, pii=pii, links=links)

    for kind, n in counts.items():
        assert out.count(f"<{kind}>") >= n


def _standalone(value: str, text: str) -> bool:
    return re.search(rf"(?<![\w.@+-]){re.escape(value)}(?![\w.-])", text) is not None


@TEXT_FUZZ
@given(before=st.text(max_size=40), email=emails, between=st.text(max_size=40), ip=ipv4s, after=st.text(max_size=40), links=st.booleans())
def test_scrub_leaves_no_email_or_ipv4_from_the_input(before, email, between, ip, after, links):
    out, counts = scrub(f"{before} {email} {between} {ip} {after}", pii=True, links=links)

    assert not _standalone(email, out), out
    assert not _standalone(ip, out), out


@TEXT_FUZZ
@given(before=st.text(max_size=40), email=emails, between=st.text(max_size=40), ip=ipv4s, after=st.text(max_size=40), placeholders=st.booleans(), strip_at=st.booleans())
def test_clean_message_leaves_no_email_or_ipv4_from_the_input(before, email, between, ip, after, placeholders, strip_at):
    cleaned = clean_message(f"{before} {email} {between} {ip} {after}", placeholders=placeholders, strip_at=strip_at, pii=True)

    assert not _standalone(email, cleaned.text), cleaned.text
    assert not _standalone(ip, cleaned.text), cleaned.text
