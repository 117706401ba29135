"""Fetch a channel's VODs with yt-dlp's Python API: list them, then download each one's files.

A VOD is written as yt-dlp names it (`%(id)s.%(ext)s`) into its own folder under the
channel folder: `ID.info.json`, `ID.LANG.vtt` (auto or manual captions), `ID.live_chat.json`
and, when configured, the audio. This is the only module that talks to yt-dlp; what it
leaves on disk is what `chatclone import youtube-dir` reads.

Extra extractor classes (a site yt-dlp does not know, or the tests' fake channel) are named
in `$CHATCLONE_YTDLP_EXTRACTORS` as `module:Class,module:Class`; they are tried before
yt-dlp's own.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from chatclone.config import YouTube
from chatclone.errors import ChatcloneError

log = logging.getLogger(__name__)
EXTRACTORS_ENV = "CHATCLONE_YTDLP_EXTRACTORS"
LIVE_CHAT = "live_chat"
NOT_YET_VODS = frozenset({"is_live", "is_upcoming", "post_live"})
_TRANSIENT = re.compile(
    r"HTTP Error (429|5\d\d)|timed? ?out|Connection (refused|reset|aborted)|Remote end closed|IncompleteRead"
    r"|Temporary failure|Name or service not known|getaddrinfo|Network is unreachable|EOF occurred",
    re.I,
)


class ListingError(ChatcloneError):
    """A channel could not be listed; `transient` when it is worth retrying soon (network, 5xx, 429)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.transient = bool(_TRANSIENT.search(message))


class Listed(NamedTuple):
    """A VOD found in a channel listing."""

    video_id: str
    url: str
    title: str | None
    source_url: str


@dataclass
class FetchResult:
    """What fetching one VOD left on disk.

    `status` is "complete" (every expected file is there), "incomplete" (some are missing;
    `error` says which and why) or "pending" (the stream is live or upcoming: nothing to fetch
    yet). `transient` marks an incomplete fetch worth retrying soon (network trouble, 5xx, 429).
    """

    video_id: str
    folder: Path
    status: str
    error: str | None = None
    transient: bool = False
    downloaded: int = 0
    live_status: str | None = None
    extractor: str | None = None
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Plain values, to pass between Prefect tasks."""
        return {"video_id": self.video_id, "folder": str(self.folder), "status": self.status, "error": self.error,
                "transient": self.transient, "downloaded": self.downloaded, "live_status": self.live_status,
                "extractor": self.extractor, "warnings": self.warnings}


class _Messages:
    """yt-dlp's logger: debug to our log, warnings and errors kept to say why a fetch is incomplete."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def debug(self, msg: str) -> None:
        log.debug("yt-dlp: %s", msg)

    def info(self, msg: str) -> None:
        log.debug("yt-dlp: %s", msg)

    def warning(self, msg: str) -> None:
        self.problems.append(_plain(msg))
        log.debug("yt-dlp warning: %s", msg)

    def error(self, msg: str) -> None:
        self.problems.append(_plain(msg))
        log.debug("yt-dlp error: %s", msg)


def _plain(msg: str) -> str:
    return " ".join(re.sub(r"^(ERROR|WARNING): ", "", str(msg)).split())


def extra_extractors() -> list[type]:
    """The extractor classes named in $CHATCLONE_YTDLP_EXTRACTORS; raise ChatcloneError for a bad name."""
    classes = []
    for spec in filter(None, (s.strip() for s in os.environ.get(EXTRACTORS_ENV, "").split(","))):
        module, _, name = spec.partition(":")
        try:
            classes.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError, ValueError) as e:
            raise ChatcloneError(f"${EXTRACTORS_ENV}: cannot load extractor '{spec}': {e}") from None
    return classes


def downloader(params: dict):
    """A YoutubeDL with the extra extractors first, then yt-dlp's own (generic last)."""
    from yt_dlp import YoutubeDL

    ydl = YoutubeDL(params, auto_init=False)
    for cls in extra_extractors():
        ydl.add_info_extractor(cls())
    ydl.add_default_info_extractors()
    return ydl


