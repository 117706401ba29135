"""A channel folder as yt-dlp writes it with the output template `%(id)s.%(ext)s`.

    ID.info.json  ID.LANG.vtt (or .srt)  ID.live_chat.json  ID.m4a (or another audio format)
    ID.chat.json  (chat-downloader's output, where yt-dlp had no live-chat replay)

flat in the folder or one sub-folder per video. `discover_videos` groups the files by video;
`read_info` reads the metadata; `subtitle_source` tells auto captions from manual ones.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import orjson

from chatclone.errors import SourceError

AUDIO_EXTS = frozenset({"m4a", "webm", "opus", "mp3", "ogg", "wav", "flac"})
SUBTITLE_EXTS = ("vtt", "srt")  # preferred first when one language has both
_INLINE_TIME = b"<00:"


class VideoFiles(NamedTuple):
    """The files of one video; `subtitles` is (language, path) sorted, one file per language."""

    video_id: str
    info: Path | None
    subtitles: list[tuple[str, Path]]
    live_chat: Path | None
    audio: Path | None
    downloaded_chat: Path | None = None

    def as_dict(self) -> dict:
        """Plain strings, to pass between Prefect tasks."""
        return {"video_id": self.video_id, "info": _str(self.info), "subtitles": [[lang, str(p)] for lang, p in self.subtitles],
                "live_chat": _str(self.live_chat), "audio": _str(self.audio), "downloaded_chat": _str(self.downloaded_chat)}

    @classmethod
    def from_dict(cls, d: dict) -> "VideoFiles":
        return cls(d["video_id"], _path(d["info"]), [(lang, Path(p)) for lang, p in d["subtitles"]], _path(d["live_chat"]),
                   _path(d["audio"]), _path(d.get("downloaded_chat")))

    def parsed_files(self) -> list[Path]:
        """The files import reads (all but the audio)."""
        return [p for p in (self.info, *(p for _, p in self.subtitles), self.live_chat, self.downloaded_chat) if p]


class VideoInfo(NamedTuple):
    """The videos columns yt-dlp's info.json gives, and the caption languages it lists."""

    video_id: str
    channel_id: str | None
    channel: str | None
    title: str | None
    description: str | None
    upload_date: dt.date | None
    duration_s: float | None
    live_status: str | None
    tags: list[str] | None
    categories: list[str] | None
    url: str | None
    started_at: float | None  # when the stream began (seconds since the epoch), where yt-dlp knows it
    auto_langs: frozenset[str]
    manual_langs: frozenset[str]


def _str(p: Path | None) -> str | None:
    return None if p is None else str(p)


def _path(s: str | None) -> Path | None:
    return None if s is None else Path(s)


def discover_videos(root: Path) -> list[VideoFiles]:
    """The videos of a channel folder (files directly in `root` or one folder down), sorted by id.

    Files not named as yt-dlp names them are ignored. Raises SourceError if `root` is not a folder.
    """
    root = Path(root)
    if not root.is_dir():
        raise SourceError(root, "no such folder")
    found: dict[str, dict] = {}
    for path in sorted([*root.glob("*"), *root.glob("*/*")]):
        if not path.is_file():
            continue
        parts = path.name.split(".")
        if len(parts) < 2 or not parts[0]:
            continue
        video = found.setdefault(parts[0], {"info": None, "subs": {}, "live_chat": None, "audio": None, "chat": None})
        middle, ext = ".".join(parts[1:-1]), parts[-1].lower()
        if middle == "info" and ext == "json":
            video["info"] = path
        elif middle == "live_chat" and ext == "json":
            video["live_chat"] = path
        elif middle == "chat" and ext == "json":
            video["chat"] = path
        elif middle and ext in SUBTITLE_EXTS:
            video["subs"].setdefault(middle, {})[ext] = path
        elif not middle and ext in AUDIO_EXTS:
            video["audio"] = path
    videos = []
    for video_id, v in sorted(found.items()):
        subs = [(lang, next(by_ext[e] for e in SUBTITLE_EXTS if e in by_ext)) for lang, by_ext in sorted(v["subs"].items())]
        if v["info"] or subs or v["live_chat"] or v["audio"] or v["chat"]:
            videos.append(VideoFiles(video_id, v["info"], subs, v["live_chat"], v["audio"], v["chat"]))
    return videos


def read_info(path: Path) -> VideoInfo:
    """The metadata of a yt-dlp ID.info.json. Raises SourceError if it is unreadable or not a JSON object."""
    try:
        data = orjson.loads(Path(path).read_bytes())
    except OSError as e:
        raise SourceError(path, f"cannot read: {e.strerror}") from None
    except orjson.JSONDecodeError as e:
        raise SourceError(path, f"invalid JSON ({str(e).splitlines()[0]})") from None
    if type(data) is not dict or not isinstance(data.get("id"), str):
        raise SourceError(path, "not a yt-dlp info.json (no string 'id')")
    duration = data.get("duration")
    tags, categories = data.get("tags"), data.get("categories")
    started = data.get("release_timestamp") or data.get("timestamp")
    return VideoInfo(
        video_id=data["id"],
        channel_id=_text(data.get("channel_id")),
        channel=_text(data.get("channel") or data.get("uploader")),
        title=_text(data.get("title")),
        description=_text(data.get("description")),
        upload_date=_date(path, data.get("upload_date")),
        duration_s=float(duration) if isinstance(duration, (int, float)) else None,
        live_status=_text(data.get("live_status")),
        tags=[str(t) for t in tags] if isinstance(tags, list) else None,
        categories=[str(c) for c in categories] if isinstance(categories, list) else None,
        url=_text(data.get("webpage_url")),
        started_at=float(started) if isinstance(started, (int, float)) and not isinstance(started, bool) else None,
        auto_langs=frozenset(data.get("automatic_captions") or {}),
        manual_langs=frozenset(data.get("subtitles") or {}),
    )


def subtitle_source(lang: str, path: Path, info: VideoInfo | None) -> str:
    """'auto' or 'manual' for a subtitle file.

    info.json decides when there is one (auto: listed under automatic_captions and not under
    subtitles); without it, a WebVTT file with YouTube's inline word timings is auto.
    """
    if info is not None:
        return "auto" if lang in info.auto_langs and lang not in info.manual_langs else "manual"
    if path.suffix.lower() != ".vtt":
        return "manual"
    try:
        return "auto" if _INLINE_TIME in Path(path).read_bytes() else "manual"
    except OSError:
        return "manual"  # the parser reports the unreadable file


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _date(path: Path, value: object) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.datetime.strptime(str(value), "%Y%m%d").date()
    except ValueError:
        raise SourceError(path, f"upload_date {value!r} is not YYYYMMDD") from None
