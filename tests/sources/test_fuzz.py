"""Fuzzing with hypothesis: parsers fail only with SourceError; text cleaning never raises or leaks PII."""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from factories import mutate_at
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from chatclone.errors import SourceError
from chatclone.sources import discord, messenger
from chatclone.text import clean_message, scrub

PARSERS = {"discord": discord.parse, "messenger": messenger.parse}
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


discord_documents = corrupted(discord_document(loose=False)) | discord_document(loose=True) | json_values
messenger_documents = corrupted(messenger_document(loose=False)) | messenger_document(loose=True) | json_values
DOCUMENTS = {"discord": discord_documents, "messenger": messenger_documents}


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


def _valid_exports(fmt: str) -> list[bytes]:
    synthetic = {"discord": _SYNTHETIC_DISCORD, "messenger": _SYNTHETIC_MESSENGER}[fmt]
    exports = [b"\xef\xbb\xbf" + json.dumps(synthetic, indent=2, ensure_ascii=False).encode("utf-8")]
    # Real samples are read in place (AGPL ones may not be copied); absent ones are simply not used.
    folders = [SHARED_DATA / "chat-exports" / fmt] + ([TEST_DATA / "messenger"] if fmt == "messenger" else [])
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