def base_params(settings: YouTube, cookies_file: Path | None, messages: _Messages) -> dict:
    """yt-dlp options shared by listing and fetching: quiet, polite, retrying, with cookies if given."""
    backoff = lambda n: min(2.0 * 2**n, 60.0)  # noqa: E731 - yt-dlp takes a function of the attempt number
    params = {
        "quiet": True,
        "no_warnings": False,
        "noprogress": True,
        "logger": messages,
        "retries": settings.retries,
        "extractor_retries": settings.retries,
        "file_access_retries": settings.retries,
        "retry_sleep_functions": {"http": backoff, "extractor": backoff, "fragment": backoff},
        "sleep_interval_requests": settings.sleep_seconds,
        "socket_timeout": 30,
    }
    if cookies_file is not None:
        params["cookiefile"] = str(cookies_file)
    return params


def list_vods(url: str, settings: YouTube, cookies_file: Path | None, is_done: Callable[[str], bool]) -> list[Listed]:
    """The VODs of a channel or playlist URL that are not done yet, newest first as the site lists them.

    Reading stops after `settings.stop_after_known` done VODs in a row, so an unchanged
    channel costs one listing page. Live and upcoming streams are left out. Raises
    ListingError if the URL cannot be listed.
    """
    messages = _Messages()
    params = base_params(settings, cookies_file, messages) | {"extract_flat": "in_playlist", "lazy_playlist": True}
    with downloader(params) as ydl:
        try:
            result = ydl.extract_info(url, download=False, process=False)
        except Exception as e:  # noqa: BLE001 - yt-dlp raises many kinds; all mean "cannot list"
            raise ListingError(f"{url}: cannot list the channel: {_plain(e)}") from None
        if result is None:
            raise ListingError(f"{url}: cannot list the channel: {messages.problems[-1] if messages.problems else 'no result'}")
        return list(_new_entries(ydl, result, url, settings.stop_after_known, is_done, depth=0))


def _new_entries(ydl, result: dict, source_url: str, stop_after: int, is_done: Callable[[str], bool], depth: int) -> Iterator[Listed]:
    if result.get("_type") not in ("playlist", "multi_video"):
        if result.get("id"):
            yield Listed(result["id"], result.get("webpage_url") or result.get("url") or source_url, result.get("title"), source_url)
        return
    known_in_a_row = 0
    for entry in _entries(result):
        if not entry:
            continue
        if _is_playlist(ydl, entry) and depth < 2:
            nested = ydl.extract_info(entry["url"], download=False, process=False, ie_key=entry.get("ie_key"))
            if nested:
                yield from _new_entries(ydl, nested, source_url, stop_after, is_done, depth + 1)
            continue
        video_id = entry.get("id")
        if not video_id or entry.get("live_status") in NOT_YET_VODS:
            continue
        if is_done(video_id):
            known_in_a_row += 1
            if known_in_a_row >= stop_after:
                return
            continue
        known_in_a_row = 0
        yield Listed(video_id, entry.get("url") or entry.get("webpage_url"), entry.get("title"), source_url)


def _entries(result: dict) -> Iterable[dict]:
    entries = result.get("entries") or []
    return entries.getslice() if hasattr(entries, "getslice") else entries  # yt-dlp's lazy PagedList


def _is_playlist(ydl, entry: dict) -> bool:
    if entry.get("_type") == "playlist":
        return True
    if entry.get("_type") != "url" or not entry.get("ie_key") or not entry.get("url"):
        return False
    try:
        ie = ydl.get_info_extractor(entry["ie_key"])
    except Exception:  # noqa: BLE001 - an extractor yt-dlp cannot build is not ours to list
        return False
    return ie.is_single_video(entry["url"]) is False


