"""Fetch a VOD's chat replay with chat-downloader: where yt-dlp has no live-chat track, and for Twitch VODs.

The only module that talks to chat-downloader. It writes chat-downloader's own JSON output as
`ID.chat.json` next to the VOD's other files; `chatclone.sources.chat_downloader` reads it.
"""

from __future__ import annotations

from pathlib import Path

from chatclone.errors import ChatcloneError

CHAT_FILE_SUFFIX = ".chat.json"


def chat_path(folder: Path, video_id: str) -> Path:
    """Where the chat-downloader output of a VOD goes."""
    return folder / f"{video_id}{CHAT_FILE_SUFFIX}"


def fetch_chat(url: str, out_path: Path, cookies_file: Path | None = None, max_attempts: int = 5) -> int:
    """Download the chat replay of the VOD at `url` into `out_path` (JSON list); return the message count.

    The file appears only when the download finished. Raises ChatcloneError with chat-downloader's
    reason (no replay, unsupported site, network) in one line.
    """
    from chat_downloader import ChatDownloader
    from chat_downloader.errors import ChatDownloaderError

    partial = out_path.with_name(out_path.name.removesuffix(".json") + ".part.json")  # the extension picks the JSON writer
    downloader = ChatDownloader(cookies=str(cookies_file) if cookies_file else None)
    try:
        chat = downloader.get_chat(url, output=str(partial), overwrite=True, max_attempts=max_attempts, chat_type="live")
        count = sum(1 for _ in chat)
    except (ChatDownloaderError, OSError, ValueError) as e:
        partial.unlink(missing_ok=True)
        raise ChatcloneError(f"{url}: chat-downloader: {' '.join(str(e).split()) or type(e).__name__}") from None
    finally:
        downloader.close()
    if not partial.exists():  # no message at all: chat-downloader writes nothing
        partial.write_text("[]", encoding="utf-8")
    partial.replace(out_path)
    return count
