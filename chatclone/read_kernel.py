"""The read-aloud matcher as a compiled kernel: which chat messages the streamer read aloud at the start of a phrase.

sql/reads.sql states the rule; this is its scoring half, compiled (numba) because, in SQL, comparing 2.2 million
(message, phrase) candidates with list functions took most of a mining run. It takes the chat of the VODs to mine
(sql/mine_chat.sql, as kernel_chat.Chat) and their speech and phrases (as speech_kernel.align() gives them) and returns
the reads as an Arrow table for sql/reads.sql to insert. Words are compared by a 64-bit hash of their UTF-8 bytes;
the near-miss test is DuckDB's jaro_winkler_similarity, byte for byte.
"""

from __future__ import annotations

import numba as nb
import numpy as np
import pyarrow as pa

from chatclone.kernel_chat import Chat, Speech, column, slot, table_size, vod_offsets, word_lists, words

MARKERS = ("says", "said", "asks", "asked", "writes", "wrote", "question")
NEAR_SIMILARITY = 0.88  # a message word this close to a spoken one ("listen" ~ "listening") counts as found
NEAR_MIN_LETTERS = 4    # ... if it has this many letters: short words are too alike
NAME_SPAN = 3           # a lead-in naming the author is one of a phrase's first words
LEAD_IN_WORDS = 3       # a read starts at most this many words into a phrase (after "Ren asks", "oh and")


def find_reads(chat: Chat, authors: pa.Table, speech: Speech, phrases: pa.Table, params: dict) -> tuple[pa.Table, np.ndarray]:
    """Match chat to speech. Takes the chat and speech of the VODs to mine (kernel_chat.Chat, Speech), authors
    (author, words) with `author` the hash of a name as in the chat, phrases (vod, phrase_id, first_idx, start_s)
    sorted by vod and time, and the [mining] params. Returns the reads (vod, message_id, phrase_id, first_idx,
    read_last_idx, start_s, end_s, score), each message kept against the phrase it scores best at where that phrase
    also scores best with it, and which chat rows they are (a mask)."""
    n_vods = len(speech.off) - 1
    first_idx, start_s = column(phrases, "first_idx"), column(phrases, "start_s")
    a_off, a_hash, _, _, _ = word_lists(authors.column("words"))
    author = _author_rows(column(chat.table, "author"), column(authors, "author"))
    msg_phrase, msg_score, msg_last = _match(
        chat.order, chat.starts, chat.vods, chat.t_s, chat.paid, author,
        chat.w_off, chat.w_hash, chat.w_len, chat.w_boff, chat.w_bytes, a_off, a_hash,
        speech.off, speech.hash, speech.letters, speech.norm_start, speech.norm_end, speech.norm_bytes,
        vod_offsets(phrases, n_vods), first_idx, start_s,
        words(pa.array(MARKERS))[0], int(params["min_read_words"]), float(params["read_back_s"]),
        float(params["read_ahead_s"]), int(params["probe_min_letters"]), int(params["probe_span_words"]),
        float(params["min_read_score"]))
    read = msg_phrase >= 0
    rows, phrase = chat.order[read], msg_phrase[read]
    vod = phrases.column("vod").to_numpy()[phrase]
    read_first_idx = first_idx[phrase]
    last_idx = read_first_idx + msg_last[read]
    mask = np.zeros(chat.table.num_rows, np.bool_)
    mask[rows] = True
    return pa.table({"vod": vod, "message_id": chat.table.column("message_id").take(pa.array(rows)),
                     "phrase_id": phrases.column("phrase_id").to_numpy()[phrase], "first_idx": read_first_idx,
                     "read_last_idx": last_idx, "start_s": start_s[phrase],
                     "end_s": speech.end_s[speech.off[vod] + last_idx - 1], "score": msg_score[read]}), mask


@nb.njit(cache=True, nogil=True)
def _author_rows(chat_author, author):
    """For each message, the row in authors of its author (by the hash of the name)."""
    size = table_size(len(author))
    keys, used, rows = np.zeros(size, np.uint64), np.zeros(size, np.bool_), np.zeros(size, np.int64)
    for row in range(len(author)):
        at = slot(keys, used, author[row])
        keys[at], used[at], rows[at] = author[row], True, row
    out = np.empty(len(chat_author), np.int64)
    for m in range(len(chat_author)):
        out[m] = rows[slot(keys, used, chat_author[m])]
    return out


