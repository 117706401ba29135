"""VOD classification: every video in the warehouse into ignore, solo, zatsu or broken.

- ignore: other voices on the track (collabs, karaoke, reactions, games with dialogue);
- solo: the persona talking alone, kept as transcripts for continued pretraining;
- zatsu: chatting streams, mined for (chat, reply) pairs;
- broken: files missing or unparseable, fetched again on the next run.

The first rule that matches wins: the override file, then broken, then the ignore, zatsu and
solo keywords of [classify], then its `default`.

    counts = classify_videos(wh, config.classify, workspace / config.classify.overrides)
    # or one video at a time:
    category, reason = classify(row, compile_rules(config.classify), load_overrides(path))
"""

from __future__ import annotations

import logging
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from chatclone.config import CATEGORIES, Classify
from chatclone.errors import ConfigError
from chatclone.warehouse import Warehouse

log = logging.getLogger(__name__)

KEYWORD_BUCKETS = ("ignore", "zatsu", "solo")
# Fields searched, in the order a reason reports them, and the word each reason names it by.
_FIELDS = (("title", "title"), ("tags", "tag"), ("categories", "category"))
# Casefolded Latin letters and digits: a keyword edge made of one must not touch another one,
# so "sing" misses "singapore" while "minecraft" still matches "Minecraftやる".
_LATIN = "0-9a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u024f"
_IS_LATIN = re.compile(f"[{_LATIN}]")
# Spaces inside a keyword also match '-', '_' or nothing: "free talk" finds "free-talk" and "#freetalk".
_SEPARATOR = "[ \t_\\-]*"
_RESULTS = pa.schema([("video_id", pa.string()), ("category", pa.string()), ("category_reason", pa.string())])


def _normalize(text: str) -> str:
    # NFKC folds full-width Latin (ＫＡＲＡＯＫＥ) and half-width kana into their usual forms.
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class Bucket:
    """One category's keywords: `pattern` finds any of them, `each[i]` only `keywords[i]`."""

    category: str
    pattern: re.Pattern
    keywords: tuple[str, ...]
    each: tuple[re.Pattern, ...]

    def search(self, text: str) -> str | None:
        """The configured keyword found in normalized `text`, or None."""
        match = self.pattern.search(text)
        if not match:
            return None
        # `each` is in the alternation's order, so the first that matches here is the branch that did.
        return next(k for k, p in zip(self.keywords, self.each) if p.match(text, match.start()))


@dataclass(frozen=True)
class Rules:
    """[classify] compiled: the keyword buckets in precedence order and the default category."""

    buckets: tuple[Bucket, ...]
    default: str


def keyword_pattern(keyword: str) -> tuple[bool, str]:
    """How to find `keyword` (as configured) in normalized text.

    Returns (whole_word_start, pattern): whether the keyword starts with a Latin letter or digit,
    and so must not follow another one, and the regex for the rest, in which a Latin last letter
    must not be followed by another one. Other edges (kana, kanji, '/', '&') match anywhere.
    """
    word = _normalize(keyword).strip()
    body = _SEPARATOR.join(re.escape(part) for part in word.split())
    after = f"(?![{_LATIN}])" if _IS_LATIN.match(word[-1]) else ""
    return bool(_IS_LATIN.match(word[0])), body + after


def _bucket(category: str, keywords: list[str]) -> Bucket:
    # Blank keywords would match every video; they are skipped, not an error. Whole-word ones
    # come first, as in the alternation below, and longer before shorter so that the reason
    # names the most specific keyword ("zatsudan", not "zatsu").
    kept = [k for k in keywords if _normalize(k).strip()]
    compiled = sorted(((k, *keyword_pattern(k)) for k in kept), key=lambda c: (not c[1], -len(c[0])))
    words = [p for _, whole_word_start, p in compiled if whole_word_start]
    anywhere = [p for _, whole_word_start, p in compiled if not whole_word_start]
    # One lookbehind before all the Latin keywords rather than one each, and no capturing groups:
    # either defeats the fast paths of Python's re (8 to 20 times slower on a title).
    alternatives = ([f"(?<![{_LATIN}])(?:{'|'.join(words)})"] if words else []) + anywhere
    each = [re.compile(f"(?<![{_LATIN}])" * w + p) for _, w, p in compiled]
    return Bucket(category, re.compile("|".join(alternatives) or "(?!)"), tuple(k for k, _, _ in compiled), tuple(each))


def compile_rules(config: Classify) -> Rules:
    """Compile the [classify] keyword lists into one regex per category; returns Rules."""
    return Rules(tuple(_bucket(c, getattr(config, c)) for c in KEYWORD_BUCKETS), config.default)


