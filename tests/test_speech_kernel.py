"""The speech kernel (speech_kernel.align) against a plain Python statement of its rule (sql/align_speech.sql), on
words in any order, with ties, punctuation, lead-ins and text beyond ASCII."""

from __future__ import annotations

import re
from itertools import groupby

import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from chatclone import kernel_chat, speech_kernel
from chatclone.config import Mining

PARAMS = Mining().model_dump()
SENTENCE_END = re.compile(r"[.?!。？！][\"')\]]*$")
LEAD_IN = {"says", "asks", "asked", "writes", "wrote"}

TIMES = st.sampled_from([0.0, 0.1, 0.3, 0.5, 1.0, 1.2, 2.0, 2.5, 4.0, 9.0])
WORD = st.one_of(st.sampled_from(["says", "Asks", "wrote:", "ok.", "why?'", "really!)", "はい。", "何？」", "\"hi\"", "x"]),
                 st.text(alphabet="ab日é.?!')\"]", min_size=1, max_size=5))
ROW = st.tuples(st.integers(0, 3), TIMES, st.sampled_from([0.0, 0.2, 0.6]), WORD)


def _norm(word: str) -> str:
    return "".join(c for c in word.lower() if c.isalnum())


def reference(rows: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """The rule, plainly: (vod, start, end, word, norm, idx, pause, phrase, stretch) per word; the phrases."""
    words, phrases = [], []
    for vod, group in groupby(sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3].encode())), key=lambda r: r[0]):
        group = list(group)
        phrase = stretch = 0
        for k, (_, start, end, word, norm) in enumerate(group):
            pause = None if k == 0 else start - group[k - 1][2]
            if (pause is None or pause >= PARAMS["phrase_pause_s"] or SENTENCE_END.search(group[k - 1][3])
                    or (k + 1 < len(group) and group[k + 1][4] in LEAD_IN)):
                phrase += 1
                phrases.append([vod, phrase, k + 1, k + 1, start, end, pause is None or pause >= PARAMS["turn_pause_s"]])
            if pause is None or pause >= PARAMS["answer_pause_s"]:
                stretch += 1
            phrases[-1][3], phrases[-1][5] = k + 1, max(phrases[-1][5], end)
            words.append((vod, start, end, word, norm, k + 1, pause, phrase, stretch))
    return words, [tuple(p) for p in phrases]


@settings(max_examples=300, deadline=None)
@given(st.lists(ROW, max_size=40))
@example([(0, 1.0, 0.2, "ab."), (0, 1.0, 0.2, "ab"), (0, 0.5, 0.0, "x")])  # at equal times, a word's prefix first
def test_align_numbers_and_cuts_words_in_any_order_as_the_rule_says(rows):
    rows = [(vod, start, start + length, word, _norm(word)) for vod, start, length, word in rows if _norm(word)]
    table = pa.table({"vod": pa.array([r[0] for r in rows], pa.int64()), "start_s": pa.array([r[1] for r in rows], pa.float64()),
                      "end_s": pa.array([r[2] for r in rows], pa.float64()), "word": pa.array([r[3] for r in rows], pa.string()),
                      "norm": pa.array([r[4] for r in rows], pa.string())})
    words, phrases, speech = speech_kernel.align(table, 4, PARAMS)
    expected_words, expected_phrases = reference(rows)
    got = words.select(["vod", "start_s", "end_s", "word", "norm", "idx", "pause_before", "phrase_id", "stretch"])
    assert sorted(map(tuple, (r.values() for r in got.to_pylist())), key=repr) == sorted(expected_words, key=repr)
    assert [tuple(r.values()) for r in phrases.to_pylist()] == expected_phrases
    # the kernels' arrays: every VOD's words in position (idx) order, the norm hashed as kernel_chat.words does
    assert speech.off.tolist() == [sum(r[0] < v for r in rows) for v in range(5)]
    assert [(speech.start_s[i], speech.end_s[i], speech.word_bytes[speech.word_start[i]: speech.word_end[i]].tobytes().decode(),
             int(speech.stretch[i])) for i in range(len(rows))] == [(w[1], w[2], w[3], w[8]) for w in expected_words]
    norms = [w[4] for w in expected_words]
    hashes, letters, _, _ = kernel_chat.words(pa.array(norms, pa.string()))
    assert speech.hash.tolist() == hashes.tolist() and speech.letters.tolist() == letters.tolist()
    assert [speech.norm_bytes[speech.norm_start[i]: speech.norm_end[i]].tobytes().decode() for i in range(len(rows))] == norms
