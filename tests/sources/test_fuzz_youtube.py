"""Fuzzing the subtitle, YouTube live-chat and chat-downloader parsers: whatever the input, only SourceError escapes."""

from __future__ import annotations

import copy
import json
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from factories import mutate_at
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatclone.errors import SourceError
from chatclone.sources.chat_downloader import parse_chat_downloader
from chatclone.sources.subtitles import parse_srt, parse_vtt, parse_youtube_auto_vtt
from chatclone.sources.youtube_live_chat import parse_amount, parse_live_chat

TEST_DATA = Path(__file__).resolve().parents[1] / "data"
PARSERS = {
    "vtt": lambda p: list(parse_vtt(p)),
    "srt": lambda p: list(parse_srt(p)),
    "youtube_auto": parse_youtube_auto_vtt,
    "live_chat": lambda p: list(parse_live_chat(p, Counter())),
    "chat_downloader": lambda p: list(parse_chat_downloader(p, Counter())),
}
VALID = {
    "vtt": sorted((TEST_DATA / "subtitles").glob("[!i]*.vtt")),
    "srt": [TEST_DATA / "subtitles" / "sample.srt"],
    "youtube_auto": [TEST_DATA / "subtitles" / "youtube_dl.vtt", TEST_DATA / "subtitles" / "vtttojson_meow_auto.en.vtt"],
    "live_chat": [TEST_DATA / "youtube" / "live_chat.json"],
    "chat_downloader": sorted((TEST_DATA / "youtube").glob("chatdownloader_*.json")),
}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse(fmt: str, data: bytes):
    """Parse `data` written to a temporary file; the result, or the SourceError raised (one line)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input"
        path.write_bytes(data)
        try:
            return PARSERS[fmt](path)
        except SourceError as e:
            assert "\n" not in str(e), f"multi-line error: {e!r}"
            return e


@pytest.mark.parametrize("fmt", PARSERS)
@FUZZ
@given(data=st.binary(max_size=1_000) | st.binary(max_size=200).map(lambda b: b"\xef\xbb\xbfWEBVTT\n\n" + b))
def test_arbitrary_bytes_raise_only_source_error(fmt, data):
    _parse(fmt, data)


@pytest.mark.parametrize("fmt", PARSERS)
@FUZZ
@given(data=st.data())
def test_valid_file_cut_at_any_byte_raises_only_source_error(fmt, data):
    whole = data.draw(st.sampled_from(VALID[fmt])).read_bytes()
    cut = data.draw(st.integers(min_value=0, max_value=len(whole)))

    _parse(fmt, whole[:cut])


# --- subtitle-shaped text -------------------------------------------------------------------

subtitle_lines = st.sampled_from([
    "WEBVTT", "", " ", "1", "NOTE a note", "STYLE", "Kind: captions", "00:00:01.000 --> 00:00:02.000",
    "00:00:02.000 --> 00:00:03.500 align:start position:0%", "00:00:02,000 --> 00:00:03,000", "00:00:03.000 --> 00:00:01.000",
    "00:0x:01.000 --> 00:00:02.000", "-->", "hello world", "a<00:00:01.500><c> b</c><00:00:01.200><c> c</c>",
    "<c.colorE5E5E5>x</c>y<00:00:09.000>z", "&amp; &lt;i&gt; &nbsp;", "<v Bob>hi</v>", "yeah",
]) | st.text(max_size=30)
subtitle_files = st.lists(subtitle_lines, max_size=25).map(lambda lines: "\n".join(lines))


@pytest.mark.parametrize("fmt", ["vtt", "srt", "youtube_auto"])
@FUZZ
@given(text=subtitle_files, header=st.booleans(), newline=st.sampled_from(["\n", "\r\n"]))
def test_subtitle_shaped_text_raises_only_source_error(fmt, text, header, newline):
    _parse(fmt, (("WEBVTT\n\n" if header else "") + text).replace("\n", newline).encode("utf-8", "surrogatepass"))


@FUZZ
@given(text=subtitle_files)
def test_auto_captions_time_every_word_inside_its_cue(text):
    result = _parse("youtube_auto", ("WEBVTT\n\n" + text).encode("utf-8", "surrogatepass"))
    if isinstance(result, SourceError):
        return
    cues, words = result
    assert [w.word for w in words] == " ".join(c.text for c in cues).split()
    at = 0
    for cue in cues:
        cue_words = words[at : at + len(cue.text.split())]
        at += len(cue_words)
        assert all(cue.start_s <= w.start_s <= w.end_s <= cue.end_s for w in cue_words)
        assert all(a.start_s <= b.start_s for a, b in zip(cue_words, cue_words[1:]))


# --- live chat: the real actions with values of the wrong type ------------------------------

json_scalars = st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=12)
json_values = st.recursive(json_scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3), max_leaves=8)
REAL_LINES = [json.loads(line) for line in VALID["live_chat"][0].read_text(encoding="utf-8").splitlines()]


def _paths(value, path=(), depth=9):
    yield path
    if len(path) < depth:
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, child in children:
            yield from _paths(child, (*path, key))


@st.composite
def corrupted(draw, records: list):
    """One of the real `records` with up to three values replaced by any JSON value, or deleted."""
    index = draw(st.integers(min_value=0, max_value=len(records) - 1))
    record = copy.deepcopy(records[index])
    for path in draw(st.lists(st.sampled_from(list(_paths(records[index]))[1:]), max_size=3)):
        try:
            mutate_at(record, path, draw(st.booleans()), draw(json_values))
        except (KeyError, IndexError, TypeError):  # an earlier change removed or replaced this path
            pass
    return record


@FUZZ
@given(lines=st.lists(corrupted(REAL_LINES) | json_values, min_size=1, max_size=4))
def test_live_chat_with_wrong_typed_json_raises_only_source_error(lines):
    result = _parse("live_chat", "\n".join(json.dumps(line) for line in lines).encode())

    assert isinstance(result, (list, SourceError))


# --- chat-downloader: the real items with values of the wrong type ---------------------------

REAL_ITEMS = [item for path in VALID["chat_downloader"] for item in json.loads(path.read_text(encoding="utf-8"))]


@FUZZ
@given(items=st.lists(corrupted(REAL_ITEMS) | json_values, max_size=4) | json_values)
def test_chat_downloader_with_wrong_typed_json_raises_only_source_error(items):
    result = _parse("chat_downloader", json.dumps(items).encode())

    assert isinstance(result, (list, SourceError))


@FUZZ
@given(text=st.text(max_size=20) | st.from_regex(r"[A-Z$€¥£]{0,3}\s?[0-9][0-9.,\s]{0,10}\s?[€A-Za-z]{0,3}", fullmatch=True))
def test_parse_amount_never_raises(text):
    amount, currency = parse_amount(text)

    assert amount is None or amount >= 0