def load_overrides(path: Path) -> dict[str, tuple[str, str]]:
    """Read the per-video override file; returns video_id -> (category, reason).

    Each top-level key is a video id, its value either a category (`dQw4w9WgXcQ = "zatsu"`) or a
    table (`dQw4w9WgXcQ = { category = "ignore", reason = "guest from 40:00" }`). Ids made of
    anything but letters, digits, '-' and '_' must be quoted: `"v1.2" = "solo"`. An absent file
    is {}; bad TOML, an unknown category or a wrong value type raise ConfigError naming the file.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: not a readable TOML file: {e}") from None
    default_reason = f"override in {path.name}"
    return {video_id: _override(path, video_id, value, default_reason) for video_id, value in data.items()}


def _override(path: Path, video_id: str, value, default_reason: str) -> tuple[str, str]:
    where = f"{path}: key '{video_id}'"
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"category", "reason"})
        if unknown:
            raise ConfigError(f"{where}: unknown field '{unknown[0]}' (expected category and reason)")
        category, reason = value.get("category"), value.get("reason", "")
        if not isinstance(reason, str):
            raise ConfigError(f"{where}: reason must be a string")
    else:
        category, reason = value, ""
    if not isinstance(category, str):
        raise ConfigError(f'{where}: expected a category ("zatsu") or {{ category = "zatsu", reason = "..." }}')
    if category not in CATEGORIES:
        raise ConfigError(f"{where}: unknown category '{category}' (expected one of {', '.join(CATEGORIES)})")
    return category, reason or default_reason


def _count(n: int | None, noun: str) -> str:
    if not n:
        return ""
    return f" ({n} {noun})" if n == 1 else f" ({n} {noun}es)" if noun.endswith("ch") else f" ({n} {noun}s)"


def broken_reason(video: dict) -> str | None:
    """Why a video has nothing usable yet (takes a videos row as a dict), or None if it has."""
    if video.get("status") == "broken":
        return f"failed to parse{_count(video.get('attempts'), 'failed import')}"
    fetch_status = video.get("fetch_status")
    if fetch_status in ("incomplete", "failed"):
        error = f": {video['fetch_error']}" if video.get("fetch_error") else ""
        return f"fetch {fetch_status}{error}{_count(video.get('fetch_attempts'), 'failed fetch')}"
    if not (video.get("has_auto_subs") or video.get("has_manual_subs") or video.get("has_live_chat")):
        return "no subtitles or chat"
    return None


def _field_text(value) -> str:
    if value is None:
        return ""
    # One tag per line: a keyword's separators never span a newline, so it cannot straddle two tags.
    return _normalize(value if isinstance(value, str) else "\n".join(v for v in value if v))


def classify(video: dict, rules: Rules, overrides: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """Sort one video (a videos row as a dict: title, tags, categories, status, fetch_* and has_*).

    Returns (category, reason): an override first, then broken, then the first keyword bucket
    with a match in the title, tags or categories, else the configured default.
    """
    override = overrides.get(video.get("video_id"))
    if override:
        return override
    reason = broken_reason(video)
    if reason:
        return "broken", reason
    fields = [(label, _field_text(video.get(name))) for name, label in _FIELDS]
    for bucket in rules.buckets:
        for label, text in fields:
            keyword = bucket.search(text) if text else None
            if keyword:
                return bucket.category, f"{label} matches '{keyword}' ({bucket.category})"
    return rules.default, f"no keyword matched: default {rules.default}"


def classify_videos(wh: Warehouse, rules_config: Classify, overrides_path: Path) -> dict[str, int]:
    """Classify every video in the warehouse and store its category and category_reason.

    Takes the [classify] config and the override file's path (absent: no overrides; overrides of
    videos not in the warehouse are ignored). Returns the number of videos in each category.
    Raises ConfigError for a bad override file.
    """
    rules, overrides = compile_rules(rules_config), load_overrides(overrides_path)
    ids, categories, reasons = [], [], []
    for batch in wh.stream("videos_to_classify"):
        for video in batch.to_pylist():
            category, reason = classify(video, rules, overrides)
            ids.append(video["video_id"])
            categories.append(category)
            reasons.append(reason)
    table = pa.table([ids, categories, reasons], schema=_RESULTS)
    changed = wh.insert_arrow("update_video_categories", table)
    counts = {c: categories.count(c) for c in CATEGORIES}
    log.info("classified %d videos (%d changed): %s", len(ids), changed, counts)
    return counts
