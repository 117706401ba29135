"""Authorship: would a stylometric classifier take the replies for the person's?

A light classifier (scikit-learn): TF-IDF of character 1-4-grams within word boundaries, case
kept (casing is a habit), then logistic regression with balanced class weights, trained on the
training split's persona replies against the other speakers' lines. Every text, in training and
when scored, is first cut at word boundaries into pieces of at most PIECE_CHARS characters, and
a reply's probability is the mean of its pieces': otherwise length is a feature, and a model that
rambles (the base model's 300-character replies) is taken for whichever side writes longer
turns. On the demo persona, whole-text classification gave the base model's rambling anywhere
from 38% to 97% persona depending on small settings; with pieces the shares are stable.

The authorship share of a set of replies is the share the classifier attributes to the persona
(probability >= 0.5); an empty reply is attributed to no one. How well the classifier tells the
two sides apart on the held-out split (balanced accuracy) says how far its shares can be trusted.
"""

from __future__ import annotations

from collections.abc import Sequence

from chatclone.errors import DatasetError

THRESHOLD = 0.5
PIECE_CHARS = 30  # about one short chat line


def pieces(text: str, width: int = PIECE_CHARS) -> list[str]:
    """`text` cut at spaces into pieces of at most `width` characters (a longer word is a piece of its own)."""
    out, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*out, current] if current else out


def train_classifier(persona: Sequence[str], others: Sequence[str], seed: int = 0):
    """A fitted scikit-learn pipeline whose class 1 is the persona; raises DatasetError when a side has no line."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    if not persona or not others:
        raise DatasetError(f"the authorship classifier needs lines of both sides; the training split has {len(persona)} "
                           f"persona replies and {len(others)} lines of other speakers")
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), lowercase=False, sublinear_tf=True),
        LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, random_state=seed),
    )
    mine, theirs = [p for t in persona for p in pieces(t)], [p for t in others for p in pieces(t)]
    return model.fit([*mine, *theirs], [1] * len(mine) + [0] * len(theirs))


def persona_probabilities(classifier, texts: Sequence[str]) -> list[float]:
    """The probability that each text is the persona's: the mean over its pieces (0 for an empty text)."""
    cut = [pieces(t) for t in texts]
    flat = [p for ps in cut for p in ps]
    found = iter(classifier.predict_proba(flat)[:, 1].tolist() if flat else [])
    return [sum(next(found) for _ in ps) / len(ps) if ps else 0.0 for ps in cut]


def persona_share(classifier, texts: Sequence[str]) -> float | None:
    """The share of `texts` the classifier attributes to the persona (None when there is no text)."""
    if not texts:
        return None
    return sum(p >= THRESHOLD for p in persona_probabilities(classifier, texts)) / len(texts)


def balanced_accuracy(classifier, persona: Sequence[str], others: Sequence[str]) -> float | None:
    """The mean of the classifier's recall on persona lines and on other lines (0.5: chance); None if a side is empty."""
    if not persona or not others:
        return None
    return (persona_share(classifier, persona) + 1 - persona_share(classifier, others)) / 2
