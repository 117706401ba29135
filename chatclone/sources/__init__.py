"""One module per file format; each has `parse(path, skipped) -> Iterator[record]` and a file pattern."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from chatclone.errors import SourceError
from chatclone.sources import discord, messenger

PARSERS: dict[str, Callable] = {
    "discord": discord.parse,
    "messenger": messenger.parse,
}
# Files a folder contributes, per format.
PATTERNS: dict[str, str] = {
    "discord": "*.json",
    "messenger": "message_*.json",
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
            files = sorted(p for p in path.rglob(PATTERNS[fmt]) if p.is_file())
            if not files:
                raise SourceError(path, f"no {PATTERNS[fmt]} files in this folder for format '{fmt}'")
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            raise SourceError(path, "no such file or folder")
    return list(dict.fromkeys(found))
