"""Benchmark: zatsu pair mining (chatclone.mining.mine) on a large synthetic channel, against a pandas + rapidfuzz baseline.

    .venv/bin/python benchmarks/mining_speed.py [--messages N] [--vods N] [--quick] [--memory-limit 8GB] [--timeout S] [--keep]

Generates a channel straight into a fresh warehouse with DuckDB SQL (not timed): N chat messages
(default 10,000,000) and N/10 Whisper cues of about 8 words each (so about 0.8 N rows in `words`) over
--vods zatsu VODs (default 500, about 2.6 hours of speech each). Speech comes in phrases with pauses between them
(some long enough to start a turn or end an answer); chat messages have 2-12 words from a vocabulary of
3,000 (Zipf-like); 1% of the messages are read aloud at the start of a phrase shortly after they arrive
(a third with a lead-in "NAME says", a fifth with one word misheard), followed by the answer; some
messages are hive-like duplicates, some super chats, stickers and memberships. --quick is 1% of that.

Then, each in a child process (peak RSS from os.wait4):
  * each SQL step alone on a copy (wh.run(step, ...) in one transaction, as mine() runs them), then mine()
    end to end on the never-mined original;
  * then, on the mined original, mine() as a nightly run does it: with nothing changed (the fingerprints only), and with
    1% of the VODs to mine again (forgotten by mined_videos, as after a chat re-fetch or a new transcript);
  * on a 1% sample (the same generator at N/100 messages and VODs, its own warehouse): mine() again and a
    straightforward pandas + rapidfuzz implementation of the same idea (reads, read answers and the hive, timed
    apart), so the two compare on the same data, and extrapolated to the full size (the work per VOD is the same).
Reads found are checked against the reads planted (recall, precision). Goals: alignment (align_chat)
>= 1,000,000 messages/s per core; mine() >= 20x the baseline end to end. Per core = per DuckDB thread
(DuckDB's default: one per core). --timeout S kills a measurement that runs longer and says how far it got.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ALIGN_GOAL_PER_CORE = 1_000_000
BASELINE_GOAL_X = 20
BASELINE_MIN_RATIO = 80  # rapidfuzz partial_ratio (0-100) a read must reach

ENGLISH = (
    "the i you a to and it is that of in we so this was my just like for not on be but have what do "
    "lol yeah me it's no can if at with all get about one know think out up time really when they now "
    "would from good there i'm don't go how your people more see then or make gonna also had game stream "
    "today tonight tomorrow weekend food cat dog music song ranked boss build exam coffee ramen pizza sleep "
    "tired work meeting clip chat emote art model debut karaoke ngl tbh idk imo fr literally actually "
    "honestly probably maybe kinda wait okay sure favorite color eat drink play next last first why where "
    "who which love hate cute scary fun funny hard easy new old big small long short day night morning "
    "happy sad hungry thanks please hello hi bye welcome back again never always everyone someone"
).split()
SYLLABLES = "ka ri mo to na shi ru pe lo ve da mi su ne yo ha ki ze bu fa go la po te wi xo ju ce ro ny".split()


@dataclass(frozen=True)
class Shape:
    """How big a synthetic channel is."""

    messages: int
    cues: int
    vods: int
    seed: int = 1
    vocab: int = 3000
    authors: int = 20000
    read_share: float = 0.01


# Generation, in order; $name parameters are bound from Shape and the derived values in generate().
GENERATE = [
    "CREATE TEMP MACRO u01(s, a, b, c) AS (hash(s, a, b, c) % 4294967296)::DOUBLE / 4294967296.0",
    "CREATE TEMP MACRO zipf(u, n) AS least(n, greatest(1, floor(pow(n, u))::BIGINT))",
    "CREATE TEMP MACRO syl(s, i) AS s[i % 30 + 1] || s[(i // 30) % 30 + 1] || CASE WHEN i >= 900 THEN s[(i // 900) % 30 + 1] ELSE '' END",
    "CREATE TEMP MACRO cap(w) AS upper(left(w, 1)) || substr(w, 2)",
    # vocabulary: common English words first (the most frequent), then made-up content words
    """CREATE TEMP TABLE g_vocab AS
       SELECT list(CASE WHEN i < len($english) THEN $english[i + 1] ELSE syl($syllables, i) END ORDER BY i) AS vl
       FROM range($vocab) t(i)""",
    # one row per phrase (= cue): is it a read, of which message, and the pause before it
    """CREATE TEMP TABLE g_phrases AS
       WITH base AS (
           SELECT v, p,
                  p > 0 AND u01($seed, v, p, 1) < $read_rate AS is_read,
                  3 + floor(10 * u01($seed, v, p, 2))::INT AS n_msg,
                  u01($seed, v, p, 3) < 0.33 AS lead_in,
                  zipf(u01($seed, v, p, 4), $authors) - 1 AS author,
                  4 + floor(9 * u01($seed, v, p, 5))::INT AS n_talk,
                  u01($seed, v, p, 6) AS pause_kind, u01($seed, v, p, 7) AS pause_u,
                  u01($seed, v, p, 8) < 0.2 AS misheard
           FROM range($vods) a(v), range($phrases_per_vod) b(p)
       ), sized AS (
           SELECT *,
                  CASE WHEN is_read THEN n_msg + CASE WHEN lead_in THEN 2 ELSE 0 END ELSE n_talk END AS n_words,
                  CASE WHEN p = 0 THEN 2.0
                       WHEN coalesce(lag(is_read) OVER (PARTITION BY v ORDER BY p), false) THEN 0.45 + 0.5 * pause_u  -- the answer follows a read
                       WHEN pause_kind < 0.45 THEN 0.45 + 0.65 * pause_u   -- a phrase pause
                       WHEN pause_kind < 0.8 THEN 1.3 + 1.6 * pause_u      -- a turn pause
                       ELSE 3.2 + 12.0 * pause_u END AS pause               -- a long pause: ends an answer
           FROM base
       )
       SELECT *, (n_words - 1) * 0.36 + 0.30 AS dur,
              sum(pause + (n_words - 1) * 0.36 + 0.30) OVER (PARTITION BY v ORDER BY p) - ((n_words - 1) * 0.36 + 0.30) AS start_s
       FROM sized""",
    # the words of each phrase: a read is (lead-in +) the message's words, one maybe misheard
    """CREATE TEMP TABLE g_spoken AS
       SELECT v, p, start_s, dur, n_words, is_read, author, msg,
              CASE WHEN is_read THEN
                  (CASE WHEN lead_in THEN [cap(syl($syllables, 3000 + author)), 'says'] ELSE []::VARCHAR[] END)
                  || list_transform(range(n_msg), lambda j: CASE WHEN misheard AND j = n_msg // 2 THEN vl[zipf(u01($seed, v, p, 9), $vocab)] ELSE msg[j + 1] END)
              ELSE list_transform(range(n_talk), lambda j: vl[zipf(u01($seed, v, p, 200 + j), $vocab)]) END AS spoken
       FROM (SELECT *, CASE WHEN is_read THEN list_transform(range(n_msg), lambda j: vl[zipf(u01($seed, v, p, 100 + j), $vocab)]) END AS msg
             FROM g_phrases, g_vocab)""",
    """CREATE TEMP TABLE g_vods AS
       SELECT v, printf('zv%05d', v) AS video_id, max(start_s + dur) + 5 AS length_s FROM g_phrases GROUP BY v""",
    """INSERT INTO videos (video_id, channel_id, channel, title, duration_s, live_status, category, category_reason,
                           has_live_chat, status, transcript_source)
       SELECT video_id, 'UCbench', 'bench', 'zatsu #' || v, length_s, 'was_live', 'zatsu', 'benchmark', true, 'loaded', 'whisper'
       FROM g_vods ORDER BY v""",
    """INSERT INTO cues (video_id, start_s, end_s, text, source, lang)
       SELECT g.video_id, s.start_s, s.start_s + s.dur, cap(array_to_string(s.spoken, ' ')) || '.', 'whisper', 'en'
       FROM g_spoken s JOIN g_vods g USING (v) ORDER BY s.v, s.p""",
    """INSERT INTO words (video_id, start_s, end_s, word, source, lang, probability)
       SELECT g.video_id, start_s + j * 0.36 + 0.02 * u01($seed, v, p, 300 + j) AS ws,
              start_s + j * 0.36 + 0.02 * u01($seed, v, p, 300 + j) + 0.26 + 0.04 * u01($seed, v, p, 400 + j),
              CASE WHEN j = 0 THEN cap(w) WHEN j = n_words - 1 THEN w || CASE WHEN p % 3 = 0 THEN '?' ELSE '.' END ELSE w END,
              'whisper', 'en', 0.9
       FROM (SELECT v, p, start_s, n_words, unnest(spoken) AS w, unnest(range(n_words)) AS j FROM g_spoken) JOIN g_vods g USING (v)
       ORDER BY v, ws""",
    # the messages read aloud: arrived 1-51 s before the phrase (5%: up to 2.5 s after it, replay timing noise)
    """CREATE TABLE bench_planted AS
       SELECT g.video_id, printf('r%05d-%06d', v, p) AS message_id, p AS planted_phrase, s.start_s AS phrase_start_s,
              greatest(0.0, s.start_s - CASE WHEN u01($seed, v, p, 10) < 0.05 THEN -2.5 * u01($seed, v, p, 11)
                                            ELSE 1 + 50 * u01($seed, v, p, 11) END) AS t_s,
              author, array_to_string(msg, ' ') || CASE WHEN u01($seed, v, p, 12) < 0.4 THEN '?' ELSE '' END AS text,
              CASE WHEN u01($seed, v, p, 13) < 0.1 THEN 'paid' ELSE 'text' END AS kind
       FROM g_spoken s JOIN g_vods g USING (v) WHERE s.is_read""",
    # the rest of the chat: spread over each VOD; 8% hive-like (the same text as others in its 15 s)
    """CREATE TEMP TABLE g_chat AS
       SELECT video_id, printf('m%05d-%08d', v, i // $vods) AS message_id, t_s,
              zipf(u01($seed, i, 0, 3), $authors) - 1 AS author,
              CASE WHEN kind_u < 0.005 THEN ''   -- stickers and memberships: no text
                   WHEN hive THEN array_to_string(list_transform(range(3 + (hash($seed, v, bucket) % 5)::INT),
                                                                 lambda j: vl[zipf(u01($seed, v, bucket, 500 + j), 300)]), ' ')
                   ELSE array_to_string(list_transform(range(2 + floor(11 * pow(u01($seed, i, 0, 4), 2))::INT),
                                                       lambda j: vl[zipf(u01($seed, i, j, 600), $vocab)]), ' ')
                        || CASE WHEN u01($seed, i, 0, 5) < 0.15 THEN '!' WHEN u01($seed, i, 0, 5) < 0.25 THEN '??' ELSE '' END END AS text,
              CASE WHEN kind_u < 0.003 THEN 'sticker' WHEN kind_u < 0.005 THEN 'membership' WHEN kind_u < 0.01 THEN 'paid' ELSE 'text' END AS kind
       FROM (SELECT i, i % $vods AS v, u01($seed, i, 0, 1) * g.length_s AS t_s, u01($seed, i, 0, 2) AS kind_u,
                    u01($seed, i, 0, 6) < 0.08 AS hive, floor(u01($seed, i, 0, 1) * g.length_s / 15)::BIGINT AS bucket, g.video_id
             FROM range($other_messages) t(i) JOIN g_vods g ON g.v = i % $vods), g_vocab""",
    # words normalized as sql/insert_chat.sql does when a chat replay is imported
    """INSERT INTO chat (video_id, message_id, t_s, author_id, author_name, text, kind, amount, currency, words)
       SELECT video_id, message_id, t_s, printf('UCviewer%06d', author), cap(syl($syllables, 3000 + author)), text, kind,
              CASE WHEN kind = 'paid' THEN 5.0 END, CASE WHEN kind = 'paid' THEN 'USD' END, chat_words(text)
       FROM (SELECT video_id, message_id, t_s, author, text, kind FROM g_chat
             UNION ALL SELECT video_id, message_id, t_s, author, text, kind FROM bench_planted)
       ORDER BY video_id, t_s""",
]


def generate(path: Path, shape: Shape, memory_limit: str) -> dict:
    """Write the synthetic channel into a fresh warehouse at `path`; return its row counts and the seconds it took."""
    from chatclone.warehouse import Warehouse

    if shape.vods > shape.cues:
        raise SystemExit(f"--vods {shape.vods} is too many for {shape.cues:,} cues (each VOD needs some speech)")
    if shape.authors + 3000 > 27000:
        raise SystemExit("at most 24,000 authors (names are three syllables)")
    started = time.perf_counter()
    phrases_per_vod = shape.cues // shape.vods
    reads_wanted = shape.messages * shape.read_share
    params = {**asdict(shape), "english": ENGLISH, "syllables": SYLLABLES, "phrases_per_vod": phrases_per_vod,
              "read_rate": reads_wanted / (phrases_per_vod * shape.vods)}
    with Warehouse(path, memory_limit=memory_limit) as wh:
        for sql in GENERATE:
            if "$other_messages" in sql:
                planted = wh.con.execute("SELECT count(*) FROM bench_planted").fetchall()[0][0]
                params["other_messages"] = shape.messages - planted
            wh.execute(sql, params, origin="benchmarks/mining_speed.py")
        wh.con.execute("CHECKPOINT")
        counts = {t: wh.con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in ("videos", "chat", "cues", "words", "bench_planted")}
        counts["hours"] = wh.con.execute("SELECT sum(duration_s) / 3600 FROM videos").fetchall()[0][0]
    counts["generate_s"] = time.perf_counter() - started
    counts["file_mib"] = path.stat().st_size / 2**20
    return counts


def _mine_child(path: str, mode: str, memory_limit: str) -> dict:
    """mode 'mine': mine() end to end; 'steps': each step of mine() timed alone; 'nightly': mine() again on the mined
    warehouse, with nothing changed and with 1% of the VODs to mine again. All report the reads against the planted ones."""
    from chatclone.config import Mining
    from chatclone.mining import STEPS, mine, mining_params, run_step
    from chatclone.warehouse import Warehouse

    settings = Mining()
    report: dict = {"mode": mode}
    with Warehouse(path, memory_limit=memory_limit) as wh:
        report["threads"] = int(wh.con.execute("SELECT current_setting('threads')").fetchall()[0][0])
        report["memory_limit"] = wh.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        if mode == "mine":
            t0 = time.perf_counter()
            report["counts"] = mine(wh, settings)
            report["elapsed_s"] = time.perf_counter() - t0
        elif mode == "nightly":
            t0 = time.perf_counter()
            report["unchanged_vods"] = mine(wh, settings)["vods_mined"]
            report["unchanged_s"] = time.perf_counter() - t0
            vods = wh.con.execute("SELECT count(*) FROM mined_videos").fetchall()[0][0]
            wh.con.execute("DELETE FROM mined_videos WHERE video_id IN (SELECT video_id FROM mined_videos ORDER BY hash(video_id) LIMIT ?)",
                           [max(1, vods // 100)])
            t0 = time.perf_counter()
            report["changed_vods"] = mine(wh, settings)["vods_mined"]
            report["elapsed_s"] = report["changed_s"] = time.perf_counter() - t0
            report["vods"] = vods
        else:
            params, steps, shared = mining_params(settings), {}, {}
            wh.con.execute("BEGIN")
            for step in STEPS:
                print(json.dumps({"start": step, "at": time.time()}), flush=True)  # the parent times a step a --timeout kills
                t0 = time.perf_counter()
                run_step(wh, step, params, shared)
                steps[step] = time.perf_counter() - t0
                print(json.dumps({"step": step, "seconds": steps[step]}), flush=True)  # kept by the parent if a later step times out
            print(json.dumps({"start": "commit", "at": time.time()}), flush=True)
            t0 = time.perf_counter()
            wh.con.execute("COMMIT")
            steps["commit"] = time.perf_counter() - t0
            report["steps"] = steps
            report["elapsed_s"] = sum(steps.values())
        report["messages"] = wh.con.execute("SELECT count(*) FROM chat").fetchall()[0][0]
        report["aligned"] = wh.con.execute("SELECT count(*) FROM chat_aligned").fetchall()[0][0]
        report["pairs"] = wh.con.execute("SELECT count(*) FROM pairs WHERE method = 'read'").fetchall()[0][0]
        report["hive_pairs"] = wh.con.execute("SELECT count(*) FROM pairs WHERE method = 'hive'").fetchall()[0][0]
        report.update(zip(("planted", "found", "correct"), wh.con.execute(
            "SELECT (SELECT count(*) FROM bench_planted), (SELECT count(*) FROM reads), "
            "(SELECT count(*) FROM reads r JOIN bench_planted b USING (video_id, message_id))").fetchall()[0]))
    return report


def _baseline_child(path: str) -> dict:
    """The pandas + rapidfuzz baseline on the warehouse at `path` (read only), timed from loading to the pairs in memory:
    the reads and their answers (loading included), then the hive."""
    import duckdb
    import numpy  # noqa: F401  imported before the clock starts, as the mine() child has its modules
    import pandas  # noqa: F401
    import rapidfuzz  # noqa: F401

    t0 = time.perf_counter()
    words, chat, reads, pairs = baseline_mine(path)
    t1 = time.perf_counter()
    hive = baseline_hive(words, chat, reads, pairs)
    t2 = time.perf_counter()
    with duckdb.connect(path, read_only=True) as con:
        planted = con.execute("SELECT video_id, message_id FROM bench_planted").df()
        messages = con.execute("SELECT count(*) FROM chat").fetchall()[0][0]
    correct = len(reads.merge(planted, on=["video_id", "message_id"]))
    return {"mode": "baseline", "elapsed_s": t2 - t0, "reads_s": t1 - t0, "hive_s": t2 - t1, "threads": 1, "messages": messages,
            "planted": len(planted), "found": len(reads), "correct": correct, "pairs": len(pairs), "hive_pairs": len(hive)}


def baseline_mine(path: str):
    """Reads and read answers the straightforward way: pandas frames, a loop over phrases and the chat in each one's
    window with rapidfuzz.fuzz.partial_ratio, then a pandas loop over reads cutting each answer.

    Returns (words, chat, reads, pairs): the zatsu VODs' words and text/paid chat as loaded and normalized (the hive's input).
    """
    import duckdb
    import numpy as np
    import pandas as pd
    from rapidfuzz import fuzz

    from chatclone.config import Mining

    s = Mining()
    with duckdb.connect(path, read_only=True) as con:
        words = con.execute("SELECT w.video_id, w.start_s, w.end_s, w.word FROM transcript_words w JOIN videos v USING (video_id) "
                            "WHERE v.category = 'zatsu' ORDER BY w.video_id, w.start_s, w.end_s, w.word").df()
        chat = con.execute("SELECT c.video_id, c.message_id, c.t_s, c.author_name, c.text, c.kind FROM chat c JOIN videos v USING (video_id) "
                           "WHERE v.category = 'zatsu' AND c.kind IN ('text', 'paid') ORDER BY c.video_id, c.t_s").df()

    def normalize(texts: pd.Series) -> pd.Series:
        return texts.str.lower().str.replace(r"['’]", "", regex=True).str.replace(r"[\W_]+", " ", regex=True).str.strip()

    words["norm"] = normalize(words["word"]).str.replace(" ", "", regex=False)
    words = words[words["norm"] != ""].reset_index(drop=True)
    chat["norm"] = normalize(chat["text"])
    chat["n_words"] = chat["norm"].str.count(" ") + (chat["norm"] != "")

    words["pause_before"] = words["start_s"] - words.groupby("video_id")["end_s"].shift()
    words["phrase_start"] = words["pause_before"].isna() | (words["pause_before"] >= s.phrase_pause_s)

    best_for_message: dict[tuple[str, int], tuple[float, int]] = {}   # (video, chat row) -> (score, word row)
    best_for_phrase: dict[int, tuple[float, int]] = {}                # word row of the phrase start -> (score, chat row)
    chat_by_video = {v: g for v, g in chat[chat["n_words"] >= s.min_read_words].groupby("video_id")}
    for video_id, vw in words.groupby("video_id"):
        vc = chat_by_video.get(video_id)
        if vc is None:
            continue
        times, norms, lengths, rows = vc["t_s"].to_numpy(), vc["norm"].tolist(), vc["n_words"].to_numpy(), vc.index.to_numpy()
        vnorm, offset = vw["norm"].tolist(), vw.index[0]
        for first in np.flatnonzero(vw["phrase_start"].to_numpy()):
            start = vw["start_s"].iat[first]
            lo = np.searchsorted(times, start - s.read_back_s)
            hi = np.searchsorted(times, start + s.read_ahead_s, side="right")
            windows: dict[int, str] = {}
            best = (BASELINE_MIN_RATIO - 1e-9, -1)
            for k in range(lo, hi):
                n = lengths[k] + 3
                window = windows.get(n) or windows.setdefault(n, " ".join(vnorm[first : first + n]))
                score = fuzz.partial_ratio(norms[k], window, score_cutoff=BASELINE_MIN_RATIO)
                if score > best[0]:
                    best = (score, k)
            if best[1] < 0:
                continue
            score, k = best
            row = offset + first
            best_for_phrase[row] = (score, rows[k])
            key = (video_id, rows[k])
            if key not in best_for_message or score > best_for_message[key][0]:
                best_for_message[key] = (score, row)

    read_rows = []
    for (video_id, chat_row), (score, word_row) in best_for_message.items():
        if best_for_phrase[word_row][1] != chat_row:
            continue
        msg = chat.at[chat_row, "norm"]
        window = words["norm"].iloc[word_row : word_row + chat.at[chat_row, "n_words"] + 3]
        in_msg = np.flatnonzero(window.isin(set(msg.split())).to_numpy())
        last = word_row + (int(in_msg[-1]) if len(in_msg) else 0)
        read_rows.append((video_id, chat.at[chat_row, "message_id"], chat_row, word_row, last, words.at[last, "end_s"], score))
    reads = pd.DataFrame(read_rows, columns=["video_id", "message_id", "chat_row", "first_row", "last_row", "read_end_s", "score"])
    reads = reads.sort_values("first_row").reset_index(drop=True)

    pairs = []
    next_first = reads.groupby("video_id")["first_row"].shift(-1)
    video_end = words.reset_index().groupby("video_id")["index"].max() + 1
    for r, nxt in zip(reads.itertuples(index=False), next_first):
        stop = int(nxt) if not pd.isna(nxt) else int(video_end[r.video_id])
        answer = words.iloc[r.last_row + 1 : stop]
        answer = answer[answer["start_s"] <= r.read_end_s + s.answer_max_s]
        gaps = answer["start_s"] - answer["end_s"].shift()
        answer = answer[(gaps >= s.answer_pause_s).cumsum() == 0]
        if len(answer) >= s.min_answer_words:
            m = chat.loc[r.chat_row]
            pairs.append({"video_id": r.video_id, "message_id": r.message_id, "prompt": f"chat: {m['author_name']}: {m['text']}",
                          "response": " ".join(answer["word"]), "score": r.score / 100,
                          "answer_start_s": answer["start_s"].iat[0], "answer_end_s": answer["end_s"].iat[-1]})
    pairs = pd.DataFrame(pairs, columns=["video_id", "message_id", "prompt", "response", "score", "answer_start_s", "answer_end_s"])
    return words, chat, reads, pairs


def baseline_hive(words, chat, reads, pairs):
    """The hive (sql/pairs_hive.sql) the straightforward way, on baseline_mine()'s frames: a loop over the turns no read
    explains (the first with a pair in each stretch of speech), each answer cut from its VOD's word arrays, the unread
    chat of the window before it found with numpy searchsorted and compared as Python sets of words, grouped by their
    words in a dict. Returns the hive pairs."""
    import numpy as np
    import pandas as pd

    from chatclone.config import Mining

    s = Mining()
    spans = reads.merge(pairs[["video_id", "message_id", "answer_end_s"]], on=["video_id", "message_id"], how="left")
    spans["s"] = words["start_s"].to_numpy()[spans["first_row"].to_numpy()]
    spans["e"] = spans["answer_end_s"].fillna(spans["read_end_s"])
    spans_by_video = {v: g.sort_values("first_row") for v, g in spans.groupby("video_id")}

    hive = chat[(chat["n_words"] > 0) & ~chat.index.isin(reads["chat_row"])].reset_index(drop=True)
    hive["long"] = [{w for w in norm.split() if len(w) > 3} for norm in hive["norm"]]
    # chat is in time order, so the nearest earlier message with the same words is the last one seen
    echoed = np.zeros(len(hive), dtype=bool)
    last_seen: dict[tuple[str, str], int] = {}
    times = hive["t_s"].to_numpy()
    for i, key in enumerate(zip(hive["video_id"], hive["norm"])):
        j = last_seen.get(key)
        if j is not None and times[i] - times[j] <= s.hive_window_s:
            echoed[i] = echoed[j] = True
        last_seen[key] = i
    hive["echoed"] = echoed
    hive_by_video = {v: g for v, g in hive.groupby("video_id")}

    out = []
    for video_id, vw in words.groupby("video_id"):
        vc = hive_by_video.get(video_id)
        if vc is None:
            continue
        starts, ends, pause = vw["start_s"].to_numpy(), vw["end_s"].to_numpy(), vw["pause_before"].to_numpy()
        vword, vnorm, offset = vw["word"].tolist(), vw["norm"].tolist(), vw.index[0]
        stretch_starts = np.flatnonzero(pause >= s.answer_pause_s)
        vs = spans_by_video.get(video_id)
        span_s = vs["s"].to_numpy() if vs is not None else np.empty(0)
        span_e = vs["e"].to_numpy() if vs is not None else np.empty(0)
        read_firsts = vs["first_row"].to_numpy() - offset if vs is not None else np.empty(0, dtype=int)
        ct, cnorm, clong, cechoed = vc["t_s"].to_numpy(), vc["norm"].tolist(), vc["long"].tolist(), vc["echoed"].to_numpy()
        ckind, cname, ctext = vc["kind"].tolist(), vc["author_name"].tolist(), vc["text"].tolist()
        answered: set[int] = set()  # stretches that have their hive pair
        for first in np.flatnonzero(np.isnan(pause) | (pause >= s.turn_pause_s)):
            turn_s = starts[first]
            stretch = np.searchsorted(stretch_starts, first, side="right")
            if stretch in answered:
                continue
            k = np.searchsorted(span_s, turn_s, side="right") - 1
            if k >= 0 and turn_s <= span_e[k]:
                continue
            stop = len(starts)
            n = np.searchsorted(read_firsts, first, side="right")
            if n < len(read_firsts):
                stop = read_firsts[n]
            if stretch < len(stretch_starts):
                stop = min(stop, stretch_starts[stretch])
            stop = min(stop, np.searchsorted(starts, turn_s + s.answer_max_s, side="right"))
            if stop - first < s.min_answer_words:
                continue
            answer_words = {w for w in vnorm[first:stop] if len(w) > 3}
            groups: dict[str, dict] = {}
            lo = np.searchsorted(ct, turn_s - s.hive_window_s)
            hi = np.searchsorted(ct, turn_s, side="right")
            for m in range(lo, hi):
                overlap = len(clong[m] & answer_words)
                if overlap == 0 and not cechoed[m]:
                    continue
                g = groups.get(cnorm[m])
                if g is None:
                    g = groups[cnorm[m]] = {"senders": 0, "overlap": 0, "paid": False, "first_t": ct[m]}
                g["senders"] += 1
                g["overlap"] = max(g["overlap"], overlap)
                g["paid"] = g["paid"] or ckind[m] == "paid"
                g["last"] = m
            kept = [g for g in groups.values() if g["overlap"] > 0 or g["senders"] >= 2]
            if not kept:
                continue
            kept.sort(key=lambda g: (g["overlap"] + 0.5 * (g["senders"] - 1) + 0.5 * g["paid"], g["first_t"]), reverse=True)
            chosen = sorted(kept[: s.hive_max_messages], key=lambda g: g["first_t"])
            out.append({"video_id": video_id, "prompt": "\n".join(f"chat: {cname[g['last']]}: {ctext[g['last']]}" for g in chosen),
                        "response": " ".join(vword[first:stop]), "score": min(0.5, 0.2 + 0.1 * max(g["overlap"] for g in chosen)),
                        "prompt_t_s": chosen[0]["first_t"], "answer_start_s": turn_s, "answer_end_s": ends[stop - 1]})
            answered.add(stretch)
    return pd.DataFrame(out)


def run_child(mode: str, warehouse: Path, memory_limit: str, timeout_s: float = 0, extra: tuple[str, ...] = ()) -> dict:
    """Run one step (generate, steps, mine, baseline) in a child process; its JSON report plus wall time and peak RSS (os.wait4).

    With timeout_s > 0 the child is killed after that long and the report says so (timed_out, no elapsed_s).
    On Linux a child's ru_maxrss starts at the parent's RSS when it forked, so the parent does no heavy work itself.
    """
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", mode, str(warehouse), "--memory-limit", memory_limit, *extra],
                            stdout=subprocess.PIPE, text=True)
    timer = threading.Timer(timeout_s, os.kill, (proc.pid, signal.SIGKILL)) if timeout_s > 0 else None
    if timer:
        timer.start()
    lines = proc.stdout.read().strip().splitlines()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if timer:
        timer.cancel()
    peak_rss_mib = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024) / 2**20
    if proc.returncode == -signal.SIGKILL and timeout_s > 0:
        progress = [json.loads(line) for line in lines if line.startswith("{")]
        done = {d["step"]: d["seconds"] for d in progress if "step" in d}
        killed = [(d["start"], time.time() - d["at"]) for d in progress if "start" in d and d["start"] not in done]
        return {"mode": mode, "timed_out": True, "timeout_s": timeout_s, "elapsed_s": None, "peak_rss_mib": peak_rss_mib, "steps": done,
                "killed_step": killed[0] if killed else None}
    if proc.returncode != 0:
        raise SystemExit(f"{mode} child failed with exit code {proc.returncode}")
    report = json.loads(lines[-1])
    report.update(process_wall_s=time.perf_counter() - started, peak_rss_mib=peak_rss_mib, timed_out=False)
    return report


def machine() -> dict:
    import duckdb
    import pandas
    import rapidfuzz

    model = platform.processor()
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
        kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
        mem = f"{kib / 2**20:.0f} GiB"
    except (OSError, StopIteration):
        mem = "unknown"
    return {"cpus": os.cpu_count(), "cpu model": model or "unknown", "memory": mem, "os": platform.platform(),
            "python": platform.python_version(), "duckdb": duckdb.__version__, "pandas": pandas.__version__, "rapidfuzz": rapidfuzz.__version__}


def _quality(r: dict) -> tuple[str, str, str, str]:
    """Reads found, planted reads found / planted, recall and precision."""
    return (f"{r['found']:,}", f"{r['correct']:,} / {r['planted']:,}", f"{r['correct'] / max(1, r['planted']):.3f}",
            f"{r['correct'] / r['found']:.3f}" if r["found"] else "–")


def measure(shape: Shape, label: str, workdir: Path, args, console) -> list[dict]:
    """Generate one channel and run the children on it: steps (full only), baseline (sample only), mine(). Their reports."""
    path = workdir / f"{label}.duckdb"
    gen = run_child("generate", path, args.memory_limit, extra=("--shape", json.dumps(asdict(shape))))
    console.print(f"generated {label}: {gen['chat']:,} messages, {gen['cues']:,} cues, {gen['words']:,} words, {gen['videos']:,} VODs "
                  f"({gen['hours']:,.0f} h of speech), {gen['bench_planted']:,} reads planted; {gen['file_mib']:,.0f} MiB in {gen['generate_s']:.1f} s (not timed)")
    modes = (["steps"] if label == "full" and args.steps else []) + (["baseline"] if label == "sample" else []) + ["mine"] + (["nightly"] if label == "full" else [])
    reports = []
    for mode in modes:
        target = path
        if mode == "steps":   # on a copy: mine() gets a warehouse that has never been mined
            target = workdir / "steps.duckdb"
            shutil.copyfile(path, target)
        r = run_child(mode, target, args.memory_limit, args.timeout)
        r.update(label=label, shape=shape, messages=r.get("messages", gen["chat"]), threads=r.get("threads", 0))
        reports.append(r)
        console.print(f"  {mode} on {label}: " + (f"killed after {args.timeout:g} s (--timeout), steps done: {r['steps']}" if r["timed_out"]
                                                   else f"{r['elapsed_s']:.2f} s, peak RSS {r['peak_rss_mib']:,.0f} MiB"))
        if target != path:
            target.unlink()
    if not args.keep:
        path.unlink()
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000_000, help="chat messages in the channel (default 10,000,000)")
    parser.add_argument("--cues", type=int, help="Whisper cues (phrases of ~8 words); default messages / 10")
    parser.add_argument("--vods", type=int, default=500, help="zatsu VODs they are spread over (default 500)")
    parser.add_argument("--quick", action="store_true", help="1%% of the size (messages, cues and VODs)")
    parser.add_argument("--memory-limit", default="8GB", help="DuckDB memory_limit of the generation and the mining runs (default 8GB)")
    parser.add_argument("--steps", action=argparse.BooleanOptionalAction, default=True, help="also time each SQL step alone (full size)")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True, help="also run the 1%% sample: mine() and the pandas + rapidfuzz baseline")
    parser.add_argument("--timeout", type=float, default=0, help="kill a measurement after this many seconds (default 0: never)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (warehouses) and print its path")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "WAREHOUSE"), help=argparse.SUPPRESS)
    parser.add_argument("--shape", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, path = args.child
        if mode == "generate":
            report = generate(Path(path), Shape(**json.loads(args.shape)), args.memory_limit)
        elif mode == "baseline":
            report = _baseline_child(path)
        else:
            report = _mine_child(path, mode, args.memory_limit)
        print(json.dumps(report))
        return 0

    from rich.console import Console
    from rich.table import Table

    from chatclone.config import Mining

    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print("[bold]machine[/bold]: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    console.print(f"DuckDB memory_limit {args.memory_limit}, threads: DuckDB's default (one per core); per-core figures divide by the DuckDB "
                  f"threads used (os.cpu_count() = {os.cpu_count()}); the baseline runs on one thread. Mining() defaults: {Mining().model_dump()}")
    parent_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"every run is a child process; peak RSS = its ru_maxrss from os.wait4 (on Linux that starts at this parent's RSS, "
                  f"{parent_rss_mib:,.0f} MiB; a child that only imports pandas, DuckDB and rapidfuzz sits near 200 MiB)")
    scale = 100 if args.quick else 1
    full = Shape(messages=args.messages // scale, cues=(args.cues or args.messages // 10) // scale, vods=max(1, args.vods // scale), seed=args.seed)
    sample = Shape(messages=full.messages // 100, cues=full.cues // 100, vods=max(1, full.vods // 100), seed=args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="chatclone-bench-mining-"))
    try:
        # the compiled kernels (chatclone/read_kernel.py, hive_kernel.py) are built once per install into numba's cache:
        # a tiny channel mined first, so that no measurement below pays for it
        warm = workdir / "warm.duckdb"
        run_child("generate", warm, args.memory_limit, extra=("--shape", json.dumps(asdict(Shape(messages=2000, cues=200, vods=2)))))
        console.print(f"kernels compiled or loaded from numba's cache (a tiny channel mined, not timed): "
                      f"{run_child('mine', warm, args.memory_limit)['elapsed_s']:.1f} s")
        warm.unlink()
        runs = measure(full, "full", workdir, args, console)
        if args.baseline:
            runs += measure(sample, "sample", workdir, args, console)
    finally:
        if args.keep:
            console.print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    table = Table(title=f"Zatsu mining (DuckDB memory_limit {args.memory_limit}; per core = per DuckDB thread; baseline = pandas + rapidfuzz)")
    for col in ("data", "what", "messages", "threads", "seconds", "messages/s", "per core", "peak RSS MiB", "reads", "planted found", "recall", "precision",
                "pairs read / hive"):
        table.add_column(col, justify="left" if col in ("data", "what") else "right")
    by = {(r["label"], r["mode"]): r for r in runs}
    for r in runs:
        if r["mode"] == "nightly":   # its own line below: messages/s means little for a run that mines 1% of them
            continue
        what = {"mine": "mine()", "steps": "steps", "baseline": "baseline"}[r["mode"]]
        data = f"{'1% sample' if r['label'] == 'sample' else 'full'}, {r['shape'].vods:,} VOD{'s' if r['shape'].vods > 1 else ''}"
        if r["timed_out"]:
            table.add_row(data, what, f"{r['messages']:,}", "", f"> {r['timeout_s']:g} (killed)", "", "", f"{r['peak_rss_mib']:,.0f}", "", "", "", "", "")
            continue
        rate = r["messages"] / r["elapsed_s"]
        table.add_row(data, what, f"{r['messages']:,}", str(r["threads"]), f"{r['elapsed_s']:.2f}", f"{rate:,.0f}", f"{rate / r['threads']:,.0f}",
                      f"{r['peak_rss_mib']:,.0f}", *_quality(r), f"{r['pairs']:,} / {r['hive_pairs']:,}")
    console.print(table)

    steps, threads = by.get(("full", "steps")), os.cpu_count() or 1
    if steps:
        threads = steps.get("threads") or threads
        st = Table(title=f"mine() steps on the full data ({steps['messages']:,} messages, {threads} DuckDB threads)")
        for col in ("step", "seconds", "share", "messages/s", "messages/s per core"):
            st.add_column(col, justify="left" if col == "step" else "right")
        total = steps["timeout_s"] if steps["timed_out"] else sum(steps["steps"].values())
        for step, sec in steps["steps"].items():
            st.add_row(step, f"{sec:.2f}", f"{sec / total:.0%}", f"{steps['messages'] / sec:,.0f}", f"{steps['messages'] / sec / threads:,.0f}")
        if steps["timed_out"] and steps["killed_step"]:
            running, ran = steps["killed_step"]
            st.add_row(f"{running} (killed by --timeout)", f"> {ran:.1f}", f"> {ran / total:.0%}", f"< {steps['messages'] / ran:,.0f}",
                       f"< {steps['messages'] / ran / threads:,.0f}")
        console.print(st)
        if "align_chat" in steps["steps"]:
            align = steps["messages"] / steps["steps"]["align_chat"] / threads
            console.print(f"alignment (align_chat): {align:,.0f} messages/s per core; goal >= {ALIGN_GOAL_PER_CORE:,}: "
                          + ("met" if align >= ALIGN_GOAL_PER_CORE else "NOT met"))

    base, small, big = by.get(("sample", "baseline")), by.get(("sample", "mine")), by.get(("full", "mine"))
    nightly = by.get(("full", "nightly"))
    if nightly and not nightly["timed_out"]:
        console.print(f"nightly mine() on the mined full warehouse ({nightly['vods']:,} VODs): nothing changed {nightly['unchanged_s']:.2f} s "
                      f"({nightly['unchanged_vods']} VOD(s) mined); {nightly['changed_vods']} VOD(s) to mine again {nightly['changed_s']:.2f} s, "
                      f"peak RSS {nightly['peak_rss_mib']:,.0f} MiB; reads after it: {_quality(nightly)[1]} planted found"
                      + (f" (the baseline mines the {base['shape'].vods} VOD(s) of the 1% sample in {base['elapsed_s']:.2f} s)" if base else ""))
    if base and small and not base["timed_out"]:
        base_rate = base["messages"] / base["elapsed_s"]
        mined = "did not finish" if small["timed_out"] else f"{small['pairs']:,} and {small['hive_pairs']:,}"
        console.print(f"baseline on the 1% sample: {base['elapsed_s']:.2f} s (reads and their answers {base['reads_s']:.2f} s, hive {base['hive_s']:.2f} s), "
                      f"{base_rate:,.0f} messages/s on 1 thread, {base['pairs']:,} read pairs and {base['hive_pairs']:,} hive pairs (mine() on the "
                      f"sample: {mined}); extrapolated to the full {big['messages']:,} messages: {big['messages'] / base_rate:,.0f} s")
        compared = [("on the 1% sample", small), (f"at full size ({big['messages']:,} messages; baseline extrapolated)", big)]
        for what, r in compared:
            if r["timed_out"]:
                console.print(f"mine() vs baseline {what}: mine() did not finish in {r['timeout_s']:g} s, so at most "
                              f"{(r['messages'] / r['timeout_s']) / base_rate:.2f}x; goal >= {BASELINE_GOAL_X}x: NOT met")
                continue
            x = (r["messages"] / r["elapsed_s"]) / base_rate
            console.print(f"mine() vs baseline {what}: {x:,.2f}x the baseline's messages/s end to end ({x / r['threads']:,.2f}x per core); "
                          f"goal >= {BASELINE_GOAL_X}x: " + ("met" if x >= BASELINE_GOAL_X else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
