"""Style score: how close a set of replies is to the person's measurable writing habits, 0 to 100.

The person's profile is built from their replies in the training split. A set of replies (the
double's, the base model's, or the person's own held-out ones) is measured on seven features,
each made of one or more components:

- `length`: the distribution of reply lengths: Wasserstein-1 distance between the log(1 + characters) values.
- `emoji`: emoji, emoticons (`:3`, `xD`, `<3`...) and emote codes (`:name:`) per word.
- `punctuation`: `!`, `?` and `...` per word, and the share of replies ending in `.`.
- `casing`: the share of letters in upper case, the share of replies starting in lower case, ALL-CAPS words per word.
- `laughter_filler`: laughter (lol, lmao, haha, www, 草...) per word and filler words (like, ngl, tbh, um, kinda...) per word.
- `phrases`: uses of the person's frequent phrases per word: the 20 word 1-3-grams most typical of them
  against the other speakers (log-odds of the share of lines using it, used in 3+ of their replies).
- `function_words`: the profile of ~150 English function words: Jensen-Shannon distance (base 2).

Rates are per word and averaged over replies, so a reply that rambles on is not rewarded for
containing more of everything. A component's distance is the absolute difference of the two
sets' values (the two distributional ones are as named above).

Calibration: a distance means little until it is compared with how far the person is from
themselves. For each component, `noise` is the 90th percentile of the distance between a random
sample of the person's training replies, as many as the replies scored (at most half of them),
and the rest of their training replies (50 draws, seeded), floored at FLOORS. A component scores
100 * 2^-(max(0, distance - noise) / noise): 100 while the replies are as close to the person as
their own replies usually are, halved for each further `noise` of distance. A feature's score
is the mean of its components', and the style score the mean of the seven features'. So the
person's own held-out replies score near 100 (less where the held-out conversations differ in
kind), and a model scores what its distances earn it; nothing is rescaled to flatter a model.
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

# Each feature's components, in the order `distances` returns them.
FEATURES = {
    "length": ("length",),
    "emoji": ("emoji",),
    "punctuation": ("exclamations", "questions", "ellipses", "ends_with_period"),
    "casing": ("upper_letters", "starts_lower", "caps_words"),
    "laughter_filler": ("laughter", "fillers"),
    "phrases": ("phrases",),
    "function_words": ("function_words",),
}
COMPONENTS = tuple(c for parts in FEATURES.values() for c in parts)
# Smallest noise level of a component: where the person never does something, a trace of it still costs only so much.
FLOORS = {"length": 0.05, "function_words": 0.02, "ends_with_period": 0.02, "upper_letters": 0.02, "starts_lower": 0.02}
RATE_FLOOR = 0.005  # the other components are rates per word
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


def _ngrams(words: list[str], n_max: int = 3) -> list[str]:
    return [" ".join(words[i : i + n]) for n in range(1, n_max + 1) for i in range(len(words) - n + 1)]


def _is_phrase(gram: str) -> bool:
    """Not made only of function words or of single punctuation marks."""
    parts = gram.split()
    return not all(w in _FUNCTION_INDEX or (len(w) == 1 and not w.isalnum()) for w in parts)


def frequent_phrases(persona: Sequence[str], others: Sequence[str], top: int = PHRASES, min_replies: int = PHRASE_MIN_REPLIES) -> list[str]:
    """The word 1-3-grams most typical of the person: used in at least `min_replies` of their replies, ranked by the
    log-odds of the share of their replies using it against the share of other speakers' lines (add-one smoothed).

    N-grams made only of function words or single punctuation marks are left out. Ties go alphabetically.
    """
    mine = Counter(g for text in persona for g in set(_ngrams(tokens(text))))
    theirs = Counter(g for text in others for g in set(_ngrams(tokens(text))))
    n_mine, n_theirs = len(persona) + 2, len(others) + 2

    def typical(g: str) -> float:
        return math.log((mine[g] + 1) / n_mine) - math.log((theirs[g] + 1) / n_theirs)

    kept = [g for g, c in mine.items() if c >= min_replies and _is_phrase(g)]
    return sorted(kept, key=lambda g: (-typical(g), g))[:top]


@dataclass(frozen=True)
class Reply:
    """The measurements of one reply that a profile adds up."""

    log_length: float
    values: tuple[float, ...]  # the per-reply components, in _PER_REPLY order
    letters: int
    upper: int
    function_counts: tuple[tuple[int, int], ...]  # (function word index, count)


# Components measured on each reply and averaged over a set.
_PER_REPLY = ("emoji", "exclamations", "questions", "ellipses", "ends_with_period", "starts_lower", "caps_words", "laughter", "fillers", "phrases")


def measure(text: str, phrases: Sequence[str]) -> Reply:
    """The measurements of one reply; `phrases` are the person's frequent phrases."""
    words = tokens(text)
    n = max(1, sum(any(c.isalnum() for c in w) for w in words))
    grams = Counter(_ngrams(words)) if phrases else Counter()
    letters = [c for c in text if c.isalpha()]
    first = next((c for c in text if c.isalpha()), "")
    stripped = text.rstrip()
    values = {
        "emoji": len(_EMOJI.findall(text)) / n,
        "exclamations": text.count("!") / n,
        "questions": text.count("?") / n,
        "ellipses": (text.count("...") + text.count("…")) / n,
        "ends_with_period": float(stripped.endswith(".") and not stripped.endswith("..")),
        "starts_lower": float(first.islower()),
        "caps_words": len(_CAPS_WORD.findall(text)) / n,
        "laughter": len(_LAUGHTER.findall(text)) / n,
        "fillers": len(_FILLER.findall(text)) / n,
        "phrases": sum(grams[p] for p in phrases) / n,
    }
    counts = Counter(_FUNCTION_INDEX[w] for w in words if w in _FUNCTION_INDEX)
    return Reply(math.log1p(len(text)), tuple(values[k] for k in _PER_REPLY), len(letters),
                 sum(c.isupper() for c in letters), tuple(sorted(counts.items())))


