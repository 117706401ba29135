"""Load one video of a channel folder into the warehouse: captions, words, live chat, metadata.

Every file of the video is parsed first; then, in one transaction, the video's earlier auto and
manual captions and chat are replaced and its `videos` row upserted, so importing a folder twice
leaves the same rows. A video whose files are unchanged since they last loaded (same digest) is
not parsed again. A video with a file that fails to parse adds nothing: the file is quarantined
and the video marked `broken` (its `attempts` counted up).

Chat comes from yt-dlp's live_chat.json, else from chat-downloader's ID.chat.json. A live_chat.json
captured while the stream was live counts its offsets from the capture's start, so its messages
are placed by wall clock against the stream's start from info.json instead.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa

from chatclone.errors import SourceError
from chatclone.importer import file_sha256, quarantine_file
from chatclone.sources.subtitles import Cue, Word, parse_srt, parse_vtt, parse_youtube_auto_vtt
from chatclone.sources.youtube_dir import VideoFiles, VideoInfo, read_info, subtitle_source
from chatclone.sources.chat_downloader import parse_chat_downloader
from chatclone.sources.youtube_live_chat import ChatEvent, is_live_capture, parse_live_chat
from chatclone.warehouse import Warehouse

log = logging.getLogger(__name__)
SOURCE = "youtube-dir"

CUE_SCHEMA = pa.schema([("video_id", pa.string()), ("start_s", pa.float64()), ("end_s", pa.float64()),
                        ("text", pa.string()), ("source", pa.string()), ("lang", pa.string())])
WORD_SCHEMA = pa.schema([("video_id", pa.string()), ("start_s", pa.float64()), ("end_s", pa.float64()),
                         ("word", pa.string()), ("source", pa.string()), ("lang", pa.string())])
CHAT_SCHEMA = pa.schema([("video_id", pa.string()), ("message_id", pa.string()), ("t_s", pa.float64()), ("ts_usec", pa.int64()),
                         ("author_id", pa.string()), ("author_name", pa.string()), ("text", pa.string()), ("kind", pa.string()),
                         ("amount", pa.float64()), ("currency", pa.string()), ("is_owner", pa.bool_()), ("is_moderator", pa.bool_()),
                         ("emotes", pa.list_(pa.string()))])


class _Broken(Exception):
    def __init__(self, path: Path, error: SourceError):
        self.path, self.error = path, error


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def import_video(wh: Warehouse, files: VideoFiles, quarantine_dir: Path) -> dict:
    """Parse one video's files and replace its rows in the warehouse.

    Returns {"video_id", "status" ('loaded' | 'unchanged' | 'broken'), "cues", "words", "chat", "skipped",
    "error", "quarantined"}. A file that fails to parse is copied into `quarantine_dir` and
    recorded in the quarantine table; the video's other rows are left as they were.
    """
    skipped: Counter = Counter()
    digest = files_digest(files)
    if wh.run("loaded_video_digest", video_id=files.video_id) == [(digest,)]:
        return {"video_id": files.video_id, "status": "unchanged", "cues": 0, "words": 0, "chat": 0,
                "skipped": {}, "error": None, "quarantined": None}
    info = None
    try:
        info = _guard(files.info, lambda p: read_info(p)) if files.info else None
        sources = [(lang, path, subtitle_source(lang, path, info)) for lang, path in files.subtitles]
        cues, words = _parse_subtitles(files.video_id, sources)
        chat, chat_meta = _parse_chat(files, info, skipped)
    except _Broken as broken:
        return _mark_broken(wh, files, info, broken, quarantine_dir, skipped)
    flags = _flags(files, info, {s for _, _, s in sources})
    wh.con.execute("BEGIN")
    try:
        wh.run("delete_video_rows", video_id=files.video_id)
        n_cues = wh.insert_arrow("insert_cues", pa.Table.from_pylist(cues, CUE_SCHEMA)) if cues else 0
        n_words = wh.insert_arrow("insert_words", pa.Table.from_pylist(words, WORD_SCHEMA)) if words else 0
        n_chat = wh.insert_arrow("insert_chat", _chat_table(files.video_id, chat)) if chat else 0
        _upsert(wh, files.video_id, info, flags | chat_meta | {"files_digest": digest}, "loaded", failed=False)
        wh.con.execute("COMMIT")
    except BaseException:
        wh.con.execute("ROLLBACK")
        raise
    return {"video_id": files.video_id, "status": "loaded", "cues": n_cues, "words": n_words, "chat": n_chat,
            "skipped": dict(skipped), "error": None, "quarantined": None}


def files_digest(files: VideoFiles) -> str:
    """A sha256 over the names and contents of the files import reads, and the audio's name and size."""
    h = hashlib.sha256()
    for path in sorted(files.parsed_files()):
        h.update(path.name.encode() + b"\0" + file_sha256(path).encode())
    if files.audio:
        h.update(f"{files.audio.name}\0{_size(files.audio)}".encode())
    return h.hexdigest()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _parse_chat(files: VideoFiles, info: VideoInfo | None, skipped: Counter) -> tuple[list[ChatEvent], dict]:
    """The video's chat events and the columns saying where they came from and how they are timed."""
    if files.live_chat:
        events = _guard(files.live_chat, lambda p: list(parse_live_chat(p, skipped)))
        if is_live_capture(files.live_chat):
            if info is not None and info.started_at is not None:
                start_usec = info.started_at * 1e6
                events = [e._replace(t_s=(e.ts_usec - start_usec) / 1e6) if e.ts_usec is not None else e for e in events]
                return events, {"chat_source": "yt-dlp", "chat_clock": "wall"}
            log.warning("%s: chat captured live and no stream start in info.json: offsets count from the capture's start", files.live_chat)
        return events, {"chat_source": "yt-dlp", "chat_clock": "offset"}
    if files.downloaded_chat:
        events = _guard(files.downloaded_chat, lambda p: list(parse_chat_downloader(p, skipped)))
        return events, {"chat_source": "chat-downloader", "chat_clock": "offset"}
    return [], {"chat_source": None, "chat_clock": None}


