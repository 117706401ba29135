"""Zatsu pair mining, set-based in DuckDB: speech and chat aligned, reads found, answers cut, the hive merged.

Every step is a file in sql/ run over the zatsu VODs to mine (no loop over rows in Python):

    mine_todo      the zatsu VODs whose inputs changed since they were mined -> mine_videos (the rest are kept as they are)
    align_speech   their transcript words -> speech_words, speech_phrases (numbered, split at pauses): compiled
                   (speech_kernel.py) over the words of sql/align_words.sql
    align_chat     their chat -> chat_aligned (the phrase in progress and the next one)
    reads          chat messages read aloud at the start of a phrase -> reads (with their score); the matching is
                   compiled (read_kernel.py) over the chat of sql/mine_chat.sql and the speech and phrases of align_speech
    pairs_read     the message read -> the speech after it (until the next read, a long pause, a maximum)
    pairs_hive     unread answers -> the de-duplicated, ranked chat before them, merged into one prompt; the
                   answers and prompts are compiled (hive_kernel.py) over the turns of sql/hive_turns.sql, the
                   prompts' lines from sql/hive_lines.sql
    mine_done      each VOD mined -> mined_videos, with the fingerprint of what it was mined from

A VOD's fingerprint hashes its transcript words, its chat and the mining version: the [mining] settings and the
text of these SQL files and of the kernels. So a nightly run mines only the new or changed VODs, and new settings or a new
release of the SQL mine every VOD again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa

from chatclone import hive_kernel, kernel_chat, read_kernel, speech_kernel
from chatclone.config import Mining
from chatclone.warehouse import Warehouse, load_sql

STEPS = ("mine_todo", "align_speech", "align_chat", "reads", "pairs_read", "pairs_hive", "mine_done")
KERNEL_INPUTS = ("align_words", "mine_chat", "read_authors", "hive_turns", "hive_lines")


def mining_params(settings: Mining) -> dict:
    """The $parameters of the mining steps: the settings, and `version`, a sha256 of them, of the steps' SQL and of
    the kernels' source."""
    params = settings.model_dump()
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode())
    for step in STEPS + KERNEL_INPUTS:
        digest.update(load_sql(step).encode())
    for kernel in (kernel_chat, speech_kernel, read_kernel, hive_kernel):
        digest.update(Path(kernel.__file__).read_bytes())
    return params | {"version": digest.hexdigest()}


def mine(wh: Warehouse, settings: Mining) -> dict[str, int]:
    """Mine the zatsu VODs that are new or changed into speech_words, speech_phrases, chat_aligned, reads and pairs
    (and drop the rows of VODs no longer zatsu), in one transaction; return the tables' row counts, `vods` (zatsu
    VODs mined, now and before) and `vods_mined` (those mined now)."""
    params = mining_params(settings)
    wh.con.execute("BEGIN")
    try:
        shared: dict = {}
        run_step(wh, "mine_todo", params, shared)
        vods_mined = shared["vods"]
        for step in STEPS[1:] if vods_mined or shared["stale"] else STEPS[-1:]:
            if step == "pairs_hive" and not settings.hive:
                continue
            run_step(wh, step, params, shared)
        wh.con.execute("COMMIT")
    except BaseException:
        wh.con.execute("ROLLBACK")
        raise
    counts = dict(wh.run("count_mining"))
    return {k: counts.get(k, 0) for k in ("speech_words", "speech_phrases", "chat_aligned", "reads", "read", "hive", "vods")} | {"vods_mined": vods_mined}


def run_step(wh: Warehouse, step: str, params: dict, shared: dict) -> None:
    """Run one of STEPS with mining_params(): its SQL, and for align_speech, reads and pairs_hive the kernel that
    feeds it. `shared` (empty at the first step) carries what the kernels made once to the steps after: the speech
    from align_speech, the chat (hashed, in order) and the reads from reads; and from mine_todo, how many VODs are to
    be mined (`vods`) and to be dropped or mined again (`stale`)."""
    if step == "mine_todo":
        shared["vods"], shared["stale"] = wh.run("mine_todo", **params)[0]
    elif step == "align_speech":
        words, shared["phrases"], shared["speech"] = speech_kernel.align(wh.arrow("align_words", **params), shared["vods"], params)
        wh.insert_arrow("align_speech", {"batch": words, "phrases": shared["phrases"]}, **params)
    elif step == "reads":
        chat = shared["chat"] = kernel_chat.chat_arrays(wh.arrow("mine_chat", **params))
        found, shared["read"] = read_kernel.find_reads(chat, wh.arrow("read_authors", **params), shared["speech"],
                                                       shared["phrases"], params)
        wh.insert_arrow("reads", found, **params)
    elif step == "pairs_hive":
        pairs = hive_kernel.pick_hive(shared["chat"], shared["read"], shared["speech"], wh.arrow("hive_turns", **params), params)
        with wh.registered({"shown": pa.table({"mid": kernel_chat.flat(pairs.column("shown")).flatten()})}):
            lines = wh.arrow("hive_lines")
        wh.insert_arrow("pairs_hive", hive_kernel.with_prompts(pairs, lines), **params)
    else:
        wh.run(step, **params)
