"""Load Twitch VOD chat files into the warehouse: per file, one VOD's `videos` row and its `chat` rows.

A VOD's id is yt-dlp's ("v" + the numeric id), so chat imported here and a VOD fetched or imported
another way meet in the same row, and mining (`dataset build`) treats it like a YouTube stream. Per file:

- the chat is streamed in batches into a staging table, then one transaction replaces the VOD's
  earlier chat with it and upserts its `videos` row: importing a file twice leaves the same rows,
  and a changed file replaces the chat;
- a file whose digest (with the sibling files below) is unchanged since it last loaded is not read again;
- a file that fails to parse adds nothing: it is quarantined, and its VOD marked `broken` unless an
  earlier import had loaded it (a broken re-download does not spoil a loaded VOD).

Siblings in the chat file's folder, named by the VOD id with or without the "v" (as yt-dlp and tcd
name them): `ID.info.json` (yt-dlp's metadata: title, date, stream start for raw IRC logs) and the
audio or video `ID.m4a`/`ID.mp4`/... (recorded in `audio_path`, so `chatclone transcribe` finds it).
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa

from chatclone.errors import SourceError
from chatclone.importer import _gc_paused, file_sha256, quarantine_file
from chatclone.sources.twitch import TwitchVideo, file_kind, parse_twitch, read_twitch_video
from chatclone.sources.youtube_dir import AUDIO_EXTS, VideoInfo, read_info
from chatclone.sources.youtube_live_chat import ChatEvent
from chatclone.warehouse import Warehouse
from chatclone.youtube_import import CHAT_SCHEMA

log = logging.getLogger(__name__)
SOURCE = "twitch"
BATCH_SIZE = 20_000
# What a folder contributes: chat JSON (plain or gzip) and text or IRC logs; not yt-dlp's YouTube files.
CHAT_SUFFIXES = (".json", ".json.gz", ".txt", ".log")
_NOT_CHAT = (".info.json", ".live_chat.json")
MEDIA_EXTS = tuple(sorted(AUDIO_EXTS)) + ("mp4", "mkv", "ts", "flv", "mov")


class Siblings(NamedTuple):
    """The files beside a chat file that belong to its VOD."""

    info: Path | None
    audio: Path | None


def find_chat_files(paths: Iterable[Path]) -> list[Path]:
    """The Twitch chat files to import: files as given; folders searched recursively for *.json,
    *.json.gz, *.txt and *.log (not yt-dlp's *.info.json or *.live_chat.json). Where a folder holds
    several files of one VOD (tcd writes ID.json, ID.log and ID.txt), only the richest is taken:
    the JSON, else the .log (tcd's irc format has badges), else the .txt.

    Raises SourceError for a path that does not exist or a folder without chat files.
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _is_chat_name(p.name))
            best: dict[tuple[Path, str], Path] = {}
            for p in sorted(files, key=_richness):
                best.setdefault((p.parent, _stem(p)), p)
            files = sorted(best.values())
            if not files:
                raise SourceError(path, f"no Twitch chat files ({', '.join('*' + s for s in CHAT_SUFFIXES)}) in this folder")
            found.extend(files)
        else:
            raise SourceError(path, "no such file or folder")
    return list(dict.fromkeys(found))


def _is_chat_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(CHAT_SUFFIXES) and not lower.endswith(_NOT_CHAT)


def _stem(path: Path) -> str:
    """The name before the first dot, the "v" of a VOD id dropped (v123456789.log and 123456789.json are one VOD)."""
    stem = path.name.split(".")[0]
    return stem[1:] if stem[:1] == "v" and stem[1:].isdigit() else stem


def _richness(path: Path) -> int:
    name = path.name.lower()
    return 0 if ".json" in name else 1 if name.endswith(".log") else 2


def find_siblings(path: Path, video_id: str) -> Siblings:
    """yt-dlp's info.json and the audio (or video) of `video_id` beside the chat file `path`, where there are."""
    folder = Path(path).parent
    stems = list(dict.fromkeys([video_id, video_id.removeprefix("v")]))
    info = next((folder / f"{s}.info.json" for s in stems if (folder / f"{s}.info.json").is_file()), None)
    audio = next((folder / f"{s}.{ext}" for s in stems for ext in MEDIA_EXTS if (folder / f"{s}.{ext}").is_file()), None)
    return Siblings(info, audio)


def files_digest(path: Path, siblings: Siblings) -> str:
    """A sha256 over the chat file's and info.json's names and contents, and the audio's name and size."""
    h = hashlib.sha256()
    for p in (path, siblings.info):
        if p is not None:
            h.update(p.name.encode() + b"\0" + file_sha256(p).encode())
    if siblings.audio is not None:
        h.update(f"{siblings.audio.name}\0{siblings.audio.stat().st_size}".encode())
    return h.hexdigest()


def import_chat_file(wh: Warehouse, path: Path, quarantine_dir: Path, batch_size: int = BATCH_SIZE) -> dict:
    """Load one Twitch chat file: its VOD's chat rows replaced and `videos` row upserted, in one transaction.

    Returns {"path", "video_id", "status" ('loaded' | 'unchanged' | 'broken'), "chat", "skipped",
    "error", "quarantined"}. A file that fails to parse (or a broken info.json beside it) is copied
    into `quarantine_dir` and recorded in the quarantine table; the warehouse's chat is left as it was.
    """
    path = Path(path)
    skipped: Counter = Counter()
    video, siblings, info = None, Siblings(None, None), None
    try:
        video = read_twitch_video(path)
        if video.video_id is None:
            raise SourceError(path, "no Twitch VOD id in the file or its name; name it after the VOD (e.g. 1234567890.json)")
        siblings = find_siblings(path, video.video_id)
        info = read_info(siblings.info) if siblings.info else None
        digest = files_digest(path, siblings)
        if wh.run("loaded_video_digest", video_id=video.video_id) == [(digest,)]:
            return _result(path, video.video_id, "unchanged")
        n_chat = _load(wh, path, video, siblings, info, digest, skipped, batch_size)
    except SourceError as e:
        return _mark_broken(wh, path, video, siblings, info, e, quarantine_dir, skipped)
    except OSError as e:  # a sibling vanished or became unreadable between finding and hashing it
        return _mark_broken(wh, path, video, siblings, info, SourceError(e.filename or path, f"cannot read: {e.strerror}"),
                            quarantine_dir, skipped)
    return _result(path, video.video_id, "loaded", n_chat, skipped)


def _load(wh: Warehouse, path: Path, video: TwitchVideo, siblings: Siblings, info: VideoInfo | None, digest: str,
          skipped: Counter, batch_size: int) -> int:
    """Stage the parsed chat, then replace the video's chat and upsert its row in one transaction; return the chat rows added.

    Staging first (a temporary table that spills to disk) keeps memory flat however long the chat:
    rows appended inside one long transaction would be held until it commits.
    """
    irc = file_kind(path) == "irc"
    start_ms = info.started_at * 1000 if irc and info is not None and info.started_at is not None else None
    wh.run("create_chat_staging")
    try:
        with _gc_paused():
            for batch in _batches(parse_twitch(path, skipped, start_ms), batch_size):
                wh.insert_arrow("stage_chat", chat_to_arrow(video.video_id, batch))
        clock = ("wall" if start_ms is not None else "log-start") if irc else "offset"
        wh.con.execute("BEGIN")
        try:
            added = wh.run("replace_video_chat", video_id=video.video_id)[0][0]
            _upsert(wh, video, info, siblings, {"chat_source": video.tool, "chat_clock": clock, "files_digest": digest}, "loaded", failed=False)
            wh.con.execute("COMMIT")
        except BaseException:
            wh.con.execute("ROLLBACK")
            raise
    finally:
        wh.run("drop_chat_staging")
    return added


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def chat_to_arrow(video_id: str, batch: list[ChatEvent]) -> pa.Table:
    """A batch of chat events of one video as an Arrow table with youtube_import's CHAT_SCHEMA (for insert_chat)."""
    columns = list(zip(*batch))
    arrays = [pa.array([video_id] * len(batch), pa.string())]
    arrays += [pa.array(columns[ChatEvent._fields.index(f.name)], f.type) for f in CHAT_SCHEMA if f.name != "video_id"]
    return pa.Table.from_arrays(arrays, schema=CHAT_SCHEMA)


def _upsert(wh: Warehouse, video: TwitchVideo, info: VideoInfo | None, siblings: Siblings, extra: dict, status: str, failed: bool) -> None:
    def pick(field: str):
        ours = getattr(video, field, None) if video is not None else None
        return ours if ours is not None else getattr(info, field, None) if info is not None else None

    categories = list(dict.fromkeys((video.categories or []) + ((info.categories or []) if info else []))) or None
    meta = {k: pick(k) for k in ("channel_id", "channel", "title", "description", "upload_date", "duration_s", "url")}
    audio = siblings.audio
    wh.run("upsert_video", video_id=video.video_id, **meta, live_status=info.live_status if info else None,
           tags=info.tags if info else None, categories=categories, has_info=info is not None or video.title is not None,
           has_auto_subs=False, has_manual_subs=False, has_live_chat=True, has_audio=audio is not None,
           audio_path=str(audio.resolve()) if audio else None, **extra, status=status, failed=failed,
           at=datetime.now(timezone.utc).replace(tzinfo=None))


def _mark_broken(wh: Warehouse, path: Path, video: TwitchVideo | None, siblings: Siblings, info: VideoInfo | None,
                 error: SourceError, quarantine_dir: Path, skipped: Counter) -> dict:
    """Quarantine the file the error names; mark the VOD broken unless an earlier import loaded it."""
    bad = Path(error.path) if Path(error.path).is_file() else path
    target = None
    try:
        quarantine_file(wh, SOURCE, bad, file_sha256(bad), str(error), quarantine_dir)
        target = str(quarantine_dir)
    except OSError as e:
        log.warning("%s: cannot copy into quarantine: %s", bad, e.strerror)
        wh.run("record_quarantine", path=str(bad), source=SOURCE, sha256="", error=str(error), quarantined_to=None,
               at=datetime.now(timezone.utc).replace(tzinfo=None))
    video_id = video.video_id if video is not None else None
    if video_id is not None and not wh.run("loaded_video_digest", video_id=video_id):
        _upsert(wh, video, info, siblings, {"chat_source": video.tool, "chat_clock": None, "files_digest": None}, "broken", failed=True)
    log.warning("twitch chat %s broken: %s", path, error)
    return _result(path, video_id, "broken", skipped=skipped, error=str(error), quarantined=target)


def _result(path: Path, video_id: str | None, status: str, chat: int = 0, skipped: Counter | None = None,
            error: str | None = None, quarantined: str | None = None) -> dict:
    return {"path": str(path), "video_id": video_id, "status": status, "chat": chat, "skipped": dict(skipped or {}),
            "error": error, "quarantined": quarantined}
