"""Speech alignment as a compiled kernel: the transcript words of the VODs to mine numbered in time order, with the
pause before each, cut into phrases and stretches.

sql/align_speech.sql states the rule and stores what this returns. In SQL the numbering, the pauses and the running
phrase and stretch counts took two window passes and an ASOF join over every word, a quarter of a mining run; here they
are one pass over words that arrive (sql/align_words.sql) almost always already in order.
"""

from __future__ import annotations

import numba as nb
import numpy as np
import pyarrow as pa

from chatclone.kernel_chat import Speech, bucket, column, flat, hash_word, utf8

# A phrase also starts after a word that ends a sentence (before closing quotes or brackets) and before a word of
# LEAD_IN: a read may follow a thank-you without a pause ("thanks Mika. Kai says ...").
SENTENCE_ENDS = (".", "?", "!", "。", "？", "！")
CLOSERS = "\"')]"
LEAD_IN = ("says", "asks", "asked", "writes", "wrote")


def align(table: pa.Table, n_vods: int, params: dict) -> tuple[pa.Table, pa.Table, Speech]:
    """Number and cut the words (vod, start_s, end_s, word, norm; `vod` as numbered in mine_videos, below n_vods;
    `norm` not empty) of the VODs to mine, in any order, with the [mining] params. Returns the words as speech_words
    rows (the same rows and columns, plus idx, pause_before, phrase_id, stretch), the phrases (vod, phrase_id,
    first_idx, last_idx, start_s, end_s, turn_start) in VOD and time order, and the words as the kernels' Speech."""
    word = flat(table.column("word"))
    norm = flat(table.column("norm"))
    word_off, word_bytes = utf8(word)
    norm_off, norm_bytes = utf8(norm)
    ends, closers, lead_in = (utf8(pa.array(list(strings))) for strings in (SENTENCE_ENDS, CLOSERS, LEAD_IN))
    vod, start_s, end_s = column(table, "vod"), column(table, "start_s"), column(table, "end_s")
    rows, phrases, speech = _align(
        vod, n_vods, start_s, end_s, word_off, word_bytes, norm_off, norm_bytes, *ends, *closers,
        *lead_in, float(params["phrase_pause_s"]), float(params["answer_pause_s"]), float(params["turn_pause_s"]))
    idx, pause, first, phrase_id, stretch = rows
    words = pa.table({"vod": vod, "start_s": start_s, "end_s": end_s, "word": word, "norm": norm,
                      "idx": idx, "pause_before": pa.array(pause, mask=first), "phrase_id": phrase_id, "stretch": stretch})
    p_vod, p_id, p_first, p_last, p_start, p_end, p_turn = phrases
    return words, pa.table({"vod": p_vod, "phrase_id": p_id, "first_idx": p_first, "last_idx": p_last,
                            "start_s": p_start, "end_s": p_end, "turn_start": p_turn}), \
        Speech(*speech[:5], norm_bytes, *speech[5:7], word_bytes, *speech[7:])


