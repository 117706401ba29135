"""Writers of small Twitch VOD chat files for tests: TwitchDownloader and tcd JSON, in Twitch's v5 comment shape."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path

VOD = "1234567890"
EMOTE_IDS = {"LUL": "425618", "Kappa": "25", "PogChamp": "305954156", "KEKW": "emotesv2_1"}


def comment(i: int, text: str, *, offset: float | None = None, user: str = "viewer", emotes: tuple[str, ...] = (),
            bits: int = 0, notice: str | None = None, badges: tuple[str, ...] = (), **fields) -> dict:
    """A v5 comment as TwitchDownloader writes it; the words of `text` named in `emotes` become emote fragments and ranges."""
    fragments, ranges, at = [], [], 0
    for token in re.split(r"( )", text):
        if token in emotes:
            fragments.append({"text": token, "emoticon": {"emoticon_id": EMOTE_IDS.get(token, "1"), "emoticon_set_id": ""}})
            ranges.append({"_id": EMOTE_IDS.get(token, "1"), "begin": at, "end": at + len(token) - 1})
        elif fragments and fragments[-1]["emoticon"] is None:
            fragments[-1]["text"] += token
        elif token:
            fragments.append({"text": token, "emoticon": None})
        at += len(token)
    c = {
        "_id": f"c{i:04d}-0000-4000-8000-000000000000",
        "created_at": f"2024-03-01T20:{i // 60 % 60:02d}:{i % 60:02d}.1234567Z",
        "channel_id": "900",
        "content_type": "video",
        "content_id": VOD,
        "content_offset_seconds": float(i) if offset is None else offset,
        "commenter": {"display_name": user, "_id": str(1000 + sum(map(ord, user))), "name": user.lower().replace(" ", "_"),
                      "bio": None, "logo": "https://static-cdn.jtvnw.net/jtv_user_pictures/x.png"},
        "message": {"body": text, "bits_spent": bits, "fragments": fragments, "is_action": False,
                    "user_badges": [{"_id": b, "version": "1"} for b in badges], "user_color": "#FF0000",
                    "user_notice_params": {"msg_id": notice}, "emoticons": ranges},
    }
    c.update(fields)
    return c


def write_twitchdownloader(path: Path, comments: list[dict], *, video_id: str = VOD, title: str = "just chatting with chat",
                           game: str | None = "Just Chatting", video_last: bool = False, embedded_bytes: int = 3000,
                           gz: bool = False) -> Path:
    """A TwitchDownloader chat JSON (FileInfo, streamer, video, comments, embeddedData with base64 images)."""
    video = {"title": title, "description": None, "id": video_id, "created_at": "2024-03-01T20:00:00Z", "start": 0,
             "end": 7200, "length": 7200, "viewCount": 42, "game": game,
             "chapters": [{"id": "1", "startMilliseconds": 0, "lengthMilliseconds": 7200000, "gameDisplayName": "Just Chatting"}]}
    image = base64.b64encode(bytes(range(256)) * (embedded_bytes // 256 + 1)).decode()
    embedded = {"thirdParty": [{"id": "e1", "imageScale": 2, "data": image, "name": "catJAM", "width": 28, "height": 28}],
                "firstParty": [], "twitchBadges": [], "twitchBits": [],
                "comments": [{"not": "a comment"}]}  # a key of the same name deeper down must not be taken for the chat
    doc = {"FileInfo": {"Version": {"Major": 1, "Minor": 4, "Patch": 0}}, "streamer": {"name": "Mika", "id": 900}}
    if not video_last:
        doc["video"] = video
    doc["comments"] = comments
    if video_last:
        doc["video"] = video
    doc["embeddedData"] = embedded
    data = json.dumps(doc, ensure_ascii=False).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_tcd_json(path: Path, comments: list[dict], *, video_id: str = VOD, title: str = "cozy chat stream") -> Path:
    """tcd's json format: {"comments": [...], "video": {Helix video}}, keys sorted (so `video` comes last), indented."""
    video = {"id": video_id, "user_id": "900", "user_login": "mika", "user_name": "Mika", "title": title, "description": "",
             "created_at": "2024-03-01T20:00:00Z", "published_at": "2024-03-01T20:00:00Z",
             "url": f"https://www.twitch.tv/videos/{video_id}", "type": "archive", "duration": "2h0m5s"}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"video": video, "comments": comments}, indent=4, sort_keys=True), encoding="utf-8")
    return path
