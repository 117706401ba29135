"""Subtitle files: WebVTT, SRT, and YouTube's auto-generated WebVTT captions with word timings.

`parse_vtt` and `parse_srt` stream cues with their text cleaned (tags stripped, HTML entities
unescaped, lines joined with a space). `parse_youtube_auto_vtt` undoes YouTube's rolling caption
window, in which each cue repeats the line(s) before it, and returns each spoken line once with
per-word timings from the inline `<00:00:01.230>` tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import NamedTuple

from chatclone.errors import SourceError


class Cue(NamedTuple):
    """One caption: seconds from the start of the video and its cleaned text."""

    start_s: float
    end_s: float
    text: str


class Word(NamedTuple):
    """One word of an auto-caption; `end_s` is the next word's start, or its cue's end."""

    start_s: float
    end_s: float
    word: str


_TIMESTAMP = re.compile(r"(?:(\d{1,9}):)?([0-5]\d):([0-5]\d)[.,](\d{3})")
_TIMING = re.compile(r"(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t].*)?")
_TAG = re.compile(r"<[^>]*>")
_INLINE_TIME = re.compile(r"<((?:\d{1,9}:)?[0-5]\d:[0-5]\d\.\d{3})>")


def parse_vtt(path: Path) -> Iterator[Cue]:
    """Yield the cues of a WebVTT file, streaming; cues with no text are left out.

    NOTE, STYLE and REGION blocks, cue identifiers and cue settings are ignored. Raises
    SourceError naming the file and line for a missing WEBVTT header, a cue without a timing
    line or a malformed timestamp.
    """
    for start, end, lines in _vtt_cues(path):
        text = _clean("\n".join(lines))
        if text:
            yield Cue(start, end, text)


def parse_srt(path: Path) -> Iterator[Cue]:
    """Yield the cues of a SubRip (.srt) file, streaming; cues with no text are left out.

    Raises SourceError naming the file and line for a block without a timing line or a
    malformed timestamp.
    """
    for block in _blocks(path, _lines(path), header=False):
        (n, first) = block[0]
        at = 0 if "-->" in first else 1 if len(block) > 1 and "-->" in block[1][1] else None
        if at is None:
            raise SourceError(path, f"line {n}: subtitle has no timing line ('start --> end')")
        start, end = _timing(path, *block[at])
        text = _clean("\n".join(line for _, line in block[at + 1 :]))
        if text:
            yield Cue(start, end, text)


def parse_youtube_auto_vtt(path: Path) -> tuple[list[Cue], list[Word]]:
    """Each spoken line of YouTube auto-captions once, with per-word timings.

    A cue's leading lines that repeat the end of the previous cue (the rolling window, and the
    10 ms cues that show a finished line) are dropped; what is left becomes one Cue with the
    cue's times. Words take their start from inline timestamps (words without one share their
    stretch of time evenly). Raises SourceError as `parse_vtt` does.
    """
    cues: list[Cue] = []
    words: list[Word] = []
    previous: list[str] = []
    for start, end, raw in _vtt_cues(path):
        shown = [(line, _clean(line)) for line in raw]
        shown = [(line, text) for line, text in shown if text]
        repeated = _repeated(previous, shown)
        previous = [text for _, text in shown]
        new = "\n".join(line for line, _ in shown[repeated:])
        cue_words = _words(start, end, new)
        if cue_words:
            cues.append(Cue(start, end, " ".join(w.word for w in cue_words)))
            words += cue_words
    return cues, words


def _repeated(previous: list[str], shown: list[tuple[str, str]]) -> int:
    """How many leading lines of `shown` repeat the last lines of `previous` (a line with word times is new)."""
    for k in range(min(len(previous), len(shown)), 0, -1):
        if [text for _, text in shown[:k]] == previous[-k:] and not any(_INLINE_TIME.search(line) for line, _ in shown[:k]):
            return k
    return 0


def _words(start: float, end: float, raw: str) -> list[Word]:
    """The words of raw cue text, timed by its inline timestamps within [start, end]."""
    parts = _INLINE_TIME.split(raw)  # [text, time, text, time, text, ...]
    starts = [start]
    for stamp in parts[1::2]:
        starts.append(min(max(_seconds(stamp), starts[-1]), end))
    timed: list[list] = []  # [start, word]
    open_word = False  # the last segment ended inside a word
    for i, segment in enumerate(parts[::2]):
        text = unescape(_TAG.sub("", segment))
        tokens = text.split()
        if tokens and open_word and not text[0].isspace():
            timed[-1][1] += tokens[0]
            skip = 1
        else:
            skip = 0
        seg_start = starts[i]
        seg_end = starts[i + 1] if i + 1 < len(starts) else end
        step = (seg_end - seg_start) / max(len(tokens), 1)
        for j in range(skip, len(tokens)):
            timed.append([min(seg_start + j * step, seg_end), tokens[j]])
        if text:
            open_word = not text[-1].isspace() and bool(timed)
    ends = [t for t, _ in timed[1:]] + [end]
    return [Word(t, e, w) for (t, w), e in zip(timed, ends)]


# --- reading blocks -------------------------------------------------------------------------


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) for each line of a UTF-8 text file, BOM dropped, newline stripped."""
    try:
        f = open(path, encoding="utf-8-sig", newline=None)
    except OSError as e:
        raise SourceError(path, f"cannot read: {e.strerror}") from None
    with f:
        n = 0
        try:
            for n, line in enumerate(f, 1):
                yield n, line.rstrip("\n")
        except UnicodeDecodeError:
            raise SourceError(path, f"not UTF-8 text near line {n + 1}") from None


