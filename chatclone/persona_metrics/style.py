"""Style score: how close a set of replies is to the person's measurable writing habits, 0 to 100.

The person's profile is built from their replies in the training split. A set of replies (the
double's, the base model's, or the person's own held-out ones) is measured on seven features:

- `length`: the distribution of reply lengths: Wasserstein-1 distance between the log(1 + characters) values.
- `emoji`: the share of replies with an emoji, an emoticon (`:3`, `xD`, `<3`...) or an emote code (`:name:`).
- `punctuation`: the shares of replies with `!`, with `?`, ending in `.`, with `...`; mean absolute difference.
- `casing`: the share of letters in upper case, of replies starting in lower case, of replies with an ALL-CAPS
  word; mean absolute difference.
- `laughter_filler`: the shares of replies with laughter (lol, lmao, haha, www, 草...) and with filler words
  (like, ngl, tbh, um, kinda...); mean absolute difference.
- `phrases`: the share of replies with one of the person's frequent phrases: the 20 word 1-3-grams most
  typical of them against the other speakers (log-odds of the share of lines using it, used in 3+ replies).
- `function_words`: the profile of ~150 English function words: Jensen-Shannon distance (base 2).

Calibration: a distance means little until it is compared with how far the person is from
themselves. For each feature, `noise` is the 90th percentile of the distance between a random
sample of the person's training replies, as many as the replies scored (at most half of them),
and the profile of the rest (50 draws, seeded), floored at FLOORS. A feature scores
100 * 2^-(max(0, distance - noise) / noise): 100 while the replies are as close to the person as
their own replies usually are, halved for each further `noise` of distance. The style score is
the mean of the seven feature scores. So the person's own held-out replies score near 100 (a
little less where the held-out conversations differ in topic), and a model scores what its
distances earn it; nothing is rescaled to make a model look good or bad.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

from chatclone.errors import DatasetError

FEATURES = ("length", "emoji", "punctuation", "casing", "laughter_filler", "phrases", "function_words")
# Smallest noise level of each feature: below it, sampling noise of a small set is not measured well.
FLOORS = {"length": 0.05, "emoji": 0.02, "punctuation": 0.02, "casing": 0.02, "laughter_filler": 0.02, "phrases": 0.02, "function_words": 0.02}
CALIBRATION_DRAWS = 50
CALIBRATION_QUANTILE = 0.9
PHRASES = 20
PHRASE_MIN_REPLIES = 3

EMOTICON = (r"(?<![\w<])(?:[:;=xX][-'^]?[)(\]\[DPpOo3/\\|*]|<3|\^\^|\^_\^|[Tt;]_[Tt;]|[oOuU][wW][oOuU])(?![\w>])"
            r"|:[A-Za-z_][A-Za-z0-9_+-]{1,29}:")
_EMOJI = re.compile(EMOTICON + r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u3297\u3299]")
_TOKEN = re.compile(EMOTICON + r"|[\w']+|[^\w\s]+")
_LAUGHTER = re.compile(r"(?<!\w)(?:l+o+l+|lmf?a+o+|rofl|a?ha(?:ha)+h?|he(?:he)+|hi(?:hi)+|kekw?|xd+|w{3,}|ja(?:ja)+|k{4,}|草+)(?!\w)", re.I)
_FILLER = re.compile(r"(?<!\w)(?:like|um+|uh+|erm+|hmm+|ngl|tbh|idk|kinda|sorta|literally|basically|honestly|lowkey|i mean|you know|y'know)(?!\w)", re.I)
_CAPS_WORD = re.compile(r"\b[A-Z]{2,}\b")
FUNCTION_WORDS = tuple("""
a about above after again against all am an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers herself him himself
his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them themselves then there these they this
those through to too under until up very was we were what when where which while who whom why will with would you your
yours yourself yourselves also maybe yeah yes oh well still even really much many lot gonna wanna gotta let us im i'm it's
don't can't that's you're i've i'll didn't isn't wasn't
""".split())
_FUNCTION_INDEX = {w: i for i, w in enumerate(FUNCTION_WORDS)}


def tokens(text: str) -> list[str]:
    """Lower-cased words, emoticons and punctuation runs of `text`."""
    return [t.lower() for t in _TOKEN.findall(text)]


def _ngrams(words: list[str], n_max: int = 3) -> set[str]:
    return {" ".join(words[i : i + n]) for n in range(1, n_max + 1) for i in range(len(words) - n + 1)}


def frequent_phrases(persona: Sequence[str], others: Sequence[str], top: int = PHRASES, min_replies: int = PHRASE_MIN_REPLIES) -> list[str]:
    """The word 1-3-grams most typical of the person: used in at least `min_replies` of their replies, ranked by the
    log-odds of the share of their replies using it against the share of other speakers' lines (add-one smoothed).

    N-grams made only of function words are left out. Ties go alphabetically.
    """
    mine = Counter(g for text in persona for g in _ngrams(tokens(text)))
    theirs = Counter(g for text in others for g in _ngrams(tokens(text)))
    n_mine, n_theirs = len(persona) + 2, len(others) + 2

    def typical(g: str) -> float:
        return math.log((mine[g] + 1) / n_mine) - math.log((theirs[g] + 1) / n_theirs)

    kept = [g for g, c in mine.items() if c >= min_replies and not all(w in _FUNCTION_INDEX for w in g.split())]
    return sorted(kept, key=lambda g: (-typical(g), g))[:top]


@dataclass(frozen=True)
class Reply:
    """The measurements of one reply that a profile adds up."""

    log_length: float
    flags: tuple[float, ...]  # emoji, !, ?, ends ., ..., starts lower, caps word, laughter, filler, phrase
    letters: int
    upper: int
    function_counts: tuple[tuple[int, int], ...]  # (function word index, count)


def measure(text: str, phrases: Sequence[str]) -> Reply:
    """The measurements of one reply; `phrases` are the person's frequent phrases."""
    words = tokens(text)
    grams = _ngrams(words) if phrases else set()
    letters = [c for c in text if c.isalpha()]
    first = next((c for c in text if c.isalpha()), "")
    stripped = text.rstrip()
    flags = (
        bool(_EMOJI.search(text)), "!" in text, "?" in text, stripped.endswith(".") and not stripped.endswith(".."),
        "..." in text or "…" in text, first.islower(), bool(_CAPS_WORD.search(text)),
        bool(_LAUGHTER.search(text)), bool(_FILLER.search(text)), any(p in grams for p in phrases),
    )
    counts = Counter(_FUNCTION_INDEX[w] for w in words if w in _FUNCTION_INDEX)
    return Reply(math.log1p(len(text)), tuple(float(f) for f in flags), len(letters),
                 sum(c.isupper() for c in letters), tuple(sorted(counts.items())))


