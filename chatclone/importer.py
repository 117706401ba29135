"""Load source files into the warehouse: one transaction per file, broken files quarantined.

A file whose content hash was already imported is skipped; messages already present
(same natural key) are not added again, so re-importing adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path

from chatclone.errors import SourceError
from chatclone.records import messages_to_arrow
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


def _quarantine(wh: Warehouse, fmt: str, path: Path, sha: str, error: str, quarantine_dir: Path) -> None:
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    target = quarantine_dir / f"{sha[:12]}-{path.name}"
    shutil.copy2(path, target)  # a copy: the user's file stays where it was
    wh.run("record_quarantine", path=str(path), source=fmt, sha256=sha, error=error, quarantined_to=str(target), at=_now())


def import_file(
    wh: Warehouse, fmt: str, path: Path, quarantine_dir: Path, batch_size: int = BATCH_SIZE, on_batch: Callable[[int], None] | None = None
) -> ImportResult:
    """Parse one file of format `fmt` and add its records to the warehouse.

    `on_batch(n)` is called after each batch of n records is loaded (for progress display).
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
    read = added = 0
    wh.con.execute("BEGIN")
    try:
        for batch in _batches(PARSERS[fmt](path, skipped), batch_size):
            read += len(batch)
            if on_batch:
                on_batch(len(batch))
            added += wh.insert_arrow("insert_messages", messages_to_arrow(batch), import_id=import_id)
    except SourceError as e:
        wh.con.execute("ROLLBACK")
        error = str(e)
        _quarantine(wh, fmt, path, sha, error, quarantine_dir)
        wh.run("finish_import", import_id=import_id, status="quarantined", rows_read=read, rows_added=0, skipped=json.dumps(dict(skipped)), error=error, finished_at=_now())
        log.warning("quarantined %s", error)
        return ImportResult(str(path), fmt, "quarantined", read, 0, dict(skipped), error)
    except BaseException:
        wh.con.execute("ROLLBACK")
        raise
    wh.run("finish_import", import_id=import_id, status="ok", rows_read=read, rows_added=added, skipped=json.dumps(dict(skipped)), error=None, finished_at=_now())
    wh.con.execute("COMMIT")
    return ImportResult(str(path), fmt, "ok", read, added, dict(skipped))