@dataclass(frozen=True)
class Profile:
    """A set of replies summed up: the values that distances are taken between."""

    log_lengths: np.ndarray
    means: dict[str, float]  # each per-reply component averaged over the replies
    upper_letters: float  # share of all letters in upper case
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
    means = np.mean([r.values for r in replies], axis=0)
    return Profile(
        np.array([r.log_length for r in replies]),
        dict(zip(_PER_REPLY, means.tolist())),
        sum(r.upper for r in replies) / letters if letters else 0.0,
        words,
    )


def distances(a: Profile, b: Profile) -> dict[str, float]:
    """The distance between two profiles on each component (0: the same)."""
    found = {k: abs(a.means[k] - b.means[k]) for k in _PER_REPLY}
    found["length"] = float(wasserstein_distance(a.log_lengths, b.log_lengths))
    found["upper_letters"] = abs(a.upper_letters - b.upper_letters)
    # Add-half smoothing: a profile without any function word is not undefined.
    found["function_words"] = float(jensenshannon(a.function_words + 0.5, b.function_words + 0.5, base=2))
    return {c: float(found[c]) for c in COMPONENTS}


def component_score(distance: float, noise: float) -> float:
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
    """Each component's noise level for sets of `n` replies (see the module docstring): how far the person is from themselves."""
    size = max(1, min(n, len(style.replies) // 2))
    rng = random.Random(seed)
    draws: dict[str, list[float]] = {c: [] for c in COMPONENTS}
    indices = range(len(style.replies))
    for _ in range(CALIBRATION_DRAWS):
        chosen = set(rng.sample(indices, size))
        sample = profile([r for i, r in enumerate(style.replies) if i in chosen])
        rest = profile([r for i, r in enumerate(style.replies) if i not in chosen])
        for component, value in distances(sample, rest).items():
            draws[component].append(value)
    return {c: max(FLOORS.get(c, RATE_FLOOR), float(np.quantile(draws[c], CALIBRATION_QUANTILE))) for c in COMPONENTS}


def style_score(style: StyleModel, texts: Sequence[str], seed: int) -> dict:
    """The style score of `texts` against the person: {"score", "replies", "features": {name: {"score", "components":
    {name: {"score", "distance", "noise"}}}}}.

    `score` is the mean of the feature scores (0-100, higher: more like the person), a feature's
    the mean of its components'. Empty texts count as replies of length 0. Raises DatasetError
    when `texts` is empty.
    """
    measured = [measure(t, style.phrases) for t in texts]
    found = distances(profile(measured), style.reference)
    noise = noise_levels(style, len(measured), seed)
    features = {}
    for feature, parts in FEATURES.items():
        components = {c: {"score": component_score(found[c], noise[c]), "distance": found[c], "noise": noise[c]} for c in parts}
        features[feature] = {"score": sum(v["score"] for v in components.values()) / len(components), "components": components}
    return {"score": sum(v["score"] for v in features.values()) / len(features), "replies": len(measured), "features": features}