@dataclass(frozen=True)
class Profile:
    """A set of replies summed up: the feature values that distances are taken between."""

    log_lengths: np.ndarray
    shares: np.ndarray  # the mean of each flag over the replies
    upper_share: float
    function_words: np.ndarray  # counts per function word


def profile(replies: Sequence[Reply]) -> Profile:
    """The profile of measured replies; raises DatasetError when there are none."""
    if not replies:
        raise DatasetError("no replies to measure the style of")
    words = np.zeros(len(FUNCTION_WORDS))
    for r in replies:
        for index, count in r.function_counts:
            words[index] += count
    letters = sum(r.letters for r in replies)
    return Profile(
        np.array([r.log_length for r in replies]),
        np.mean([r.flags for r in replies], axis=0),
        sum(r.upper for r in replies) / letters if letters else 0.0,
        words,
    )


def distances(a: Profile, b: Profile) -> dict[str, float]:
    """The distance between two profiles on each feature (0: the same)."""
    d = np.abs(a.shares - b.shares)
    return {
        "length": float(wasserstein_distance(a.log_lengths, b.log_lengths)),
        "emoji": float(d[0]),
        "punctuation": float(d[1:5].mean()),
        "casing": float((abs(a.upper_share - b.upper_share) + d[5] + d[6]) / 3),
        "laughter_filler": float(d[7:9].mean()),
        "phrases": float(d[9]),
        # Add-half smoothing: a profile without any function word is not undefined.
        "function_words": float(jensenshannon(a.function_words + 0.5, b.function_words + 0.5, base=2)),
    }


def feature_score(distance: float, noise: float) -> float:
    """100 while `distance` is within `noise`, halved for each further `noise`."""
    return 100.0 * 2.0 ** (-max(0.0, distance - noise) / noise)


@dataclass(frozen=True)
class StyleModel:
    """The person's style: their frequent phrases, their measured training replies and its profile."""

    phrases: tuple[str, ...]
    replies: tuple[Reply, ...]
    reference: Profile


def fit_style(persona: Sequence[str], others: Sequence[str]) -> StyleModel:
    """The style of the person from their training replies (`persona`) and other speakers' lines (`others`).

    Raises DatasetError with fewer than 4 persona replies (too few to calibrate on).
    """
    if len(persona) < 4:
        raise DatasetError(f"the training split has {len(persona)} persona replies; the style score needs at least 4")
    phrases = tuple(frequent_phrases(persona, others))
    replies = tuple(measure(t, phrases) for t in persona)
    return StyleModel(phrases, replies, profile(replies))


def noise_levels(style: StyleModel, n: int, seed: int) -> dict[str, float]:
    """Each feature's noise level for sets of `n` replies (see the module docstring): how far the person is from themselves."""
    size = max(1, min(n, len(style.replies) // 2))
    rng = random.Random(seed)
    draws: dict[str, list[float]] = {f: [] for f in FEATURES}
    indices = range(len(style.replies))
    for _ in range(CALIBRATION_DRAWS):
        chosen = set(rng.sample(indices, size))
        sample = profile([r for i, r in enumerate(style.replies) if i in chosen])
        rest = profile([r for i, r in enumerate(style.replies) if i not in chosen])
        for feature, value in distances(sample, rest).items():
            draws[feature].append(value)
    return {f: max(FLOORS[f], float(np.quantile(draws[f], CALIBRATION_QUANTILE))) for f in FEATURES}


def style_score(style: StyleModel, texts: Sequence[str], seed: int) -> dict:
    """The style score of `texts` against the person: {"score", "replies", "features": {name: {"score", "distance", "noise"}}}.

    `score` is the mean of the feature scores (0-100, higher: more like the person). Empty texts
    count as replies of length 0. Raises DatasetError when `texts` is empty.
    """
    measured = [measure(t, style.phrases) for t in texts]
    found = distances(profile(measured), style.reference)
    noise = noise_levels(style, len(measured), seed)
    features = {f: {"score": feature_score(found[f], noise[f]), "distance": found[f], "noise": noise[f]} for f in FEATURES}
    return {"score": sum(v["score"] for v in features.values()) / len(features), "replies": len(measured), "features": features}
