"""Streaming JSON reading shared by the JSON-export parsers: BOM handling, ijson, one error type."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

import ijson

from chatclone.errors import SourceError

_BOM = b"\xef\xbb\xbf"
# What a malformed record can raise while we pick fields out of it (RecursionError: str() of a
# value nested deeper than the recursion limit).
RECORD_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError, RecursionError)


@contextmanager
def open_json(path: Path) -> Iterator[BinaryIO]:
    """Open a JSON file for ijson, positioned after a UTF-8 BOM if there is one."""
    try:
        f = open(path, "rb")
    except OSError as e:
        raise SourceError(path, f"cannot read: {e.strerror}") from None
    with f:
        if f.read(3) != _BOM:
            f.seek(0)
        yield f


def stream_items(path: Path, prefix: str) -> Iterator[object]:
    """Yield each JSON value at `prefix` (e.g. 'messages.item') without loading the file.

    Raises SourceError naming the file and byte offset for invalid or truncated JSON.
    """
    with open_json(path) as f:
        try:
            yield from ijson.items(f, prefix, use_float=True)
        except (ijson.JSONError, UnicodeDecodeError) as e:
            raise _invalid(path, f, e) from None


@contextmanager
def json_events(path: Path) -> Iterator[Iterator[tuple[str, str, object]]]:
    """ijson's (prefix, event, value) parse events of a JSON file, read as they are used.

    For formats whose records sit at more than one prefix. Invalid or truncated JSON met inside
    the `with` block raises SourceError naming the file and byte offset.
    """
    with open_json(path) as f:
        try:
            yield ijson.parse(f, use_float=True)
        except (ijson.JSONError, UnicodeDecodeError) as e:
            raise _invalid(path, f, e) from None


def _invalid(path: Path, f: BinaryIO, e: Exception) -> SourceError:
    if isinstance(e, UnicodeDecodeError):
        return SourceError(path, f"not UTF-8 text near byte {f.tell():,}")
    return SourceError(path, f"invalid JSON near byte {f.tell():,}: {_first_line(e)}")


def first_item(path: Path, prefix: str) -> object | None:
    """The first JSON value at `prefix`, reading no further than needed; None if there is none."""
    return next(stream_items(path, prefix), None)


def _first_line(e: Exception) -> str:
    message = e.args[0] if len(e.args) == 1 else str(e)
    if isinstance(message, bytes):  # yajl2_c reports errors near invalid UTF-8 as bytes
        message = message.decode("utf-8", "replace")
    text = str(message).strip().splitlines()
    return text[0] if text else type(e).__name__


def require(value: object, kind: type | tuple[type, ...], what: str) -> object:
    """`value` if it is a `kind`, else ValueError saying which field was wrong."""
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ValueError(f"{what} is {type(value).__name__}, expected {expected}")
    return value


def utc_naive(dt: datetime) -> datetime:
    """A datetime as naive UTC (aware ones converted, naive ones taken as written)."""
    if dt.tzinfo is None:
        return dt
    return dt.astimezone(timezone.utc).replace(tzinfo=None)


def from_epoch_ms(ms: float) -> datetime:
    """Naive UTC datetime from milliseconds since the epoch."""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).replace(tzinfo=None)
