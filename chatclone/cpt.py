"""The continued-pretraining (CPT) corpus: the transcripts of solo streams cut into documents.

Each solo VOD's chosen transcript (sql/solo_transcript_cues.sql) is cut into documents of about
`target_tokens` tokens, estimated as words x tokens_per_word. Cuts fall at sentence ends where
the text has punctuation, else at the longest pause, never inside a cue and never across VODs.
A VOD goes wholly to one split, so no stream leaks from train into val or test.

    with Warehouse("persona/warehouse.duckdb") as wh:
        build_cpt(wh, Path("persona/datasets"), target_tokens=1024)
    # -> {"videos": 12, "documents": {"train": 410, "val": 25, "test": 19}, "words": 351234}
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import orjson

from chatclone.datasets import SPLITS, split_of
from chatclone.errors import DatasetError
from chatclone.text import scrub_counted
from chatclone.warehouse import Warehouse

log = logging.getLogger(__name__)

TOKENS_PER_WORD = 1.3
PAUSE_S = 2.0                # a silence this long ends a thought even mid-"sentence"
WINDOW = (0.75, 1.25)        # a document ends between these fractions of the target
MIN_TAIL = 0.25              # a VOD's last document shorter than this joins the one before

# Kana and CJK ideographs: those scripts put no spaces between words, so each character counts
# as a word (about one token each) and cues are joined without a space.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "\u3000-\u303f\uff01-\uff60"
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}{_CJK_PUNCT}]+")
_ENDS_CJK = re.compile(rf"[{_CJK}{_CJK_PUNCT}]$")
_STARTS_CJK = re.compile(rf"[{_CJK}{_CJK_PUNCT}]")
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’)\]」』）]*$")


@dataclass(frozen=True, slots=True)
class Cue:
    """One transcript cue: its time span, its text with whitespace collapsed, and its word count."""

    start_s: float
    end_s: float
    text: str
    words: int


def count_words(text: str) -> int:
    """Words of a text: runs of non-space characters, each kana or CJK ideograph one word."""
    return len(_WORD.findall(text))


def join_cues(texts: list[str]) -> str:
    """The cues' texts as one text: joined with a space, except between CJK characters."""
    parts = texts[:1]
    for previous, text in itertools.pairwise(texts):
        parts.append(text if _ENDS_CJK.search(previous) and _STARTS_CJK.match(text) else " " + text)
    return "".join(parts)


def cut(cues: list[Cue], target_words: float) -> list[list[Cue]]:
    """One VOD's cues (in time order) cut into documents of about `target_words` words.

    A document ends after a cue whose running word count lies in WINDOW x target: at the
    sentence end or long pause nearest the target, else at the longest gap between cues.
    A last document under MIN_TAIL x target is merged into the one before it.
    """
    documents, start = [], 0
    while start < len(cues):
        end = _document_end(cues, start, target_words)
        documents.append(cues[start:end])
        start = end
    if len(documents) > 1 and sum(c.words for c in documents[-1]) < MIN_TAIL * target_words:
        documents[-2:] = [documents[-2] + documents[-1]]
    return documents


def _document_end(cues: list[Cue], start: int, target_words: float) -> int:
    """The index after the last cue of the document that starts at cues[start]."""
    lo, hi = WINDOW[0] * target_words, WINDOW[1] * target_words
    words, candidates = 0, []
    for k in range(start, len(cues)):
        words += cues[k].words
        if k == len(cues) - 1:
            return len(cues)
        if words >= lo:
            candidates.append((k, words))
        if words >= hi:
            break

    def gap(k: int) -> float:
        return cues[k + 1].start_s - cues[k].end_s

    ends = [(k, w) for k, w in candidates if _SENTENCE_END.search(cues[k].text) or gap(k) > PAUSE_S]
    if ends:
        k, _ = min(ends, key=lambda kw: abs(kw[1] - target_words))
    else:
        k, _ = max(candidates, key=lambda kw: (gap(kw[0]), -abs(kw[1] - target_words)))
    return k + 1


def _solo_vods(wh: Warehouse) -> Iterator[tuple[str, list[Cue]]]:
    """(video_id, cues) of each solo VOD with a non-empty transcript, one VOD in memory at a time."""
    rows = (
        row
        for batch in wh.stream("solo_transcript_cues", batch_rows=20_000)
        for row in zip(*(batch.column(c).to_pylist() for c in ("video_id", "start_s", "end_s", "text")))
    )
    for video_id, group in itertools.groupby(rows, key=lambda r: r[0]):
        cues = []
        for _, start_s, end_s, text in group:
            text = " ".join(text.split())
            if text:
                cues.append(Cue(start_s, end_s, text, count_words(text)))
        if cues:
            yield video_id, cues


def build_cpt(
    wh: Warehouse,
    out_dir: Path,
    target_tokens: int,
    tokens_per_word: float = TOKENS_PER_WORD,
    split: tuple[float, float, float] = (0.9, 0.05, 0.05),
    seed: int = 42,
    pii: bool = True,
    links: bool = True,
) -> dict:
    """Write the CPT corpus of the solo VODs into `out_dir`; return its counts.

    Files: cpt.jsonl (train), cpt.val.jsonl, cpt.test.jsonl, one {"text", "video_id", "start_s",
    "end_s"} object a line, each rewritten whole (temp file, then rename); no solo VOD gives empty
    files. PII (when `pii`) and links (when `links`) become placeholders, as in cleaning.
    Returns {"videos": n, "documents": {"train": a, "val": b, "test": c}, "words": w,
    "scrubbed": {"scrubbed_<kind>": n}}.
    Raises DatasetError for a non-positive size or a split that does not sum to 1.
    """
    if target_tokens <= 0 or tokens_per_word <= 0:
        raise DatasetError(f"CPT documents need target_tokens > 0 and tokens_per_word > 0, got {target_tokens} and {tokens_per_word}")
    if abs(sum(split) - 1) > 1e-6 or min(split) < 0:
        raise DatasetError(f"CPT split {split} must be three fractions (train, val, test) summing to 1")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {s: out_dir / ("cpt.jsonl" if s == "train" else f"cpt.{s}.jsonl") for s in SPLITS}
    temps = {s: p.with_name(p.name + ".tmp") for s, p in paths.items()}
    counts = {"videos": 0, "documents": dict.fromkeys(SPLITS, 0), "words": 0}
    scrubbed: Counter = Counter()
    try:
        with ExitStack() as stack:
            handles = {s: stack.enter_context(open(temps[s], "wb")) for s in SPLITS}
            for video_id, cues in _solo_vods(wh):
                # The same key as the VOD's zatsu pairs in datasets.export: one VOD, one split everywhere.
                which = split_of(f"youtube:{video_id}", seed, split[0], split[1])
                counts["videos"] += 1
                for document in cut(cues, target_tokens / tokens_per_word):
                    record = {"text": scrub_counted(join_cues([c.text for c in document]), scrubbed, pii, links), "video_id": video_id,
                              "start_s": document[0].start_s, "end_s": max(c.end_s for c in document)}
                    handles[which].write(orjson.dumps(record) + b"\n")
                    counts["documents"][which] += 1
                    counts["words"] += sum(c.words for c in document)
    except BaseException:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        raise
    for s in SPLITS:
        temps[s].replace(paths[s])
    counts["scrubbed"] = dict(scrubbed)
    log.info("cpt corpus: %d solo VODs, %s documents, %d words", counts["videos"], counts["documents"], counts["words"])
    return counts
