"""Authorship: would a stylometric classifier take the replies for the person's?

A light classifier (scikit-learn): TF-IDF of character 1-4-grams within word boundaries, case
kept (casing is a habit), then logistic regression with balanced class weights, trained on the
training split's persona replies against the other speakers' lines. The authorship share of a
set of replies is the share the classifier attributes to the persona (probability >= 0.5); an
empty reply is attributed to no one. How well the classifier itself tells the two apart on the
held-out split (balanced accuracy) says how much its shares can be trusted.
"""

from __future__ import annotations

from collections.abc import Sequence

from chatclone.errors import DatasetError

THRESHOLD = 0.5


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
    return model.fit([*persona, *others], [1] * len(persona) + [0] * len(others))


def persona_probabilities(classifier, texts: Sequence[str]) -> list[float]:
    """The probability that each text is the persona's (0 for an empty text)."""
    kept = [t for t in texts if t.strip()]
    found = iter(classifier.predict_proba(kept)[:, 1].tolist() if kept else [])
    return [next(found) if t.strip() else 0.0 for t in texts]


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
