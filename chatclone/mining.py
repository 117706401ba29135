"""Zatsu pair mining, set-based in DuckDB: speech and chat aligned, reads found, answers cut, the hive merged.

Every step is a file in sql/ run over the whole warehouse (no loop over rows in Python):

    align_speech   transcript words of zatsu VODs -> speech_words, speech_phrases (split at pauses)
    align_chat     chat -> chat_aligned (normalized words, the phrase in progress and the next one)
    reads          chat messages read aloud at the start of a phrase -> reads (with their score)
    pairs_read     the message read -> the speech after it (until the next read, a long pause, a maximum)
    pairs_hive     unread answers -> the de-duplicated, ranked chat before them, merged into one prompt
"""

from __future__ import annotations

from chatclone.config import Mining
from chatclone.warehouse import Warehouse

STEPS = ("align_speech", "align_chat", "reads", "pairs_read", "pairs_hive")


def mine(wh: Warehouse, settings: Mining) -> dict[str, int]:
    """Rebuild speech_words, speech_phrases, chat_aligned, reads and pairs from the zatsu VODs; return row counts."""
    params = settings.model_dump()
    wh.con.execute("BEGIN")
    try:
        for step in STEPS:
            if step == "pairs_hive" and not settings.hive:
                continue
            wh.run(step, **params)
        wh.con.execute("COMMIT")
    except BaseException:
        wh.con.execute("ROLLBACK")
        raise
    counts = dict(wh.run("count_mining"))
    return {k: counts.get(k, 0) for k in ("speech_words", "speech_phrases", "chat_aligned", "reads", "read", "hive")}