@nb.njit(cache=True, nogil=True)
def jaro_winkler(a, b):
    """Jaro-Winkler similarity of two byte strings (uint8 arrays), as DuckDB's jaro_winkler_similarity: 0 if either
    is empty, the common prefix (at most 4) weighted 0.1 where Jaro is over 0.7."""
    la, lb = len(a), len(b)
    if la == 0 or lb == 0:
        return 0.0
    bound = max(max(la, lb) // 2 - 1, 0)
    a_hit = np.zeros(la, np.bool_)
    b_hit = np.zeros(lb, np.bool_)
    matches = 0
    for i in range(la):
        for j in range(max(0, i - bound), min(lb, i + bound + 1)):
            if not b_hit[j] and a[i] == b[j]:
                a_hit[i] = True
                b_hit[j] = True
                matches += 1
                break
    if matches == 0:
        return 0.0
    transposed = 0
    j = 0
    for i in range(la):
        if a_hit[i]:
            while not b_hit[j]:
                j += 1
            if a[i] != b[j]:
                transposed += 1
            j += 1
    sim = (matches / la + matches / lb + (matches - transposed // 2) / matches) / 3.0
    if sim > 0.7:
        prefix = 0
        while prefix < min(4, la, lb) and a[prefix] == b[prefix]:
            prefix += 1
        sim = min(sim + prefix * 0.1 * (1.0 - sim), 1.0)
    return sim


@nb.njit(cache=True, nogil=True)
def _near(a, b):
    """Whether jaro_winkler(a, b) >= NEAR_SIMILARITY; most pairs are ruled out by their lengths first: Jaro is at most
    (2 + shorter / longer) / 3, and the common prefix p (at most 4) lifts it by p / 10 of what it lacks."""
    shorter, longer = min(len(a), len(b)), max(len(a), len(b))
    if shorter == 0:
        return False
    prefix = 0
    while prefix < min(4, shorter) and a[prefix] == b[prefix]:
        prefix += 1
    jaro_max = (2.0 + shorter / longer) / 3.0
    if jaro_max + prefix * 0.1 * (1.0 - jaro_max) < NEAR_SIMILARITY:
        return False
    return jaro_winkler(a, b) >= NEAR_SIMILARITY


@nb.njit(cache=True, nogil=True)
def _contains(values, lo, hi, h):
    """Whether h is among values[lo:hi]."""
    for i in range(lo, hi):
        if values[i] == h:
            return True
    return False


@nb.njit(cache=True, nogil=True)
def _score(ws, we, w_hash, w_len, w_boff, w_bytes, paid, a_off, a_hash, author, head, s_hash, s_start, s_end, s_bytes,
           m_hash, min_score, unfound):
    """Score a message (words ws..we) against the speech words head... (positions in s_hash): (score, last word of
    the read counted from the head, or -1), or (-1, -1) where it cannot make a read. `unfound`: scratch space, one
    slot per word of the message."""
    n_words = we - ws
    # the read starts at the first of the message's words among the phrase's first four: room for a lead-in,
    # recognised or not (the ASR mishears names: "Aki says" as "a kiss as"); it is looked for in the message's length
    # from there, so that words scattered further on do not add up
    lead = min(LEAD_IN_WORDS + 1, len(head))
    lo = 0
    while lo < lead and not _contains(w_hash, ws, we, s_hash[head[lo]]):
        lo += 1
    if lo == lead:
        return -1.0, -1
    hi = min(lo + n_words, len(head))
    named = False
    for k in range(min(NAME_SPAN, len(head))):
        if _contains(a_hash, a_off[author], a_off[author + 1], s_hash[head[k]]):
            named = True
    marker = False
    for k in range(lead):
        if _contains(m_hash, 0, len(m_hash), s_hash[head[k]]):
            marker = True
    distinct = 0
    found = 0
    n_unfound = 0
    for i in range(ws, we):
        if _contains(w_hash, ws, i, w_hash[i]):
            continue
        distinct += 1
        hit = False
        for k in range(lo, hi):
            if s_hash[head[k]] == w_hash[i]:
                hit = True
                break
        if hit:
            found += 1
        elif w_len[i] >= NEAR_MIN_LETTERS:
            unfound[n_unfound] = i
            n_unfound += 1
    # words before the message that no lead-in explains may be the streamer's own ("no, I do not drink coffee" is an
    # answer to "do you drink coffee", not a read): 0.2 less
    unexplained = lo > 0 and not named and not marker
    bonus = (10 * named + 5 * marker + 5 * paid - 20 * unexplained) / 100.0
    if (found + n_unfound) / distinct + bonus < min_score:
        return -1.0, -1
    near = 0
    for u in range(n_unfound):
        i = unfound[u]
        word = w_bytes[w_boff[i]: w_boff[i + 1]]
        for k in range(lo, hi):
            p = head[k]
            if _near(word, s_bytes[s_start[p]: s_end[p]]):
                near += 1
                break
    word_share = (found + near) / distinct
    if n_words < 2:
        pair_share = 1.0
    elif word_share + bonus < min_score:
        pair_share = 0.0
    else:
        shared = 0
        for i in range(ws, we - 1):
            seen = False
            for j in range(ws, i):
                if w_hash[j] == w_hash[i] and w_hash[j + 1] == w_hash[i + 1]:
                    seen = True
                    break
            if seen:
                continue
            for k in range(lo, hi - 1):
                if s_hash[head[k]] == w_hash[i] and s_hash[head[k + 1]] == w_hash[i + 1]:
                    shared += 1
                    break
        pair_share = shared / (n_words - 1)
    score = word_share * (0.7 + 0.3 * pair_share) + bonus
    if score < min_score:
        return -1.0, -1
    last = -1  # the read ends at the last of its words said (what follows may be the answer using them)
    for k in range(lo, hi):
        if _contains(w_hash, ws, we, s_hash[head[k]]):
            last = k
    return score, last


@nb.njit(cache=True, nogil=True)
def _probe(h, span, weight, keys, used, run_lo, run_hi, i_phrase, i_k, start_s, t, read_back, read_ahead, p0, hits,
           touched, n_touched):
    """Add `weight` to hits[p - p0] of each phrase p that has the word h among its first `span` words and started
    between read_ahead before t and read_back after it (the probe index: keys/used/run_lo/run_hi, i_phrase, i_k);
    a phrase hit first is added to touched. Returns how many phrases are touched now."""
    at = slot(keys, used, h)
    if not used[at]:
        return n_touched
    lo, hi = run_lo[at], run_hi[at]
    # each word's entries are in time order: the first phrase in the window by bisection
    a, b = lo, hi
    while a < b:
        mid = (a + b) // 2
        if start_s[i_phrase[mid]] < t - read_ahead:
            a = mid + 1
        else:
            b = mid
    for e in range(a, hi):
        p = i_phrase[e]
        if start_s[p] > t + read_back:
            break
        if i_k[e] < span:
            if hits[p - p0] == 0:
                touched[n_touched] = p
                n_touched += 1
            hits[p - p0] += weight
    return n_touched


@nb.njit(cache=True, parallel=True)
def _match(order, c_off, c_vod, t_s, paid, author, w_off, w_hash, w_len, w_boff, w_bytes, a_off, a_hash,
           s_off, s_hash, s_len, s_start, s_end, s_bytes, p_off, first_idx, start_s, m_hash,
           min_words, read_back, read_ahead, probe_min_letters, span, min_score):
    """Per message, in the time order `order` (c_off: where each VOD's messages start in it, c_vod: which VOD): the
    phrase it is read at (or -1), the score and the last word of the read from the phrase start."""
    n_msgs = len(order)
    msg_phrase = np.full(n_msgs, -1, np.int64)
    msg_score = np.full(n_msgs, -1.0)
    msg_last = np.full(n_msgs, -1, np.int64)
    phrase_msg = np.full(len(start_s), -1, np.int64)
    phrase_score = np.full(len(start_s), -1.0)
    for g in nb.prange(len(c_vod)):
        v = c_vod[g]
        p0, p1, s0, s1 = p_off[v], p_off[v + 1], s_off[v], s_off[v + 1]
        n_ph = p1 - p0
        # the probe index: each phrase's first `span` words of three letters or more, grouped by word (a hash table
        # from word to its run of entries: one lookup per probe), each run in time order (a counting sort, no sort)
        size = table_size(n_ph * span)
        keys = np.zeros(size, np.uint64)
        used = np.zeros(size, np.bool_)
        run_lo = np.zeros(size, np.int64)
        run_hi = np.zeros(size, np.int64)
        e_slot = np.empty(n_ph * span, np.int64)
        n_e = 0
        for p in range(p0, p1):
            at = s0 + first_idx[p] - 1
            for k in range(min(span, s1 - at)):
                if s_len[at + k] >= 3:
                    e = slot(keys, used, s_hash[at + k])
                    keys[e], used[e] = s_hash[at + k], True
                    run_hi[e] += 1
                    e_slot[n_e] = e
                    n_e += 1
        total = 0
        for e in range(size):
            if used[e]:
                run_lo[e] = total
                total += run_hi[e]
                run_hi[e] = run_lo[e]
        i_phrase = np.empty(n_e, np.int64)
        i_k = np.empty(n_e, np.int64)
        n_e = 0
        for p in range(p0, p1):
            at = s0 + first_idx[p] - 1
            for k in range(min(span, s1 - at)):
                if s_len[at + k] >= 3:
                    e = e_slot[n_e]
                    i_phrase[run_hi[e]] = p
                    i_k[run_hi[e]] = k
                    run_hi[e] += 1
                    n_e += 1
        hits = np.zeros(n_ph, np.int64)
        touched = np.empty(n_ph, np.int64)
        head = np.empty(span + 6, np.int64)
        unfound = np.empty(64, np.int64)  # _score's list of words not found, grown for longer messages
        for j in range(c_off[g], c_off[g + 1]):
            m = order[j]
            ws, we = w_off[m], w_off[m + 1]
            n_words = we - ws
            if n_words < min_words:
                continue
            probe_letters = min(probe_min_letters, w_len[ws:we].max())
            n_probes = 0
            for i in range(ws, we):
                n_probes += w_len[i] >= probe_letters
            need = 2 if n_probes >= 3 else 1
            n_touched = 0
            for i in range(ws, we):
                if w_len[i] >= probe_letters:
                    n_touched = _probe(w_hash[i], n_words + LEAD_IN_WORDS, 1, keys, used, run_lo, run_hi, i_phrase, i_k, start_s,
                                       t_s[m], read_back, read_ahead, p0, hits, touched, n_touched)
            # the author's name among a phrase's first words ("Yuki says ...") makes it a candidate alone: the words
            # read may all be misheard
            for i in range(a_off[author[m]], a_off[author[m] + 1]):
                n_touched = _probe(a_hash[i], NAME_SPAN, need, keys, used, run_lo, run_hi, i_phrase, i_k, start_s,
                                   t_s[m], read_back, read_ahead, p0, hits, touched, n_touched)
            if n_words > len(unfound):
                unfound = np.empty(n_words, np.int64)
            for t in range(n_touched):
                p = touched[t]
                enough = hits[p - p0] >= need
                hits[p - p0] = 0
                if not enough:
                    continue
                at = s0 + first_idx[p] - 1
                n_head = min(span + 6, s1 - at)
                for k in range(n_head):
                    head[k] = at + k
                score, last = _score(ws, we, w_hash, w_len, w_boff, w_bytes, paid[m], a_off, a_hash, author[m],
                                     head[:n_head], s_hash, s_start, s_end, s_bytes, m_hash, min_score, unfound)
                if score < 0:
                    continue
                # ties: the earlier phrase for a message, the earlier message for a phrase (rows are in time order)
                if score > msg_score[j] or (score == msg_score[j] and p < msg_phrase[j]):
                    msg_score[j], msg_phrase[j], msg_last[j] = score, p, last
                if score > phrase_score[p] or (score == phrase_score[p] and j < phrase_msg[p]):
                    phrase_score[p], phrase_msg[p] = score, j
    for j in range(n_msgs):
        p = msg_phrase[j]
        if p >= 0 and (phrase_msg[p] != j or msg_last[j] < 0):
            msg_phrase[j] = -1
    return msg_phrase, msg_score, msg_last
