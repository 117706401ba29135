"""The hive as a compiled kernel: for each answer no read explains, the chat before it, de-duplicated and ranked.

sql/pairs_hive.sql states the rule and builds the prompts; this picks their messages, compiled (numba) because in SQL
the equality join of every chat word with the answers' words took most of the step. It takes the answers of
sql/hive_answers.sql and the chat of the VODs to mine (sql/mine_chat.sql, as kernel_chat.Chat) less the messages
read aloud, and returns each answer's prompt messages as an Arrow table for sql/pairs_hive.sql.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba as nb
import numpy as np
import pyarrow as pa

from chatclone.kernel_chat import Chat, flat, slot, vod_offsets, word_lists

SHARED_MIN_LETTERS = 4  # words an answer and a message share count from this length ("the", "you" do not)
WORKERS = 2


def pick_hive(chat: Chat, read: np.ndarray, answers: pa.Table, params: dict) -> pa.Table:
    """Choose each answer's prompt. Takes the chat of the VODs to mine (kernel_chat.Chat) and which of its rows were
    read aloud (a mask; the hive takes the others), answers (vod, phrase_id, turn_s, norms) sorted by vod and turn_s,
    norms being the distinct words of four letters or more of the answer, and the [mining] params. Returns one row
    per answer that has a prompt: (vod, phrase_id, overlap, first_t, ids, shown): the most words a line shares with
    the answer, when its first message came, the ids of its messages (line by line, each line's in time order), and
    the row id (`mid`) of each line's latest message, the one shown, in line order."""
    n_vods = max(int(chat.vods.max(initial=-1)), int(answers.column("vod").to_numpy().max(initial=-1))) + 1
    n_off, n_hash, _, _, _ = word_lists(answers.column("norms"))
    a_off = vod_offsets(answers, n_vods)
    turn_s = answers.column("turn_s").to_numpy()
    window, top = float(params["hive_window_s"]), int(params["hive_max_messages"])

    def one(g: int) -> tuple:
        v, rows = chat.vods[g], chat.order[chat.starts[g]: chat.starts[g + 1]]
        return (v, *_pick(rows[~read[rows]], chat.t_s, chat.paid, chat.w_off, chat.w_hash, chat.w_len,
                          turn_s[a_off[v]: a_off[v + 1]], n_off[a_off[v]: a_off[v + 1] + 1], n_hash, window, top))

    with ThreadPoolExecutor(WORKERS) as pool:
        picked = [r for r in pool.map(one, range(len(chat.vods))) if len(r[1])]
    if not picked:
        return _prompts(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64),
                        np.zeros(0, np.bool_), np.zeros(0, np.int64), chat)
    answer = np.concatenate([a_off[v] + turn for v, turn, *_ in picked])
    return _prompts(answers.column("vod").to_numpy()[answer], answers.column("phrase_id").to_numpy()[answer],
                    *(np.concatenate([p[k] for p in picked]) for k in (2, 3, 4, 5)), chat)


def _prompts(vod, phrase_id, line, row, last, overlap, chat: Chat) -> pa.Table:
    """pick_hive's rows, one per prompt message (grouped by answer, in order), as one row per answer."""
    answer_start = np.flatnonzero(np.r_[True, (np.diff(vod) != 0) | (np.diff(phrase_id) != 0)]) if len(vod) else vod
    offsets = pa.array(np.r_[answer_start, len(vod)].astype(np.int32))
    shown_at = np.cumsum(np.r_[0, last]).astype(np.int32)
    first_t = np.minimum.reduceat(chat.t_s[row], answer_start) if len(vod) else chat.t_s[:0]
    ids = chat.table.column("message_id").take(pa.array(row))
    mids = chat.table.column("mid").to_numpy()[row[last]]
    return pa.table({"vod": vod[answer_start], "phrase_id": phrase_id[answer_start], "overlap": overlap[answer_start],
                     "first_t": first_t, "ids": pa.ListArray.from_arrays(offsets, flat(ids)),
                     "shown": pa.ListArray.from_arrays(pa.array(shown_at[np.r_[answer_start, len(vod)]]), pa.array(mids))})


@nb.njit(cache=True, nogil=True)
def _pick(rows, t_s, paid, w_off, w_hash, w_len, turn_s, n_off, n_hash, window, top):
    """One VOD: its chat rows in time order, its answers' times and words. Returns (answer, line, chat row, last,
    overlap) per message of a prompt."""
    n = len(rows)
    # a message's words as one hash: messages with the same words are one group
    same = np.empty(n, np.uint64)
    for j in range(n):
        h = np.uint64(1469598103934665603)
        for i in range(w_off[rows[j]], w_off[rows[j] + 1]):
            h = (h ^ w_hash[i]) * np.uint64(1099511628211)
        same[j] = h
    # echoed: another message with the same words came within `window` of it
    echoed = np.zeros(n, np.bool_)
    by_same = np.argsort(same, kind="mergesort")
    for k in range(1, n):
        a, b = by_same[k - 1], by_same[k]
        if same[a] == same[b] and t_s[rows[b]] - t_s[rows[a]] <= window:
            echoed[a] = True
            echoed[b] = True
    size = 16
    while size < 4 * max(n, 8):
        size *= 2
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
    out_line = np.empty(cap, np.int64)
    out_row = np.empty(cap, np.int64)
    out_last = np.empty(cap, np.bool_)
    out_overlap = np.empty(cap, np.int64)
    n_out = 0
    lo = 0
    hi = 0
    for a in range(len(turn_s)):
        t = turn_s[a]
        while hi < n and t_s[rows[hi]] <= t:
            hi += 1
        while lo < hi and t_s[rows[lo]] < t - window:
            lo += 1
        if lo == hi:
            continue
        # the answer's words in a small hash set
        n_norms = n_off[a + 1] - n_off[a]
        if 2 * n_norms > len(norm_keys):
            size_n = len(norm_keys)
            while size_n < 2 * n_norms:
                size_n *= 2
            norm_keys = np.zeros(size_n, np.uint64)
            norm_used = np.zeros(size_n, np.bool_)
            norm_slots = np.empty(size_n // 2, np.int64)
        for i in range(n_off[a], n_off[a + 1]):
            s = slot(norm_keys, norm_used, n_hash[i])
            norm_keys[s] = n_hash[i]
            norm_used[s] = True
            norm_slots[i - n_off[a]] = s
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
        # lines in time order of their first message; the answer's overlap is its lines' best
        lines = chosen[:n_chosen][np.argsort(g_first[chosen[:n_chosen]], kind="mergesort")]
        overlap = 0
        for c in range(n_chosen):
            overlap = max(overlap, g_overlap[lines[c]])
        for line in range(n_chosen):
            g = lines[line]
            for k in range(n_members):
                if member_group[k] != g:
                    continue
                if n_out == cap:
                    cap *= 2
                    out_turn = _grow(out_turn, cap)
                    out_line = _grow(out_line, cap)
                    out_row = _grow(out_row, cap)
                    out_last = _grow(out_last, cap)
                    out_overlap = _grow(out_overlap, cap)
                out_turn[n_out] = a
                out_line[n_out] = line
                out_row[n_out] = members[k]
                out_last[n_out] = members[k] == g_last[g]
                out_overlap[n_out] = overlap
                n_out += 1
    return out_turn[:n_out], out_line[:n_out], out_row[:n_out], out_last[:n_out], out_overlap[:n_out]


@nb.njit(cache=True, nogil=True)
def _grow(values, cap):
    grown = np.empty(cap, values.dtype)
    grown[: len(values)] = values
    return grown
