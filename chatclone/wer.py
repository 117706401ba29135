"""Word error rate between two transcripts of the same speech, after normalizing away what subtitles disagree on."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

_NOT_WORD = re.compile(r"[^\w']+")


def normalize_words(text: str) -> list[str]:
    """The words of `text` compared for WER: NFKC, lower case, punctuation dropped, apostrophes kept inside words."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return [w.strip("'") for w in _NOT_WORD.split(text) if w.strip("'")]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, on normalized words; 0.0 for two empty texts.

    An empty reference with words in the hypothesis gives 1.0 (everything inserted counts against it).
    """
    ref, hyp = normalize_words(reference), normalize_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)
