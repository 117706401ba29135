"""The steps of `chatclone ingest youtube` as plain functions on a workspace root (no Prefect here).

plan_channel lists a configured channel and returns the VODs to fetch (new ones, and earlier
incomplete ones); fetch downloads one VOD into raw/youtube/ID/ (touching no warehouse, so
several run at once); record loads what a fetch left and notes its outcome in `videos`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from chatclone import chat_downloader_fetch, youtube_fetch, youtube_import
from chatclone.errors import ConfigError
from chatclone.sources.youtube_dir import discover_videos
from chatclone.warehouse import Warehouse
from chatclone.workspace import Workspace, open_workspace

log = logging.getLogger(__name__)


def video_folder(ws: Workspace, video_id: str) -> Path:
    """Where a fetched VOD's files go: one folder per video under raw/youtube/."""
    return ws.raw / "youtube" / video_id


def cookies_file(ws: Workspace) -> Path | None:
    """The configured cookies file, or None; raise ConfigError (naming the key, not the file's content) if it is missing."""
    if not ws.config.youtube.cookies_file:
        return None
    path = ws.resolve(ws.config.youtube.cookies_file)
    if not path.is_file():
        raise ConfigError(f"{ws.config_path}: key 'youtube.cookies_file': no such file")
    return path


def channels(workspace: str) -> list[str]:
    """The channel URLs of persona.toml's [sources] youtube_channels."""
    return list(open_workspace(Path(workspace)).config.sources.youtube_channels)


def fetch_concurrency(workspace: str) -> int:
    """How many VODs are fetched at once ([youtube] concurrency)."""
    return open_workspace(Path(workspace)).config.youtube.concurrency


def plan_channel(workspace: str, url: str, retry_failed: bool = False) -> list[dict]:
    """The VODs of one channel to fetch now, as dicts {video_id, url, title, source_url}.

    New VODs come from the listing (which stops at known ones); VODs of this channel whose last
    fetch was incomplete are added even where the listing stopped before them. VODs given up
    on after `youtube.max_failures` failed fetches come back only with `retry_failed`. Raises
    ChatcloneError if the channel cannot be listed.
    """
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        states = {vid: status for vid, status in wh.run("fetch_states")}
    settled = {"complete"} if retry_failed else {"complete", "failed"}
    listed = youtube_fetch.list_vods(url, ws.config.youtube, cookies_file(ws), lambda vid: states.get(vid) in settled)
    todo = {v.video_id: v._asdict() for v in listed}
    with Warehouse(ws.warehouse_path) as wh:
        for vid, vod_url, title in wh.run("videos_to_refetch", source_url=url, retry_failed=retry_failed):
            todo.setdefault(vid, {"video_id": vid, "url": vod_url, "title": title, "source_url": url})
    return list(todo.values())


def fetch(workspace: str, vod: dict) -> dict:
    """Download one VOD's files into raw/youtube/ID/ (and its chat with chat-downloader where yt-dlp has none).

    Returns FetchResult.as_dict() plus "chat_error" (why chat-downloader found nothing, or None).
    """
    ws = open_workspace(Path(workspace))
    settings, cookies = ws.config.youtube, cookies_file(ws)
    listed = youtube_fetch.Listed(vod["video_id"], vod["url"], vod.get("title"), vod["source_url"])
    result = youtube_fetch.fetch_vod(listed, video_folder(ws, listed.video_id), settings, cookies).as_dict()
    result["chat_error"] = None
    if result["status"] != "pending" and settings.chat_fallback and _wants_chat_downloader(ws, listed.video_id, result):
        out = chat_downloader_fetch.chat_path(video_folder(ws, listed.video_id), listed.video_id)
        try:
            chat_downloader_fetch.fetch_chat(listed.url, out, cookies)
        except Exception as e:  # noqa: BLE001 - the fallback failing is reported, never fatal
            result["chat_error"] = str(e)
            log.warning("%s: no chat replay: %s", listed.video_id, e)
    return result


def _wants_chat_downloader(ws: Workspace, video_id: str, result: dict) -> bool:
    folder = video_folder(ws, video_id)
    if youtube_fetch.has_live_chat_replay(folder, video_id) or chat_downloader_fetch.chat_path(folder, video_id).exists():
        return False
    return result["live_status"] == "was_live" or "twitch" in (result.get("extractor") or "")


def record(workspace: str, vod: dict, fetched: dict) -> dict:
    """Load what `fetch` left for one VOD and note the fetch's outcome in `videos`.

    An incomplete fetch counts one failure; after `youtube.max_failures` in a row the VOD is
    'failed' and not fetched again unless asked. Returns the import result (see
    youtube_import.import_video) with "fetch_status".
    """
    ws = open_workspace(Path(workspace))
    folder = video_folder(ws, vod["video_id"])
    with Warehouse(ws.warehouse_path) as wh:
        found = [v for v in discover_videos(folder) if v.video_id == vod["video_id"]] if folder.is_dir() else []
        if found:
            result = youtube_import.import_video(wh, found[0], ws.quarantine)
        else:
            result = {"video_id": vod["video_id"], "status": "missing", "cues": 0, "words": 0, "chat": 0, "skipped": {},
                      "error": fetched.get("error"), "quarantined": None}
        if fetched["status"] == "pending":
            return result | {"fetch_status": "pending"}
        failed = fetched["status"] != "complete"
        rows = wh.run("record_fetch", video_id=vod["video_id"], url=vod["url"], source_url=vod["source_url"],
                      title=vod.get("title"), failed=failed, error=fetched.get("error") if failed else None,
                      max_failures=ws.config.youtube.max_failures, at=datetime.now(timezone.utc).replace(tzinfo=None))
    return result | {"fetch_status": rows[0][0]}


def classify(workspace: str) -> dict[str, int]:
    """Sort every VOD of the warehouse into zatsu/solo/ignore/broken by [classify] and the override file; return counts."""
    from chatclone.classify import classify_videos

    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        return classify_videos(wh, ws.config.classify, ws.resolve(ws.config.classify.overrides))
