"""A fake video site on 127.0.0.1, and the yt-dlp extractors that read it.

The site serves a channel listing (paged, newest first), each VOD's metadata, and its files:
real auto-captions (tests/data/subtitles/youtube_dl.vtt), a real live-chat replay
(tests/data/youtube/live_chat.json) and a short WAV. yt-dlp's own code (extraction, HTTP
download, file naming) does the rest when its YoutubeDL gets these extractors, as chatclone
does for the classes named in $CHATCLONE_YTDLP_EXTRACTORS (EXTRACTORS_ENV below).
"""

from __future__ import annotations

import io
import json
import threading
import time
import wave
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from yt_dlp.extractor.common import InfoExtractor

DATA = Path(__file__).parent / "data"
AUTO_VTT = (DATA / "subtitles" / "youtube_dl.vtt").read_bytes()
LIVE_CHAT = (DATA / "youtube" / "live_chat.json").read_bytes()
EXTRACTORS_ENV = "fake_channel:FakeChannelIE,fake_channel:FakeVideoIE"


def _wav(seconds: float = 0.25, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\0\0" * int(seconds * rate))
    return buf.getvalue()


@dataclass
class FakeVod:
    """One VOD of the fake channel; `chat_status` other than 200 makes its chat replay fail."""

    video_id: str
    title: str
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=lambda: ["Entertainment"])
    live_status: str = "was_live"
    has_chat: bool = True
    chat_status: int = 200

    def meta(self) -> dict:
        return {"title": self.title, "tags": self.tags, "categories": self.categories, "live_status": self.live_status,
                "has_chat": self.has_chat}


class FakeSite:
    """The HTTP server; `requests` lists every path asked for, in order. Use as a context manager."""

    def __init__(self, vods: list[FakeVod], page_size: int = 50, delay_s: float = 0.0):
        self.vods = {v.video_id: v for v in vods}
        self.order = [v.video_id for v in vods]  # newest first, as a channel lists them
        self.page_size, self.delay_s = page_size, delay_s
        self.requests: list[str] = []
        self.cookies: list[str] = []
        self.audio = _wav()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def channel_url(self, name: str = "mika") -> str:
        return f"{self.base}/channel/{name}"

    def file_requests(self) -> list[str]:
        with self._lock:
            return [p for p in self.requests if p.startswith("/files/")]

    def listing_requests(self) -> list[str]:
        with self._lock:
            return [p for p in self.requests if p.startswith("/api/channel/")]

    def add(self, vod: FakeVod) -> None:
        """Publish a new VOD at the top of the channel."""
        self.vods[vod.video_id] = vod
        self.order.insert(0, vod.video_id)

    def __enter__(self) -> "FakeSite":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                url = urlparse(self.path)
                with site._lock:
                    site.requests.append(url.path)
                    if self.headers.get("Cookie"):
                        site.cookies.append(self.headers["Cookie"])
                if site.delay_s and url.path.startswith("/files/"):
                    time.sleep(site.delay_s)
                status, body, kind = site._answer(url.path, parse_qs(url.query))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def _answer(self, path: str, query: dict) -> tuple[int, bytes, str]:
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "channel"]:
            page = int(query.get("page", ["1"])[0])
            ids = self.order[(page - 1) * self.page_size : page * self.page_size]
            more = page * self.page_size < len(self.order)
            body = {"entries": [{"id": i, "title": self.vods[i].title, "live_status": self.vods[i].live_status} for i in ids],
                    "next": page + 1 if more else None}
            return 200, json.dumps(body).encode(), "application/json"
        if parts[:2] == ["api", "video"] and parts[2] in self.vods:
            return 200, json.dumps(self.vods[parts[2]].meta()).encode(), "application/json"
        if parts[0] == "files" and len(parts) == 2:
            video_id, _, rest = parts[1].partition(".")
            vod = self.vods.get(video_id)
            if vod is None:
                return 404, b"not found", "text/plain"
            if rest == "live_chat.json":
                return (200, LIVE_CHAT, "application/json") if vod.chat_status == 200 else (vod.chat_status, b"gone", "text/plain")
            if rest.endswith(".vtt"):
                return 200, AUTO_VTT, "text/vtt"
            if rest == "wav":
                return 200, self.audio, "audio/wav"
        return 404, b"not found", "text/plain"


class FakeChannelIE(InfoExtractor):
    """A channel of the fake site: its VODs as a lazily paged playlist."""

    IE_NAME = "fakechannel"
    _VALID_URL = r"(?P<base>http://127\.0\.0\.1:\d+)/channel/(?P<id>[\w-]+)"
    _RETURN_TYPE = "playlist"

    def _real_extract(self, url):
        base, channel = self._match_valid_url(url).group("base", "id")
        return self.playlist_result(self._pages(base, channel), channel, f"channel {channel}")

    def _pages(self, base: str, channel: str):
        page = 1
        while page:
            data = self._download_json(f"{base}/api/channel/{channel}?page={page}", channel, note=f"listing page {page}")
            for entry in data["entries"]:
                yield self.url_result(f"{base}/watch/{entry['id']}", FakeVideoIE, entry["id"], entry["title"],
                                      live_status=entry["live_status"])
            page = data["next"]


class FakeVideoIE(InfoExtractor):
    """A VOD of the fake site: metadata, an audio format, auto captions in English and the live-chat replay."""

    IE_NAME = "fakevideo"
    _VALID_URL = r"(?P<base>http://127\.0\.0\.1:\d+)/watch/(?P<id>[\w-]+)"
    _RETURN_TYPE = "video"

    def _real_extract(self, url):
        base, video_id = self._match_valid_url(url).group("base", "id")
        meta = self._download_json(f"{base}/api/video/{video_id}", video_id)
        files = f"{base}/files/{video_id}"
        return {
            "id": video_id,
            "title": meta["title"],
            "channel": "Mika Channel",
            "channel_id": "UCfake",
            "upload_date": "20260101",
            "release_timestamp": 1767261600,
            "duration": 3600,
            "live_status": meta["live_status"],
            "was_live": meta["live_status"] == "was_live",
            "tags": meta["tags"],
            "categories": meta["categories"],
            "formats": [{"format_id": "audio", "url": f"{files}.wav", "ext": "wav", "vcodec": "none", "acodec": "pcm_s16le"}],
            "automatic_captions": {"en": [{"url": f"{files}.en.vtt", "ext": "vtt"}]},
            "subtitles": {"live_chat": [{"url": f"{files}.live_chat.json", "ext": "json"}]} if meta["has_chat"] else {},
        }
