"""One module per file format; each has `parse(path, skipped) -> Iterator[record]` and a file pattern."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from chatclone.errors import SourceError
from chatclone.sources import discord, messenger, telegram, whatsapp

PARSERS: dict[str, Callable] = {
    "discord": discord.parse,
    "messenger": messenger.parse,
    "telegram": telegram.parse,
    "whatsapp": whatsapp.parse,
}
# Files a folder contributes, per format: one glob, or a tuple of globs.
PATTERNS: dict[str, str | tuple[str, ...]] = {
    "discord": "*.json",
    "messenger": "message_*.json",
    "telegram": "result.json",
    "whatsapp": ("*.txt", "*.zip"),
}


def discover(fmt: str, paths: Iterable[Path]) -> list[Path]:
    """The files to import for `fmt`: files as given, folders searched recursively, sorted.

    Raises SourceError for a path that does not exist or an unknown format.
    """
    if fmt not in PARSERS:
        raise SourceError(fmt, f"unknown format; choose one of {', '.join(PARSERS)}")
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            globs = (PATTERNS[fmt],) if isinstance(PATTERNS[fmt], str) else PATTERNS[fmt]
            files = sorted({p for glob in globs for p in path.rglob(glob) if p.is_file()})
            if not files:
                raise SourceError(path, f"no {' or '.join(globs)} files in this folder for format '{fmt}'")
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            raise SourceError(path, "no such file or folder")
    return list(dict.fromkeys(found))