def fetch_vod(listed: Listed, folder: Path, settings: YouTube, cookies_file: Path | None) -> FetchResult:
    """Download one VOD's info.json, subtitles (configured languages and live chat) and, if configured, audio.

    Files already in `folder` are not fetched again. Never raises for a failed download: the
    result says what is missing and whether it is worth retrying.
    """
    folder.mkdir(parents=True, exist_ok=True)
    messages = _Messages()
    finished: list[str] = []
    params = base_params(settings, cookies_file, messages) | {
        "outtmpl": {"default": str(folder / "%(id)s.%(ext)s")},
        "writeinfojson": True,
        "writesubtitles": True,
        "writeautomaticsub": True,
        "subtitleslangs": [*settings.languages, LIVE_CHAT],
        "subtitlesformat": "vtt/srt/best",
        "skip_download": not settings.audio,
        "format": "bestaudio/best",
        "ignoreerrors": True,
        "overwrites": False,  # a file fetched by an earlier, incomplete run is kept, not fetched again
        "sleep_interval": settings.sleep_seconds,
        "sleep_interval_subtitles": settings.sleep_seconds,
        "match_filter": _vods_only,
        "progress_hooks": [lambda d: d.get("status") == "finished" and finished.append(d.get("filename", ""))],
    }
    with downloader(params) as ydl:
        info = ydl.extract_info(listed.url, download=True)
        result = FetchResult(listed.video_id, folder, "complete", downloaded=len(finished), warnings=list(messages.problems))
        if info is None:
            return _incomplete(result, messages.problems or ["no video information"])
        result.live_status = info.get("live_status")
        result.extractor = (info.get("extractor_key") or info.get("extractor") or "").lower() or None
        if result.live_status in NOT_YET_VODS:
            result.status = "pending"
            return result
        _drop_cookies(Path(ydl.prepare_filename(info, "infojson")))
        missing = _missing_files(ydl, info, settings)
        if missing:
            return _incomplete(result, [*missing, *messages.problems])
    return result


def _drop_cookies(info_json: Path) -> None:
    """Remove the cookies yt-dlp copies into each format of info.json: secrets stay out of the raw files."""
    if not info_json.is_file():
        return
    import orjson

    info = orjson.loads(info_json.read_bytes())
    if not _strip_cookie_keys(info):
        return
    partial = info_json.with_name(info_json.name + ".part")
    partial.write_bytes(orjson.dumps(info))
    partial.replace(info_json)


def _strip_cookie_keys(value) -> bool:
    """Delete every "cookies" key and "Cookie" header inside `value`, in place; whether any was there."""
    found = False
    if isinstance(value, dict):
        for key in [k for k in value if k.lower() in ("cookies", "cookie")]:
            del value[key]
            found = True
        for v in value.values():
            found = _strip_cookie_keys(v) or found
    elif isinstance(value, list):
        for v in value:
            found = _strip_cookie_keys(v) or found
    return found


def _vods_only(info: dict, incomplete: bool = False) -> str | None:
    if info.get("live_status") in NOT_YET_VODS:
        return f"{info.get('id')} is {info['live_status']}: not a VOD yet"
    return None


def _missing_files(ydl, info: dict, settings: YouTube) -> list[str]:
    missing = []
    if not Path(ydl.prepare_filename(info, "infojson")).is_file():
        missing.append("info.json not written")
    for lang, sub in (info.get("requested_subtitles") or {}).items():
        if not sub.get("filepath") or not Path(sub["filepath"]).is_file():
            missing.append(f"{lang} subtitles missing")
    if settings.audio:
        downloads = info.get("requested_downloads") or []
        if not any(d.get("filepath") and Path(d["filepath"]).is_file() for d in downloads):
            missing.append("audio missing")
    return missing


def _incomplete(result: FetchResult, problems: list[str]) -> FetchResult:
    result.status = "incomplete"
    result.error = "; ".join(dict.fromkeys(problems))[:500]
    result.transient = any(_TRANSIENT.search(p) for p in problems)
    return result


def has_live_chat_replay(folder: Path, video_id: str) -> bool:
    """Whether yt-dlp left a live-chat replay for the VOD in `folder`."""
    return (folder / f"{video_id}.{LIVE_CHAT}.json").is_file()
