"""The hive as a compiled kernel: for each answer no read explains, the chat before it, de-duplicated and ranked.

sql/pairs_hive.sql states the rule and stores the pairs; this picks their messages, compiled (numba) because in SQL
the equality join of every chat word with the answers' words took most of the step. It takes the turns no read
explains (sql/hive_turns.sql), cuts their answers from the speech of the VODs to mine (speech_kernel.align()'s
kernel_chat.Speech), picks their prompts from the chat (sql/mine_chat.sql, as kernel_chat.Chat) less the messages read
aloud, joins the lines of the messages shown (sql/hive_lines.sql) into prompts, and returns the hive pairs as an Arrow
table for sql/pairs_hive.sql.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba as nb
import numpy as np
import pyarrow as pa

from chatclone.kernel_chat import FNV_OFFSET, FNV_PRIME, Chat, Speech, column, flat, slot, table_size, utf8, vod_offsets

SHARED_MIN_LETTERS = 4  # words an answer and a message share count from this length ("the", "you" do not)
WORKERS = 2


def pick_hive(chat: Chat, read: np.ndarray, speech: Speech, turns: pa.Table, params: dict) -> pa.Table:
    """Choose each answer's prompt. Takes the chat and speech of the VODs to mine (kernel_chat.Chat, Speech), which
    chat rows were read aloud (a mask; the hive takes the others), the turns no read explains (vod, phrase_id,
    first_idx, turn_s, next_read_idx, stretch) sorted by vod and turn_s, and the [mining] params. Returns one row per
    hive pair: (vod, phrase_id, overlap, first_t, ids, shown, response, answer_start_s, answer_end_s): the most words
    a line shares with the answer, when its first message came, the ids of its messages (line by line, each line's in
    time order), the row id (`mid`) of each line's latest message (the one shown) in line order, and the answer."""
    t_off = vod_offsets(turns, len(speech.off) - 1)
    turn_s, first, next_read, stretch = (column(turns, c) for c in ("turn_s", "first_idx", "next_read_idx", "stretch"))
    settings = (float(params["hive_window_s"]), int(params["hive_max_messages"]), float(params["answer_max_s"]),
                int(params["min_answer_words"]))

    def one(g: int) -> tuple:
        v, rows = chat.vods[g], chat.order[chat.starts[g]: chat.starts[g + 1]]
        t = slice(t_off[v], t_off[v + 1])
        return (t_off[v], *_pick(rows[~read[rows]], chat.t_s, chat.paid, chat.w_off, chat.w_hash, chat.w_len,
                                 turn_s[t], first[t], next_read[t], stretch[t], speech.off[v], speech.hash,
                                 speech.letters, speech.start_s, speech.end_s, speech.stretch, speech.off[v + 1],
                                 *settings))

    with ThreadPoolExecutor(WORKERS) as pool:
        picked = list(pool.map(one, range(len(chat.vods))))
    answers = np.concatenate([np.zeros((0, 3), np.int64)] + [p[5] + [p[0], 0, 0] for p in picked])
    turn = np.concatenate([np.zeros(0, np.int64)] + [p[1] + p[0] for p in picked])
    row, last, overlap = (np.concatenate([np.zeros(0, dtype)] + [p[k] for p in picked])
                          for k, dtype in ((2, np.int64), (3, np.bool_), (4, np.int64)))
    starts = np.searchsorted(turn, answers[:, 0])
    offsets = np.r_[starts, len(turn)].astype(np.int32)
    shown_at = np.cumsum(np.r_[0, last]).astype(np.int32)[offsets]
    # contiguous copies: a column of one row would be a contiguous view, of more a strided one (two compiled kernels)
    first_word, end_word = np.ascontiguousarray(answers[:, 1]), np.ascontiguousarray(answers[:, 2])
    response_off, response = join(first_word, end_word, speech.word_start, speech.word_end, speech.word_bytes, 32)
    return pa.table({
        "vod": turns.column("vod").to_numpy()[answers[:, 0]],
        "phrase_id": turns.column("phrase_id").to_numpy()[answers[:, 0]],
        "overlap": overlap[starts],
        "first_t": np.minimum.reduceat(chat.t_s[row], starts) if len(starts) else chat.t_s[:0],
        "ids": pa.ListArray.from_arrays(pa.array(offsets), flat(chat.table.column("message_id").take(pa.array(row)))),
        "shown": pa.ListArray.from_arrays(pa.array(shown_at), pa.array(chat.table.column("mid").to_numpy()[row[last]])),
        "response": pa.LargeStringArray.from_buffers(len(answers), pa.py_buffer(response_off), pa.py_buffer(response)),
        "answer_start_s": speech.start_s[first_word],
        "answer_end_s": np.concatenate([np.zeros(0)] + [p[6] for p in picked])})


