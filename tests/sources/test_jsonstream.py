"""The nesting limit every ijson-fed parser reads through: deep files refused, strings never counted."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import ijson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatclone.errors import SourceError
from chatclone.sources import chat_downloader, discord, messenger, telegram, twitch
from chatclone.sources.jsonstream import MAX_DEPTH, DepthGuard, stream_items

PATH = Path("export.json")


def depth(value) -> int:
    """Brackets open at the deepest point of `value` written as JSON."""
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


def guarded_items(data: bytes, buf_size: int) -> list:
    return list(ijson.items(DepthGuard(io.BytesIO(data), PATH), "item", buf_size=buf_size, use_float=True))


def test_a_file_of_brackets_is_refused_with_a_one_line_error_naming_it(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 20_000 + b"]" * 20_000)  # unguarded, ijson takes about 1 GB for this
    with pytest.raises(SourceError, match=rf"deep\.json: JSON nested deeper than {MAX_DEPTH} levels between bytes 0 and 40,000") as caught:
        list(stream_items(deep, "item"))
    assert "\n" not in str(caught.value)


NESTED = b"[" * 5_000 + b"]" * 5_000


@pytest.mark.parametrize(("parse", "document"), [
    (discord.parse, b'{"messages": [{"content": %s}]}' % NESTED),
    (messenger.parse, b'{"messages": [{"content": %s}]}' % NESTED),
    (telegram.parse, b'{"messages": [{"text": %s}]}' % NESTED),
    (twitch.parse_twitch, b'{"comments": [{"message": %s}]}' % NESTED),
    (chat_downloader.parse_chat_downloader, b'[{"message": %s}]' % NESTED),
])
def test_every_json_export_parser_refuses_deep_nesting_inside_a_record(tmp_path, parse, document):
    deep = tmp_path / "deep.json"
    deep.write_bytes(document)
    with pytest.raises(SourceError, match=rf"deep\.json: JSON nested deeper than {MAX_DEPTH} levels between bytes 0 and 10,0"):
        list(parse(deep, Counter()))


def test_the_limit_itself_is_allowed_and_one_more_level_is_not():
    allowed = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert guarded_items(allowed, 64) == json.loads(allowed)
    with pytest.raises(SourceError, match="nested deeper"):
        guarded_items(b"[" + allowed + b"]", 64)


def test_brackets_quotes_and_escapes_inside_strings_do_not_count_even_across_reads():
    value = ["[" * 1000, '{"[\\', "\\" * 7 + '"' + "[[" * 300, {"k[[[": "}}}" + "[" * 500}]
    data = json.dumps(value).encode()
    for buf_size in (1, 2, 3, 7, 64, 65536):
        assert guarded_items(data, buf_size) == value


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(alphabet='[]{}"\\ab\n\u00e9', max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(alphabet='[]{}"\\k', max_size=4), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(value=json_values, wrap=st.integers(0, MAX_DEPTH + 3), buf_size=st.integers(1, 40), indent=st.sampled_from([None, 2]))
def test_fuzz_the_guard_refuses_exactly_what_nests_too_deep_and_reads_the_rest_unchanged(value, wrap, buf_size, indent):
    document = [value]
    for _ in range(wrap):
        document = [document]
    data = json.dumps(document, indent=indent, ensure_ascii=False).encode()
    if depth(document) > MAX_DEPTH:
        with pytest.raises(SourceError, match="nested deeper"):
            guarded_items(data, buf_size)
    else:
        assert guarded_items(data, buf_size) == document