@nb.njit(cache=True, parallel=True)
def _align(vod, n_vods, start, end, word_off, word_bytes, norm_off, norm_bytes, end_off, end_bytes, closer_off,
           closer_bytes, lead_off, lead_bytes, phrase_pause, answer_pause, turn_pause):
    """Per row: idx, pause before, whether it is its VOD's first word, phrase_id, stretch; the phrases' columns; and
    Speech's arrays but the bytes: the rows in position order (a VOD's after the VOD before's, in time order)."""
    n = len(vod)
    order, off = bucket(vod, n_vods)
    idx, pause, first = np.empty(n, np.int64), np.zeros(n), np.zeros(n, np.bool_)
    phrase_id, stretch = np.empty(n, np.int64), np.empty(n, np.int64)
    s_hash, s_letters = np.empty(n, np.uint64), np.empty(n, np.int32)
    s_norm_start, s_norm_end, s_word_start, s_word_end = (np.empty(n, np.int64), np.empty(n, np.int64),
                                                          np.empty(n, np.int64), np.empty(n, np.int64))
    s_start, s_end, s_stretch = np.empty(n), np.empty(n), np.empty(n, np.int64)
    n_phrases = np.zeros(n_vods + 1, np.int64)
    for v in nb.prange(n_vods):
        rows = order[off[v]: off[v + 1]]
        for k in range(1, len(rows)):
            if _before(rows[k], rows[k - 1], start, end, word_off, word_bytes):
                _merge_sort(rows, start, end, word_off, word_bytes)
                break
        phrase, run = 0, 1
        for k in range(len(rows)):
            r = rows[k]
            idx[r] = k + 1
            if k == 0:
                first[r] = True
                phrase += 1
            else:
                p = rows[k - 1]
                pause[r] = start[r] - end[p]
                if (pause[r] >= phrase_pause or _ends_sentence(word_bytes[word_off[p]: word_off[p + 1]], end_off,
                                                               end_bytes, closer_bytes)
                        or (k + 1 < len(rows) and _one_of(norm_bytes[norm_off[rows[k + 1]]: norm_off[rows[k + 1] + 1]],
                                                          lead_off, lead_bytes))):
                    phrase += 1
                if pause[r] >= answer_pause:
                    run += 1
            phrase_id[r], stretch[r] = phrase, run
            at = off[v] + k
            s_hash[at], s_letters[at] = hash_word(norm_bytes, norm_off[r], norm_off[r + 1])
            s_norm_start[at], s_norm_end[at] = norm_off[r], norm_off[r + 1]
            s_word_start[at], s_word_end[at] = word_off[r], word_off[r + 1]
            s_start[at], s_end[at], s_stretch[at] = start[r], end[r], run
        n_phrases[v + 1] = phrase
    p_off = np.cumsum(n_phrases)
    m = p_off[-1]
    p_vod, p_id, p_first, p_last = np.empty(m, np.int64), np.empty(m, np.int64), np.empty(m, np.int64), np.empty(m, np.int64)
    p_start, p_end, p_turn = np.empty(m), np.empty(m), np.empty(m, np.bool_)
    for v in nb.prange(n_vods):
        for k in range(off[v + 1] - off[v]):
            r = order[off[v] + k]
            at = p_off[v] + phrase_id[r] - 1
            if k == 0 or phrase_id[r] != phrase_id[order[off[v] + k - 1]]:
                p_vod[at], p_id[at], p_first[at], p_start[at], p_end[at] = v, phrase_id[r], k + 1, start[r], end[r]
                p_turn[at] = first[r] or pause[r] >= turn_pause
            p_last[at] = k + 1
            p_end[at] = max(p_end[at], end[r])
    return ((idx, pause, first, phrase_id, stretch), (p_vod, p_id, p_first, p_last, p_start, p_end, p_turn),
            (off, s_hash, s_letters, s_norm_start, s_norm_end, s_word_start, s_word_end, s_start, s_end, s_stretch))


@nb.njit(cache=True, nogil=True)
def _before(a, b, start, end, word_off, word_bytes):
    """Whether row a comes before row b in time order: by start, end, then the word's bytes (as DuckDB orders text)."""
    if start[a] != start[b]:
        return start[a] < start[b]
    if end[a] != end[b]:
        return end[a] < end[b]
    i, j = word_off[a], word_off[b]
    while i < word_off[a + 1] and j < word_off[b + 1]:
        if word_bytes[i] != word_bytes[j]:
            return word_bytes[i] < word_bytes[j]
        i += 1
        j += 1
    return i == word_off[a + 1] and j < word_off[b + 1]


@nb.njit(cache=True, nogil=True)
def _merge_sort(rows, start, end, word_off, word_bytes):
    """Sort rows (in place) into time order (_before), stable: bottom-up merges through a buffer."""
    n = len(rows)
    src, dst = rows.copy(), np.empty(n, rows.dtype)
    width = 1
    while width < n:
        for lo in range(0, n, 2 * width):
            mid, hi = min(lo + width, n), min(lo + 2 * width, n)
            i, j = lo, mid
            for k in range(lo, hi):
                if j >= hi or (i < mid and not _before(src[j], src[i], start, end, word_off, word_bytes)):
                    dst[k] = src[i]
                    i += 1
                else:
                    dst[k] = src[j]
                    j += 1
        src, dst = dst, src
        width *= 2
    rows[:] = src


@nb.njit(cache=True, nogil=True)
def _ends_sentence(word, end_off, end_bytes, closer_bytes):
    """Whether a word (UTF-8 bytes) ends in one of the sentence ends (end_off/end_bytes), closers after it aside."""
    j = len(word)
    while j > 0 and _has(closer_bytes, word[j - 1]):
        j -= 1
    for e in range(len(end_off) - 1):
        if _equal(word[max(j - (end_off[e + 1] - end_off[e]), 0): j], end_bytes[end_off[e]: end_off[e + 1]]):
            return True
    return False


@nb.njit(cache=True, nogil=True)
def _one_of(word, off, data):
    """Whether a word (UTF-8 bytes) is one of the strings off/data."""
    for e in range(len(off) - 1):
        if _equal(word, data[off[e]: off[e + 1]]):
            return True
    return False


@nb.njit(cache=True, nogil=True)
def _equal(a, b):
    """Whether two byte strings are equal."""
    if len(a) != len(b):
        return False
    for i in range(len(a)):
        if a[i] != b[i]:
            return False
    return True


@nb.njit(cache=True, nogil=True)
def _has(values, value):
    """Whether value is among values."""
    for v in values:
        if v == value:
            return True
    return False