def _vtt_cues(path: Path) -> Iterator[tuple[float, float, list[str]]]:
    """(start, end, raw text lines) of each cue of a WebVTT file."""
    lines = _lines(path)
    n, first = next(lines, (1, ""))
    if not re.fullmatch(r"WEBVTT(?:[ \t].*)?", first):
        raise SourceError(path, f"line {n}: not WebVTT (the first line must be 'WEBVTT')")
    for block in _blocks(path, lines, header=True):
        n, first = block[0]
        if re.match(r"NOTE(?:[ \t]|$)", first):
            continue
        if first.strip() in ("STYLE", "REGION") and not any("-->" in line for _, line in block):
            continue
        at = 0 if "-->" in first else 1 if len(block) > 1 and "-->" in block[1][1] else None
        if at is None:
            raise SourceError(path, f"line {n}: cue has no timing line ('start --> end')")
        start, end = _timing(path, *block[at])
        yield start, end, [line for _, line in block[at + 1 :]]


def _blocks(path: Path, lines: Iterator[tuple[int, str]], header: bool) -> Iterator[list[tuple[int, str]]]:
    """Blank-line separated blocks of (line number, line).

    A line with `-->` after a block's timing line starts a new block (youtube-dl writes cues
    with no blank line between them). A whitespace-only line is text inside a cue (YouTube's
    auto-captions have them) and a separator anywhere else.
    """
    block: list[tuple[int, str]] = []
    timed = False
    for n, line in lines:
        if header:  # the WebVTT header runs to the first blank line
            if line.strip() and "-->" not in line:
                continue
            header = False
        if not line or not line.strip() and not timed:
            if block:
                yield block
            block, timed = [], False
            continue
        if "-->" in line:
            if timed:
                yield block
                block = []
            timed = True
        block.append((n, line))
    if block:
        yield block


def _timing(path: Path, n: int, line: str) -> tuple[float, float]:
    match = _TIMING.fullmatch(line.strip())
    if not match or not _TIMESTAMP.fullmatch(match[1]) or not _TIMESTAMP.fullmatch(match[2]):
        raise SourceError(path, f"line {n}: malformed cue timing {line.strip()[:80]!r}")
    start, end = _seconds(match[1]), _seconds(match[2])
    if end < start:
        raise SourceError(path, f"line {n}: cue ends before it starts ({line.strip()[:80]!r})")
    return start, end


def _seconds(stamp: str) -> float:
    h, m, s, ms = _TIMESTAMP.fullmatch(stamp).groups()
    return ((int(h or 0) * 60 + int(m)) * 60_000 + int(s) * 1000 + int(ms)) / 1000


def _clean(text: str) -> str:
    """Cue text without tags, entities unescaped, all whitespace (line breaks too) one space."""
    return " ".join(unescape(_TAG.sub("", text)).split())