def _guard(path: Path, parse):
    """parse(path), with a SourceError turned into _Broken naming the file."""
    try:
        return parse(path)
    except SourceError as e:
        raise _Broken(path, e) from None


def _parse_subtitles(video_id: str, sources: list[tuple[str, Path, str]]) -> tuple[list[dict], list[dict]]:
    cues: list[dict] = []
    words: list[dict] = []
    for lang, path, source in sources:
        if source == "auto" and path.suffix.lower() == ".vtt":
            file_cues, file_words = _guard(path, parse_youtube_auto_vtt)
        else:
            parse = parse_srt if path.suffix.lower() == ".srt" else parse_vtt
            file_cues, file_words = _guard(path, lambda p: list(parse(p))), []
        cues += [_cue(video_id, c, source, lang) for c in file_cues]
        words += [_word(video_id, w, source, lang) for w in file_words]
    return cues, words


def _cue(video_id: str, c: Cue, source: str, lang: str) -> dict:
    return {"video_id": video_id, "start_s": c.start_s, "end_s": c.end_s, "text": c.text, "source": source, "lang": lang}


def _word(video_id: str, w: Word, source: str, lang: str) -> dict:
    return {"video_id": video_id, "start_s": w.start_s, "end_s": w.end_s, "word": w.word, "source": source, "lang": lang}


def _chat_table(video_id: str, events: list[ChatEvent]) -> pa.Table:
    return pa.Table.from_pylist([{"video_id": video_id, **e._asdict()} for e in events], CHAT_SCHEMA)


def _flags(files: VideoFiles, info: VideoInfo | None, sub_sources: set[str]) -> dict:
    return {"has_info": info is not None, "has_auto_subs": "auto" in sub_sources, "has_manual_subs": "manual" in sub_sources,
            "has_live_chat": files.live_chat is not None or files.downloaded_chat is not None, "has_audio": files.audio is not None,
            "audio_path": str(files.audio.resolve()) if files.audio else None}


def _upsert(wh: Warehouse, video_id: str, info: VideoInfo | None, flags: dict, status: str, failed: bool) -> None:
    meta = {k: getattr(info, k) if info else None
            for k in ("channel_id", "channel", "title", "description", "upload_date", "duration_s", "live_status", "tags",
                      "categories", "url")}
    extra = {"files_digest": None, "chat_source": None, "chat_clock": None} | flags
    wh.run("upsert_video", video_id=video_id, **meta, **extra, status=status, failed=failed, at=_now())


def _mark_broken(wh: Warehouse, files: VideoFiles, info: VideoInfo | None, broken: _Broken, quarantine_dir: Path, skipped: Counter) -> dict:
    error = str(broken.error)
    target = None
    try:
        sha = file_sha256(broken.path)
        quarantine_file(wh, SOURCE, broken.path, sha, error, quarantine_dir)
        target = str(quarantine_dir)
    except OSError as e:
        log.warning("%s: cannot copy into quarantine: %s", broken.path, e.strerror)
    flags = _flags(files, info, {subtitle_source(lang, path, info) for lang, path in files.subtitles})
    _upsert(wh, files.video_id, info, flags, "broken", failed=True)
    log.warning("video %s broken: %s", files.video_id, error)
    return {"video_id": files.video_id, "status": "broken", "cues": 0, "words": 0, "chat": 0,
            "skipped": dict(skipped), "error": error, "quarantined": target}
