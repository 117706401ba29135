"""Streaming JSON reading shared by the JSON-export parsers: BOM handling, ijson, a nesting limit, one error type."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

import ijson
import numpy as np

from chatclone.errors import SourceError

_BOM = b"\xef\xbb\xbf"
# What a malformed record can raise while we pick fields out of it (RecursionError: str() of a
# value nested deeper than the recursion limit).
RECORD_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError, RecursionError)
# Exports nest a dozen levels at most. ijson's memory grows with the square of the depth (every
# event of a read chunk holds its full prefix): 10,000 levels, 20 KB of brackets, take 250 MB.
MAX_DEPTH = 256
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # as int8: +1 in, -1 out


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


class DepthGuard:
    """A binary file for ijson that raises SourceError once the JSON read nests deeper than MAX_DEPTH.

    Wraps `f` (read and tell); brackets inside strings do not count, and a string may span reads.
    """

    def __init__(self, f: BinaryIO, path: Path) -> None:
        self._f, self._path = f, path
        self._depth = 0
        self._in_string = False
        self._backslashes = b""

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        if data:
            self._check(data)
        return data

    def tell(self) -> int:
        return self._f.tell()

    def _check(self, data: bytes) -> None:
        # Escaped backslashes, then escaped quotes, go first; the quotes left alternate strings and
        # the rest. Trailing backslashes wait for the next read, which says what they escape.
        data = self._backslashes + data
        whole = data.rstrip(b"\\")
        self._backslashes = data[len(whole) :]
        parts = whole.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE).split(b'"')
        outside = b"".join(parts[1 if self._in_string else 0 :: 2])
        self._in_string ^= len(parts) % 2 == 0
        steps = np.frombuffer(outside.translate(_STEPS), dtype=np.int8)
        if steps.size:
            depths = np.cumsum(steps, dtype=np.int64)
            if self._depth + int(depths.max()) > MAX_DEPTH:
                end = self._f.tell()
                raise SourceError(self._path, f"JSON nested deeper than {MAX_DEPTH} levels between bytes {end - len(data):,} and {end:,}")
            self._depth += int(depths[-1])


def stream_items(path: Path, prefix: str) -> Iterator[object]:
    """Yield each JSON value at `prefix` (e.g. 'messages.item') without loading the file.

    Raises SourceError naming the file and byte offset for invalid or truncated JSON.
    """
    with open_json(path) as f:
        try:
            yield from ijson.items(DepthGuard(f, path), prefix, use_float=True)
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
            yield ijson.parse(DepthGuard(f, path), use_float=True)
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
    """Naive UTC datetime from milliseconds since the epoch; ValueError for one no datetime can hold."""
    try:
        return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).replace(tzinfo=None)
    except (OverflowError, OSError):  # which one depends on how far out of range, and on the platform's C library
        raise ValueError(f"timestamp {ms!r} ms is out of range") from None
