"""The compiled kernels: their string measures agree with DuckDB's, and chat in any row order gives the same reads."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import JaroWinkler

from chatclone import kernel_chat, read_kernel
from chatclone.config import Mining
from chatclone.mining import mine
from chatclone.warehouse import Warehouse
from tests.test_mining import add_vod, chat, say

# letters that make near misses likely; and some beyond ASCII, compared as bytes (as DuckDB does)
ASCII_WORDS = st.text(alphabet="abcdeilnorst", max_size=9)
WORDS = st.text(alphabet="abcdeilnorstäé日本語", min_size=1, max_size=9)  # words are never empty


@pytest.fixture(scope="module")
def duck():
    con = duckdb.connect()
    yield con
    con.close()


def _bytes(word: str) -> np.ndarray:
    return np.frombuffer(word.encode(), np.uint8)


@settings(max_examples=300, deadline=None)
@given(ASCII_WORDS, ASCII_WORDS)
def test_jaro_winkler_is_duckdbs(duck, a, b):
    expected = duck.execute("SELECT jaro_winkler_similarity(?, ?)", [a, b]).fetchall()[0][0]
    assert read_kernel.jaro_winkler(_bytes(a), _bytes(b)) == pytest.approx(expected, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(WORDS, WORDS)
def test_jaro_winkler_of_any_text_is_rapidfuzzs_over_its_bytes(a, b):
    """Beyond ASCII DuckDB's own result for the same two words was once seen to differ between runs (0.80 and 0.85 for
    "a" and "aä"), so the reference there is rapidfuzz, whose C++ DuckDB embeds, over the UTF-8 bytes."""
    expected = JaroWinkler.similarity(a.encode(), b.encode())
    assert read_kernel.jaro_winkler(_bytes(a), _bytes(b)) == pytest.approx(expected, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.lists(WORDS, max_size=6))
def test_word_letters_are_duckdbs_length_and_equal_words_hash_equal(duck, words):
    hashes, letters, _, _ = kernel_chat.words(pa.array(words + words, pa.string()))
    assert letters[: len(words)].tolist() == [duck.execute("SELECT length(?)", [w]).fetchall()[0][0] for w in words]
    assert hashes[: len(words)].tolist() == hashes[len(words):].tolist()
    assert len(set(hashes[: len(words)].tolist())) == len(set(words))


def test_chat_rows_in_any_order_give_the_same_reads(tmp_path):
    """Chat is normally stored in replay order; where it is not (nor VOD by VOD), the kernel sorts it itself."""
    with Warehouse(tmp_path / "w.duckdb") as wh:
        for vod in ("v2", "v1"):
            add_vod(wh, vod)
        # v1's chat inserted last and backwards in time; two messages with the same words, the earlier one is read
        chat(wh, 4.0, "Ren", "what game are you playing tonight", video_id="v2")
        chat(wh, 3.0, "Yuki", "can you sing a song for us", video_id="v1")
        chat(wh, 2.0, "Ren", "can you sing a song for us", video_id="v1")
        for vod in ("v1", "v2"):
            say(wh, 6.0, "can you sing a song for us" if vod == "v1" else "what game are you playing tonight", video_id=vod)
            say(wh, 8.6, "not today my throat hurts a bit", video_id=vod)
        mine(wh, Mining())
        reads = wh.con.execute("SELECT video_id, message_id FROM reads ORDER BY video_id").fetchall()
        params = Mining().model_dump()
        wh.run("mine_todo", **params | {"version": "again"})
        chat_rows = wh.arrow("mine_chat", **params)
    assert reads == [("v1", "m2-Ren"), ("v2", "m4-Ren")]
    chat_arrays = kernel_chat.chat_arrays(chat_rows)
    assert chat_arrays.starts.tolist() == [0, 2, 3] and sorted(chat_arrays.vods.tolist()) == [0, 1]
    assert chat_arrays.t_s[chat_arrays.order].tolist()[:2] == [2.0, 3.0]


@settings(max_examples=300, deadline=None)
@given(WORDS, WORDS)
def test_the_near_test_is_jaro_winkler_over_the_threshold(a, b):
    """_near rules most pairs out by their lengths before computing Jaro-Winkler; it must never rule out a near pair."""
    assert read_kernel._near(_bytes(a), _bytes(b)) == (read_kernel.jaro_winkler(_bytes(a), _bytes(b)) >= read_kernel.NEAR_SIMILARITY)
