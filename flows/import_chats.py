"""Import chat exports into a persona's warehouse.

    chatclone import discord exports/ --workspace personas/alice
    chatclone import youtube-dir channel/ --workspace personas/alice
    chatclone import twitch vods/ --workspace personas/alice
"""

from __future__ import annotations

from prefect import flow

from tasks.imports import (configured_sources, discover_files, discover_twitch_files, discover_videos, import_file,
                           import_twitch_file, import_video)
from tasks.ingest import classify_videos
from tasks.transcribe import choose_transcripts


@flow(name="import-chats")
def import_chats(workspace: str, requests: list[tuple[str, list[str]]] | None = None) -> list[dict]:
    """Import each (format, paths) request (default: persona.toml's exports); return one result per file (per video for youtube-dir, per VOD chat file for twitch)."""
    requests = requests or configured_sources(workspace)
    results = []
    for fmt, paths in requests:
        if fmt == "youtube-dir":
            results += [import_video(workspace, video) for video in discover_videos(workspace, paths)]
            continue
        if fmt == "twitch":
            results += [import_twitch_file(workspace, path) for path in discover_twitch_files(workspace, paths)]
            continue
        for path in discover_files(workspace, fmt, paths):
            results.append(import_file(workspace, fmt, path))
    if any(fmt in ("youtube-dir", "twitch") for fmt, _ in requests):
        classify_videos(workspace)
        choose_transcripts(workspace)
    return results