def with_prompts(pairs: pa.Table, lines: pa.Table) -> pa.Table:
    """The hive pairs of pick_hive() with their prompts: `shown` replaced by `prompt`, the lines (mid, line; as
    sql/hive_lines.sql gives them) of the messages shown, in order, one per line."""
    shown = flat(pairs.column("shown"))
    offsets, mids = shown.offsets.to_numpy(), shown.flatten().to_numpy()
    line_mid = column(lines, "mid")
    by_mid = np.argsort(line_mid)
    at = by_mid[np.searchsorted(line_mid, mids, sorter=by_mid)]
    line_off, line_bytes = utf8(flat(lines.column("line")))
    prompt_off, prompt = join(offsets[:-1] - offsets[0], offsets[1:] - offsets[0], line_off[at], line_off[at + 1], line_bytes, 10)
    return pairs.drop_columns(["shown"]).append_column(
        "prompt", pa.LargeStringArray.from_buffers(len(pairs), pa.py_buffer(prompt_off), pa.py_buffer(prompt)))


@nb.njit(cache=True, nogil=True)
def join(first, end, starts, ends, data, sep):
    """The strings first[i]..end[i] (the bytes data[starts[k]:ends[k]]) of each item i joined by the byte sep: (byte
    offsets, UTF-8 bytes) of a string array."""
    offsets = np.zeros(len(first) + 1, np.int64)
    for i in range(len(first)):
        size = max(end[i] - first[i] - 1, 0)
        for k in range(first[i], end[i]):
            size += ends[k] - starts[k]
        offsets[i + 1] = offsets[i] + size
    out = np.empty(offsets[-1], np.uint8)
    for i in range(len(first)):
        at = offsets[i]
        for k in range(first[i], end[i]):
            if k > first[i]:
                out[at] = sep
                at += 1
            n = ends[k] - starts[k]
            out[at: at + n] = data[starts[k]: starts[k] + n]
            at += n
    return offsets, out


