"""Load source files into the warehouse: one transaction per file, broken files quarantined.

A file is parsed into a staging table, then the messages the warehouse lacks are added in
one transaction: a file that fails to parse adds nothing. A file whose content hash was
already imported is skipped; messages already present (same natural key) are not added
again, so re-importing adds nothing.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path

from chatclone.errors import SourceError
from chatclone.records import ChatMessage, messages_to_arrow
from chatclone.sources import PARSERS
from chatclone.warehouse import Warehouse

log = logging.getLogger(__name__)
BATCH_SIZE = 20_000


@dataclass
class ImportResult:
    """What happened to one file: status is `ok`, `unchanged` (seen before) or `quarantined`."""

    path: str
    source: str
    status: str
    rows_read: int = 0
    rows_added: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _batches(items, size: int):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def quarantine_file(wh: Warehouse, fmt: str, path: Path, sha: str, error: str, quarantine_dir: Path) -> None:
    """Copy a file that failed to parse into `quarantine_dir` and record it in the quarantine table."""
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    target = quarantine_dir / f"{sha[:12]}-{path.name}"
    shutil.copy2(path, target)  # a copy: the user's file stays where it was
    wh.run("record_quarantine", path=str(path), source=fmt, sha256=sha, error=error, quarantined_to=str(target), at=_now())


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Parsed records hold no reference cycles; the cyclic collector would only rescan
    # the young batch again and again (about a tenth of the import time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def add_messages(wh: Warehouse, batches: Iterable[list[ChatMessage]], import_id: int | None, on_batch: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Stage every batch, then add in one transaction the messages the warehouse lacks.

    Returns (messages read, messages added). If reading a batch raises (a SourceError from
    the parser), nothing is added and the exception propagates.
    """
    read = 0
    wh.run("create_import_staging")
    try:
        with _gc_paused():
            for batch in batches:
                wh.insert_arrow("stage_messages", messages_to_arrow(batch))
                read += len(batch)
                if on_batch:
                    on_batch(len(batch))
        wh.con.execute("BEGIN")
        try:
            added = wh.run("merge_staged_messages", import_id=import_id)[0][0]
            wh.con.execute("COMMIT")
        except BaseException:
            wh.con.execute("ROLLBACK")
            raise
    finally:
        wh.run("drop_import_staging")
    return read, added


def import_file(
    wh: Warehouse, fmt: str, path: Path, quarantine_dir: Path, batch_size: int = BATCH_SIZE, on_batch: Callable[[int], None] | None = None
) -> ImportResult:
    """Parse one file of format `fmt` and add its records to the warehouse.

    `on_batch(n)` is called after each batch of n records is staged (for progress display).
    Returns an ImportResult; a file that fails to parse adds nothing, is copied into
    `quarantine_dir` and recorded in the `quarantine` table (status `quarantined`).
    """
    path = Path(path)
    try:
        sha = file_sha256(path)
    except OSError as e:
        return ImportResult(str(path), fmt, "quarantined", error=f"{path}: cannot read: {e.strerror}")
    if wh.run("find_import", source=fmt, sha256=sha):
        return ImportResult(str(path), fmt, "unchanged")
    import_id = wh.run("start_import", source=fmt, path=str(path), sha256=sha, size_bytes=path.stat().st_size, started_at=_now())[0][0]
    skipped: Counter = Counter()
    staged = Counter()

    def count_staged(n: int) -> None:
        staged["read"] += n
        if on_batch:
            on_batch(n)

    try:
        read, added = add_messages(wh, _batches(PARSERS[fmt](path, skipped), batch_size), import_id, count_staged)
    except SourceError as e:
        error = str(e)
        quarantine_file(wh, fmt, path, sha, error, quarantine_dir)
        wh.run("finish_import", import_id=import_id, status="quarantined", rows_read=staged["read"], rows_added=0, skipped=json.dumps(dict(skipped)), error=error, finished_at=_now())
        log.warning("quarantined %s", error)
        return ImportResult(str(path), fmt, "quarantined", staged["read"], 0, dict(skipped), error)
    wh.run("finish_import", import_id=import_id, status="ok", rows_read=read, rows_added=added, skipped=json.dumps(dict(skipped)), error=None, finished_at=_now())
    return ImportResult(str(path), fmt, "ok", read, added, dict(skipped))
