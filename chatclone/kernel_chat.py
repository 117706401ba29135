"""The chat and speech of the VODs to mine as flat arrays for the compiled kernels (read_kernel.py,
hive_kernel.py): Arrow tables from DuckDB, their words hashed once (FNV-1a of the UTF-8 bytes) with their letter counts,
the chat put in time order VOD by VOD."""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import pyarrow as pa

# FNV-1a, 64 bits: a word's hash from its bytes, a message's from its words' hashes
FNV_OFFSET = np.uint64(14695981039346656037)
FNV_PRIME = np.uint64(1099511628211)


@dataclass
class Chat:
    """The chat messages of the VODs to mine (mine_chat.sql) as arrays, indexed by row of `table`. `order` lists the
    rows each VOD's together in time order; `starts` is where each VOD's rows start in it (and, last, the end) and
    `vods` which VOD each is. Each message's words are w_off[row]..w_off[row + 1] in w_hash (hash), w_len (letters)
    and w_boff/w_bytes (their UTF-8 bytes)."""

    table: pa.Table
    order: np.ndarray
    starts: np.ndarray
    vods: np.ndarray
    t_s: np.ndarray
    paid: np.ndarray
    w_off: np.ndarray
    w_hash: np.ndarray
    w_len: np.ndarray
    w_boff: np.ndarray
    w_bytes: np.ndarray


@dataclass
class Speech:
    """The transcript words of the VODs to mine (speech_kernel.align()) as arrays in position order: VOD v's words
    are off[v]..off[v + 1], in idx order. Each word's norm as hash and letters, with its UTF-8 bytes norm_bytes[norm_start:
    norm_end]; as said (`word`) in word_bytes[word_start:word_end]; its times and stretch."""

    off: np.ndarray
    hash: np.ndarray
    letters: np.ndarray
    norm_start: np.ndarray
    norm_end: np.ndarray
    norm_bytes: np.ndarray
    word_start: np.ndarray
    word_end: np.ndarray
    word_bytes: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    stretch: np.ndarray


def chat_arrays(table: pa.Table) -> Chat:
    """Chat (mid, message_id, vod, t_s, paid, author, words) from DuckDB as the kernels' arrays."""
    t_s = column(table, "t_s")
    order, starts, vods = time_order(column(table, "mid"), column(table, "vod"), t_s)
    return Chat(table, order, starts, vods, t_s, table.column("paid").to_numpy(zero_copy_only=False),
                *word_lists(table.column("words")))


def time_order(mid: np.ndarray, vod: np.ndarray, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The chat's rows each VOD's together in time order, the earlier row (`mid`) first at equal times (the message
    others copied): (row order, where each VOD's rows start in it and, last, the end, which VOD each is)."""
    order, starts = _time_order(mid, vod, t_s, int(vod.max(initial=-1)) + 1)
    has_rows = np.flatnonzero(np.diff(starts))
    return order, np.r_[starts[has_rows], len(order)].astype(np.int64), has_rows.astype(np.int64)


@nb.njit(cache=True, nogil=True)
def _time_order(mid, vod, t_s, n_vods):
    """Rows bucketed by VOD (bucket()), then each VOD's sorted by (t_s, mid) where they are not already: the chat
    arrives a VOD at a time in replay order, so that is rare and one VOD's rows at most."""
    order, starts = bucket(vod, n_vods)
    for v in range(n_vods):
        rows = order[starts[v]: starts[v + 1]]
        for k in range(1, len(rows)):
            a, b = rows[k - 1], rows[k]
            if t_s[b] < t_s[a] or (t_s[b] == t_s[a] and mid[b] < mid[a]):
                by_mid = rows[np.argsort(mid[rows], kind="mergesort")]
                order[starts[v]: starts[v + 1]] = by_mid[np.argsort(t_s[by_mid], kind="mergesort")]
                break
    return order, starts


@nb.njit(cache=True, nogil=True)
def bucket(vod, n_vods):
    """Rows bucketed by VOD, a counting sort that keeps their order: (row order, where each VOD's rows start in it
    and, last, the end)."""
    starts = np.zeros(n_vods + 1, np.int64)
    for v in vod:
        starts[v + 1] += 1
    starts = np.cumsum(starts)
    fill = starts[:-1].copy()
    order = np.empty(len(vod), np.int64)
    for row in range(len(vod)):
        order[fill[vod[row]]] = row
        fill[vod[row]] += 1
    return order, starts


def column(table: pa.Table, name: str) -> np.ndarray:
    """A column as a NumPy array, always read-only: Arrow gives a view of one chunk (read-only) but a copy of several,
    and numba compiles a kernel anew for each (seconds, in the run that first meets it)."""
    values = table.column(name).to_numpy()
    values.flags.writeable = False
    return values


def vod_offsets(table: pa.Table, n_vods: int) -> np.ndarray:
    """Where each VOD's rows start (and, last, the end) in a table sorted by vod."""
    return np.searchsorted(table.column("vod").to_numpy(), np.arange(n_vods + 1)).astype(np.int64)


def flat(column: pa.ChunkedArray) -> pa.Array:
    """A chunked column as one array (copied only where it has several chunks)."""
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def word_lists(column: pa.ChunkedArray) -> tuple:
    """A list<string> column as (list offsets, hashes, letter counts, byte offsets, bytes) of its words."""
    lists = flat(column)
    offsets = lists.offsets.to_numpy().astype(np.int64)
    return (offsets - offsets[0], *words(lists.flatten()))


def utf8(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's (byte offsets, bytes), without a copy; read-only always, as column() gives arrays (a buffer
    Arrow made by joining chunks would be writable)."""
    _, offsets, data = strings.buffers()
    width = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    offsets = np.frombuffer(offsets, width)[strings.offset: strings.offset + len(strings) + 1]
    data = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    offsets.flags.writeable = data.flags.writeable = False
    return offsets, data


def words(strings: pa.Array) -> tuple:
    """Strings as (hashes, letter counts, byte offsets, bytes)."""
    offsets, data = utf8(strings)
    hashes, letters = _hash_words(offsets, data)
    return hashes, letters, offsets, data


@nb.njit(cache=True, parallel=True)
def _hash_words(offsets, data):
    """FNV-1a of each word's bytes, and its length in code points (DuckDB's length())."""
    n = len(offsets) - 1
    hashes = np.empty(n, np.uint64)
    letters = np.empty(n, np.int32)
    for i in nb.prange(n):
        hashes[i], letters[i] = hash_word(data, offsets[i], offsets[i + 1])
    return hashes, letters


@nb.njit(cache=True, nogil=True)
def hash_word(data, start, end):
    """FNV-1a of the bytes data[start:end], and how many code points they are."""
    h = FNV_OFFSET
    c = 0
    for j in range(start, end):
        b = data[j]
        h = (h ^ np.uint64(b)) * FNV_PRIME
        if b & 0xC0 != 0x80:
            c += 1
    return h, c


@nb.njit(cache=True, nogil=True)
def table_size(n_keys):
    """The size of an open-addressing table for n_keys keys: a power of two, at least twice that and 16."""
    size = 16
    while size < 2 * n_keys:
        size *= 2
    return size


@nb.njit(cache=True, nogil=True)
def slot(keys, used, h):
    """The slot of hash h in an open-addressing table (a power of two in size): where it is, or the free one."""
    mask = len(keys) - 1
    i = np.int64(h & np.uint64(mask))
    while used[i] and keys[i] != h:
        i = (i + 1) & mask
    return i
