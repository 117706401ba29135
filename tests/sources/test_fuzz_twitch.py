"""Fuzzing the Twitch chat parsers: whatever the input, they yield ChatEvents or raise SourceError, nothing else."""

from __future__ import annotations

import copy
import gzip
import json
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from factories import mutate_at
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twitch_files import comment, write_tcd_json, write_twitchdownloader

from chatclone.errors import SourceError
from chatclone.sources.twitch import parse_twitch, parse_twitch_irc, parse_twitch_json, parse_twitch_text, read_twitch_video
from chatclone.sources.youtube_live_chat import ChatEvent

TWITCH = Path(__file__).resolve().parents[1] / "data" / "twitch"
PARSERS = {
    "any": lambda p: list(parse_twitch(p, Counter())),
    "json": lambda p: list(parse_twitch_json(p, Counter())),
    "text": lambda p: list(parse_twitch_text(p, Counter())),
    "irc": lambda p: list(parse_twitch_irc(p, Counter())),
    "video": read_twitch_video,
}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

V5 = json.loads((TWITCH / "tcd_docs_example_v5_comment.json").read_text(encoding="utf-8"))
GQL = json.loads((TWITCH / "cdfork_gql_replay-comment-basic.json").read_text(encoding="utf-8"))["raw"]
IRC = [json.loads(p.read_text(encoding="utf-8"))["raw"] for p in sorted(TWITCH.glob("cdfork_irc-*.json"))]
COMMENTS = [V5, GQL, GQL["node"], comment(0, "hi LUL Kappa", emotes=("LUL", "Kappa")), comment(1, "Cheer10 wow", bits=10),
            comment(2, "3 months", notice="resub")]


def _valid_files() -> dict[str, list[bytes]]:
    folder = Path(tempfile.mkdtemp(prefix="twitch-fuzz-"))
    td = write_twitchdownloader(folder / "td.json", COMMENTS[3:] + [V5], embedded_bytes=600).read_bytes()
    return {
        "json": [td, gzip.compress(td), write_tcd_json(folder / "tcd.json", [V5, COMMENTS[3]]).read_bytes(), json.dumps([GQL, GQL]).encode(),
                 (TWITCH / "tcd_docs_example_v5_comment.json").read_bytes()],
        "text": ["[0:00:12] <Aivoh> LIVE lirikH\n[1:02:03] <@Cool Guy> hi\n[0:00:04] *Sub waves]\n[25:00:00] late: still\n".encode()],
        "irc": ["".join(IRC).encode()],
    }


VALID = _valid_files()
VALID["any"] = VALID["video"] = [b for files in VALID.values() for b in files]


def _parse(fmt: str, data: bytes, name: str = "1234567890.input"):
    """Parse `data` written to a temporary file; the result, or the SourceError raised (one line)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            result = PARSERS[fmt](path)
        except SourceError as e:
            assert "\n" not in str(e), f"multi-line error: {e!r}"
            return e
    if fmt != "video":
        assert all(isinstance(e, ChatEvent) and isinstance(e.text, str) and e.text.strip() for e in result)
    return result


@pytest.mark.parametrize("fmt", PARSERS)
@FUZZ
@given(data=st.binary(max_size=1_000) | st.sampled_from([b"{", b"[", b'{"comments": [', b"\x1f\x8b", b"@", b"[0:00:01] "]).flatmap(
    lambda head: st.binary(max_size=300).map(lambda tail: head + tail)))
def test_arbitrary_bytes_raise_only_source_error(fmt, data):
    _parse(fmt, data)


@pytest.mark.parametrize("fmt", PARSERS)
@FUZZ
@given(data=st.data())
def test_valid_file_cut_at_any_byte_raises_only_source_error(fmt, data):
    whole = data.draw(st.sampled_from(VALID[fmt]))
    cut = data.draw(st.integers(min_value=0, max_value=len(whole)))

    _parse(fmt, whole[:cut])


# --- real comments with values of the wrong type --------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=False) | st.text(max_size=12)
json_values = st.recursive(json_scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3), max_leaves=8)


def _paths(value, path=(), depth=9):
    yield path
    if len(path) < depth:
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, child in children:
            yield from _paths(child, (*path, key))


@st.composite
def corrupted(draw, records: list):
    """One of `records` with up to three values replaced by any JSON value, or deleted."""
    record = copy.deepcopy(draw(st.sampled_from(records)))
    for path in draw(st.lists(st.sampled_from(list(_paths(record))[1:]), max_size=3)):
        try:
            mutate_at(record, path, draw(st.booleans()), draw(json_values))
        except (KeyError, IndexError, TypeError):  # an earlier change removed or replaced this path
            pass
    return record


@FUZZ
@given(comments=st.lists(corrupted(COMMENTS) | json_values, max_size=4), video=json_values | corrupted([{"id": "1", "title": "t", "length": 5,
       "chapters": [{"gameDisplayName": "Just Chatting"}], "created_at": "2024-01-01T00:00:00Z", "duration": "1h2m3s"}]),
       streamer=json_values, layout=st.sampled_from(["td", "tcd", "list"]))
def test_comments_with_wrong_typed_json_raise_only_source_error(comments, video, streamer, layout):
    doc = {"td": {"streamer": streamer, "video": video, "comments": comments, "embeddedData": None},
           "tcd": {"comments": comments, "video": video}, "list": comments}[layout]
    data = json.dumps(doc).encode()

    for fmt in ("json", "video"):
        assert isinstance(_parse(fmt, data), (list, SourceError) if fmt == "json" else (tuple, SourceError))


# --- text and IRC shaped lines --------------------------------------------------------------

text_lines = st.sampled_from([
    "[0:00:12] <Aivoh> LIVE lirikH", "[1:02:03] <@Cool Guy> hi", "[0:00:04] *Sub waves]", "[25:00:00] late: still", "[1 day, 0:00:05] <x> y",
    "[0:00:01] <> empty", "[0:0:1] <a> b", "[2024-01-01 00:00:00 UTC] a: b", "[0:00:01] a:", "[0:00:01] <a> ", "", " ", "\t",
]) | st.text(max_size=40)
irc_lines = st.sampled_from(IRC + [
    "@tmi-sent-ts=1;emotes=25:0-4,999-1000/x:a-b :a!a@a PRIVMSG #c :Kappa", "@tmi-sent-ts=99999999999999999999 :a PRIVMSG #c :x",
    "@bits=abc;tmi-sent-ts=5 :a PRIVMSG #c :Cheer", "@msg-id=resub;tmi-sent-ts=5 :tmi.twitch.tv USERNOTICE #c :yay", "PING :tmi.twitch.tv",
    "@a=\\ :x PRIVMSG #c :\x01ACTION x\x01", ":", "@", "@;;; :!", "@tmi-sent-ts=1 PRIVMSG",
]) | st.text(max_size=40)


@pytest.mark.parametrize("fmt, lines", [("text", text_lines), ("irc", irc_lines), ("any", text_lines | irc_lines)])
@FUZZ
@given(data=st.data(), newline=st.sampled_from(["\n", "\r\n"]))
def test_log_shaped_text_raises_only_source_error(fmt, lines, data, newline):
    text = newline.join(data.draw(st.lists(lines, max_size=12)))
    _parse(fmt, text.encode("utf-8", "surrogatepass"))