@nb.njit(cache=True, nogil=True)
def _pick(rows, t_s, paid, w_off, w_hash, w_len, turn_s, turn_first, turn_next, turn_stretch, s0, s_hash, s_len,
          s_start_s, s_end_s, s_stretch, s1, window, top, answer_max, min_words):
    """One VOD: its chat rows in time order, its turns (time, first word, next read's first word, stretch) in time
    order, its speech words s0..s1. Returns (answer, chat row, last, overlap) per message of a prompt, line by line;
    then (answer, first word, end word) and the end time of each answer with a prompt: a stretch's first turn with
    chat to answer."""
    n = len(rows)
    # a message's words as one hash: messages with the same words are one group
    same = np.empty(n, np.uint64)
    for j in range(n):
        h = FNV_OFFSET
        for i in range(w_off[rows[j]], w_off[rows[j] + 1]):
            h = (h ^ w_hash[i]) * FNV_PRIME
        same[j] = h
    # echoed: another message with the same words came within `window` of it
    echoed = np.zeros(n, np.bool_)
    by_same = np.argsort(same, kind="mergesort")
    for k in range(1, n):
        a, b = by_same[k - 1], by_same[k]
        if same[a] == same[b] and t_s[rows[b]] - t_s[rows[a]] <= window:
            echoed[a] = True
            echoed[b] = True
    size = table_size(2 * max(n, 8))
    norm_keys = np.zeros(1024, np.uint64)
    norm_used = np.zeros(1024, np.bool_)
    norm_slots = np.empty(512, np.int64)
    group_keys = np.zeros(size, np.uint64)
    group_used = np.zeros(size, np.bool_)
    group_of = np.zeros(size, np.int64)
    g_first = np.empty(n, np.float64)
    g_last_t = np.empty(n, np.float64)
    g_last = np.empty(n, np.int64)
    g_senders = np.empty(n, np.int64)
    g_overlap = np.empty(n, np.int64)
    g_paid = np.empty(n, np.bool_)
    g_slot = np.empty(n, np.int64)
    member_group = np.empty(n, np.int64)
    members = np.empty(n, np.int64)
    chosen = np.empty(top, np.int64)
    cap = 1024
    out_turn = np.empty(cap, np.int64)
    out_row = np.empty(cap, np.int64)
    out_last = np.empty(cap, np.bool_)
    out_overlap = np.empty(cap, np.int64)
    n_out = 0
    answers = np.empty((len(turn_s), 3), np.int64)
    answer_end_s = np.empty(len(turn_s), np.float64)
    n_answers = 0
    last_stretch = -1
    lo = 0
    hi = 0
    for a in range(len(turn_s)):
        t = turn_s[a]
        while hi < n and t_s[rows[hi]] <= t:
            hi += 1
        while lo < hi and t_s[rows[lo]] < t - window:
            lo += 1
        if lo == hi or turn_stretch[a] == last_stretch:
            continue
        # the answer: the turn's words in its stretch, up to the next read and answer_max after its start
        first = s0 + turn_first[a] - 1
        end = first
        while (end < s1 and s_stretch[end] == turn_stretch[a] and end - s0 + 1 < turn_next[a]
               and s_start_s[end] <= t + answer_max):
            end += 1
        if end - first < min_words:
            continue
        # its words of four letters or more in a small hash set
        if 2 * (end - first) > len(norm_keys):
            size_n = table_size(end - first)
            norm_keys = np.zeros(size_n, np.uint64)
            norm_used = np.zeros(size_n, np.bool_)
            norm_slots = np.empty(size_n // 2, np.int64)
        n_norms = 0
        for i in range(first, end):
            if s_len[i] >= SHARED_MIN_LETTERS:
                s = slot(norm_keys, norm_used, s_hash[i])
                if not norm_used[s]:
                    norm_keys[s] = s_hash[i]
                    norm_used[s] = True
                    norm_slots[n_norms] = s
                    n_norms += 1
        n_groups = 0
        n_members = 0
        for j in range(lo, hi):
            m = rows[j]
            overlap = 0
            for i in range(w_off[m], w_off[m + 1]):
                if w_len[i] < SHARED_MIN_LETTERS:
                    continue
                seen = False
                for i2 in range(w_off[m], i):
                    if w_hash[i2] == w_hash[i]:
                        seen = True
                        break
                if not seen and norm_used[slot(norm_keys, norm_used, w_hash[i])]:
                    overlap += 1
            if overlap == 0 and not echoed[j]:
                continue
            s = slot(group_keys, group_used, same[j])
            if not group_used[s]:
                group_used[s] = True
                group_keys[s] = same[j]
                group_of[s] = n_groups
                g_slot[n_groups] = s
                g_first[n_groups] = t_s[m]
                g_senders[n_groups] = 0
                g_overlap[n_groups] = 0
                g_paid[n_groups] = False
                g_last_t[n_groups] = -np.inf
                n_groups += 1
            g = group_of[s]
            g_senders[g] += 1
            g_overlap[g] = max(g_overlap[g], overlap)
            g_paid[g] = g_paid[g] or paid[m]
            if t_s[m] >= g_last_t[g]:
                g_last_t[g] = t_s[m]
                g_last[g] = m
            member_group[n_members] = g
            members[n_members] = m
            n_members += 1
        # emptied slot by slot as filled: a lookup would stop at the first emptied one of a run
        norm_used[norm_slots[:n_norms]] = False
        for g in range(n_groups):
            group_used[g_slot[g]] = False
        # the best `top` groups: words shared, then senders and super chats; the later first message among equals
        n_chosen = 0
        for _ in range(top):
            best = -1
            best_score = -1.0
            for g in range(n_groups):
                if g_overlap[g] == 0 and g_senders[g] < 2:
                    continue
                taken = False
                for c in range(n_chosen):
                    if chosen[c] == g:
                        taken = True
                if taken:
                    continue
                score = g_overlap[g] + 0.5 * (g_senders[g] - 1) + (0.5 if g_paid[g] else 0.0)
                if score > best_score or (score == best_score and g_first[g] > g_first[best]):
                    best, best_score = g, score
            if best < 0:
                break
            chosen[n_chosen] = best
            n_chosen += 1
        if n_chosen == 0:
            continue
        last_stretch = turn_stretch[a]
        answers[n_answers, 0], answers[n_answers, 1], answers[n_answers, 2] = a, first, end
        answer_end_s[n_answers] = s_end_s[first:end].max()
        n_answers += 1
        # lines in time order of their first message; the answer's overlap is its lines' best
        lines = chosen[:n_chosen][np.argsort(g_first[chosen[:n_chosen]], kind="mergesort")]
        overlap = 0
        for c in range(n_chosen):
            overlap = max(overlap, g_overlap[lines[c]])
        for c in range(n_chosen):
            g = lines[c]
            for k in range(n_members):
                if member_group[k] != g:
                    continue
                if n_out == cap:
                    cap *= 2
                    out_turn = _grow(out_turn, cap)
                    out_row = _grow(out_row, cap)
                    out_last = _grow(out_last, cap)
                    out_overlap = _grow(out_overlap, cap)
                out_turn[n_out] = a
                out_row[n_out] = members[k]
                out_last[n_out] = members[k] == g_last[g]
                out_overlap[n_out] = overlap
                n_out += 1
    return (out_turn[:n_out], out_row[:n_out], out_last[:n_out], out_overlap[:n_out],
            answers[:n_answers], answer_end_s[:n_answers])


@nb.njit(cache=True, nogil=True)
def _grow(values, cap):
    """values copied into a longer array of cap."""
    grown = np.empty(cap, values.dtype)
    grown[: len(values)] = values
    return grown
