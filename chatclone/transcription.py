"""The steps of `chatclone transcribe` as plain functions on a workspace root (no Prefect here).

plan picks the VODs to transcribe; transcribe_video runs Whisper on one VOD's audio (skipped
when the same audio was done with the same model and settings) and replaces its `whisper` cues
and words; choose_transcripts sets which transcript each VOD's mining reads.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa

from chatclone import whisper
from chatclone.errors import ChatcloneError, SourceError
from chatclone.importer import file_sha256, quarantine_file
from chatclone.warehouse import Warehouse
from chatclone.wer import word_error_rate
from chatclone.workspace import open_workspace

log = logging.getLogger(__name__)
SOURCE = "whisper"
MODES = ("default", "only-missing", "all")
_CUES = pa.schema([("video_id", pa.string()), ("start_s", pa.float64()), ("end_s", pa.float64()), ("text", pa.string()),
                   ("source", pa.string()), ("lang", pa.string())])
_WORDS = pa.schema([("video_id", pa.string()), ("start_s", pa.float64()), ("end_s", pa.float64()), ("word", pa.string()),
                    ("source", pa.string()), ("lang", pa.string()), ("probability", pa.float64())])


def plan(workspace: str, mode: str = "default", video_ids: list[str] | None = None) -> list[dict]:
    """The VODs to transcribe, as {video_id, audio_path, duration_s}.

    `video_ids` given: those (ChatcloneError for one unknown or without audio). Otherwise, of
    the VODs with audio: "default" all but the ignored ones, "only-missing" those without auto
    or manual subtitles, "all" every one. Cached ones are listed too (their task finds the cache).
    """
    if mode not in MODES:
        raise ChatcloneError(f"unknown transcribe mode '{mode}'; choose one of {', '.join(MODES)}")
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        rows = wh.run("videos_with_audio")
    if video_ids:
        by_id = {r[0]: r for r in rows}
        missing = [v for v in video_ids if v not in by_id]
        if missing:
            raise ChatcloneError(f"{ws.warehouse_path}: no audio for video(s) {', '.join(missing)} (fetch with [youtube] audio = true)")
        rows = [by_id[v] for v in video_ids]
    elif mode == "default":
        rows = [r for r in rows if r[3] != "ignore"]
    elif mode == "only-missing":
        rows = [r for r in rows if not r[2]]
    return [{"video_id": video_id, "audio_path": audio, "duration_s": duration} for video_id, audio, _, _, duration in rows]


def transcribe_video(workspace: str, vod: dict, model: str | None = None, on_progress: Callable[[float], None] | None = None) -> dict:
    """Transcribe one VOD's audio into `whisper` cues and words, unless the same audio, model and settings were done.

    Returns {"video_id", "status": "transcribed" | "cached" | "quarantined", "error", "segments",
    "words", "duration_s", "elapsed_s", "wer"}. Audio that is missing or cannot be decoded is
    quarantined (one-line error) and the video's earlier rows stay.
    """
    ws = open_workspace(Path(workspace))
    settings, name = ws.config.transcribe, model or ws.config.transcribe.model
    audio = Path(vod["audio_path"])
    result = {"video_id": vod["video_id"], "status": "cached", "error": None, "segments": 0, "words": 0,
              "duration_s": None, "elapsed_s": None, "wer": None}
    try:
        sha = file_sha256(audio)
    except OSError as e:
        return _quarantine(ws, result, audio, None, SourceError(audio, f"cannot read audio: {e.strerror}"))
    key = whisper.cache_key(sha, name, settings)
    with Warehouse(ws.warehouse_path) as wh:
        if wh.run("transcription_key", video_id=vod["video_id"]) == [(key,)]:
            return result
    try:
        transcript = whisper.transcribe(whisper.load_model(name, settings), audio, settings, on_progress)
    except SourceError as e:
        return _quarantine(ws, result, audio, sha, e)
    with Warehouse(ws.warehouse_path) as wh:
        wer = _store(wh, vod["video_id"], transcript, key, sha, name, settings)
    log.info("%s: %d segments, %.0f s of audio in %.1f s (%.1fx real time)", vod["video_id"], len(transcript.segments),
             transcript.duration_s, transcript.elapsed_s, transcript.duration_s / max(transcript.elapsed_s, 1e-9))
    return result | {"status": "transcribed", "segments": len(transcript.segments), "words": len(transcript.words),
                     "duration_s": transcript.duration_s, "elapsed_s": transcript.elapsed_s, "wer": wer}


def _store(wh: Warehouse, video_id: str, t: whisper.Transcript, key: str, sha: str, model: str, settings) -> float | None:
    """Replace the VOD's whisper rows, record the transcription and the auto-subs' WER against it, in one transaction."""
    cues = pa.Table.from_pylist([{"video_id": video_id, "start_s": s.start_s, "end_s": s.end_s, "text": s.text, "source": SOURCE,
                                  "lang": t.language} for s in t.segments], _CUES)
    words = pa.Table.from_pylist([{"video_id": video_id, "start_s": w.start_s, "end_s": w.end_s, "word": w.word, "source": SOURCE,
                                   "lang": t.language, "probability": w.probability} for w in t.words], _WORDS)
    auto_text = " ".join(text for (text,) in wh.run("auto_cue_texts", video_id=video_id))
    wer = word_error_rate(" ".join(s.text for s in t.segments), auto_text) if auto_text else None
    wh.con.execute("BEGIN")
    try:
        wh.run("delete_whisper_rows", video_id=video_id)
        wh.insert_arrow("insert_cues", cues)
        wh.insert_arrow("insert_words", words)
        wh.run("record_transcription", video_id=video_id, cache_key=key, audio_sha256=sha, model=model,
               settings=json.dumps(whisper.decode_settings(settings), sort_keys=True), language=t.language,
               duration_s=t.duration_s, segments=len(t.segments), words=len(t.words), elapsed_s=t.elapsed_s,
               wer=wer, at=datetime.now(timezone.utc).replace(tzinfo=None))
        wh.con.execute("COMMIT")
    except BaseException:
        wh.con.execute("ROLLBACK")
        raise
    return wer


def _quarantine(ws, result: dict, audio: Path, sha: str | None, error: SourceError) -> dict:
    with Warehouse(ws.warehouse_path) as wh:
        if sha is None:
            wh.run("record_quarantine", path=str(audio), source=SOURCE, sha256="", error=str(error), quarantined_to=None,
                   at=datetime.now(timezone.utc).replace(tzinfo=None))
        else:
            quarantine_file(wh, SOURCE, audio, sha, str(error), ws.quarantine)
    log.warning("quarantined %s", error)
    return result | {"status": "quarantined", "error": str(error)}


def choose_transcripts(workspace: str) -> dict[str, int]:
    """Set each VOD's transcript_source to the first of [transcribe] prefer it has cues of; return counts per source."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        wh.run("choose_transcripts", prefer=list(ws.config.transcribe.prefer))
        return {source or "none": n for source, n in wh.run("count_transcript_sources")}


def transcribe_concurrency(workspace: str) -> int:
    """How many VODs are transcribed at once ([transcribe] concurrency)."""
    return open_workspace(Path(workspace)).config.transcribe.concurrency
