"""Twitch VOD chat as the chat downloaders save it: one file per VOD, read as ChatEvents timed from the VOD's start.

JSON (parse_twitch_json), streamed with ijson, gzip-compressed or not:
    TwitchDownloader   {"FileInfo", "streamer": {name, id}, "video": {id, title, created_at, length, game, chapters},
                        "comments": [COMMENT, ...], "embeddedData": {emote and badge images}}
    tcd (json format)  {"comments": [COMMENT, ...], "video": {Helix video: id, user_name, title, created_at, duration}}
                       (keys sorted: `video` comes after the comments), or an older bare list of comments
    one comment        tcd's docs/examples/comment.json
    chat-downloader    a list of flat items with a message_type: read by sources/chat_downloader.py
A COMMENT is Twitch's v5 comment ({_id, content_offset_seconds, commenter {_id, name, display_name},
message {body, bits_spent, fragments [{text, emoticon}], emoticons [{_id, begin, end}], user_badges,
user_notice_params {msg_id}}}) or a GQL replay comment, camelCase, bare or as an edge {"node": ...}
({id, contentOffsetSeconds, commenter {id, login, displayName}, message {fragments [{text, emote}], userBadges}}).

Text logs (parse_twitch_text), one message a line, times from the VOD's start:
    tcd default   [0:00:12] <DisplayName> message          (VIDEOID.txt; "1 day, 0:00:05" past a day)
    tcd irc       [1:02:03] <@DisplayName> message         (VIDEOID.log; one badge sign: ~ broadcaster, @ moderator, % subscriber ...)
                  [1:02:03] *DisplayName does something]   (/me; tcd's action format ends with a stray ']')
    TwitchDownloader text, relative timestamps:  [0:00:12] DisplayName: message   (25:00:00 past a day)

Raw IRC logs (parse_twitch_irc): Twitch IRC lines with tags (`@badges=...;tmi-sent-ts=... :nick!nick@nick.tmi.twitch.tv
PRIVMSG #channel :text`), as a chat logger or justlog's `?raw` API leaves them; timed by `tmi-sent-ts` from the
VOD's start where the caller knows it, else from the log's first message.

Speech only: chat messages ("text"), cheers ("paid", amount = bits, currency "BITS", as
chat_downloader.py writes Twitch cheers) and sub/resub notices carrying the viewer's own message
("membership"). Everything else (moderation: CLEARMSG, CLEARCHAT; notices without a message; raids;
comments left on the VOD after the stream) is counted in `skipped`. Emote names stay in the text as
the words they are; `emotes` lists them (from fragments, emoticon ranges or the IRC `emotes` tag;
empty in text logs, which do not say).
"""

from __future__ import annotations

import datetime as dt
import gzip
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, NamedTuple

import ijson
import orjson
from ijson.common import ObjectBuilder

from chatclone.errors import SourceError
from chatclone.sources.chat_downloader import parse_chat_downloader
from chatclone.sources.jsonstream import RECORD_ERRORS, DepthGuard, require
from chatclone.sources.youtube_live_chat import ChatEvent

_BOM = b"\xef\xbb\xbf"
_GZIP = b"\x1f\x8b"
_TAIL_BYTES = 1 << 20
# Top-level keys of a chat file, and of a single comment: the first key tells which a JSON object is.
_FILE_KEYS = frozenset({"FileInfo", "streamer", "video", "comments", "embeddedData"})
_COMMENT_KEYS = frozenset({"_id", "created_at", "updated_at", "channel_id", "content_type", "content_id", "content_offset_seconds",
                           "commenter", "source", "state", "message", "more_replies", "node", "cursor", "__typename", "id",
                           "createdAt", "contentOffsetSeconds"})
# user_notice_params.msg_id (TwitchDownloader) and USERNOTICE msg-id (IRC) whose message is the viewer's own words.
NOTICE_KINDS = {
    "": "text", "highlighted-message": "text", "announcement": "text", "ritual": "text",
    "sub": "membership", "resub": "membership", "subgift": "membership", "submysterygift": "membership",
    "extendsub": "membership", "giftpaidupgrade": "membership", "anongiftpaidupgrade": "membership",
    "primepaidupgrade": "membership", "standardpayforward": "membership", "communitypayforward": "membership",
}
_TIME = r"(?:(?P<days>\d+) days?, )?(?P<h>\d+):(?P<m>[0-5]\d):(?P<s>[0-5]\d)(?:\.\d+)?"
_LINE_FORMATS = (
    ("tcd", re.compile(rf"\[{_TIME}\] <(?P<badge>[!$~*@+&%]?)(?P<name>[^<>]+?)> (?P<text>.*)")),
    ("tcd", re.compile(rf"\[{_TIME}\] \*(?P<name>\S+) (?P<text>.*?)\]?")),
    ("twitchdownloader", re.compile(rf"\[{_TIME}\] (?P<name>[^:\[\]]+?): (?P<text>.*)")),
)
_ABSOLUTE = re.compile(r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? UTC\] ")
# A text log's first line starts like a JSON list: "[0:00:12] ...", "[1 day, 0:00:05] ...", "[2024-03-01 20:00:01 UTC] ...".
_LOG_START = re.compile(rb"\[(?:\d+ days?, )?\d+:\d\d:\d\d|\[\d{4}-\d\d-\d\d \d")
_BADGE_SIGNS = {"~": "broadcaster", "@": "moderator"}
_VOD_ID = re.compile(r"(?<![0-9A-Za-z])v?(\d{6,})(?!\d)")
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


class TwitchVideo(NamedTuple):
    """What a chat file says about its VOD; every field None where it does not say.

    `video_id` is yt-dlp's id for the VOD ("v" + the numeric id; a clip keeps its slug), so the
    VOD meets the same `videos` row whichever tool fetched it. `tool` names the format's writer.
    """

    video_id: str | None
    tool: str
    title: str | None = None
    description: str | None = None
    channel: str | None = None
    channel_id: str | None = None
    upload_date: dt.date | None = None
    duration_s: float | None = None
    categories: list[str] | None = None
    url: str | None = None


class _Irc(NamedTuple):
    tags: dict[str, str]
    nick: str
    command: str
    trailing: str | None


def file_kind(path: Path) -> str:
    """'json', 'irc' or 'text': what a Twitch chat file holds, from its first bytes. Raises SourceError if unreadable or empty."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise SourceError(path, f"cannot read: {e.strerror}") from None
    if head.startswith(_GZIP):
        return "json"
    head = head.removeprefix(_BOM).lstrip()
    if not head:
        raise SourceError(path, "empty file")
    if head[:1] in (b"{", b"[", b'"') and not _LOG_START.match(head):
        return "json"
    return "irc" if head[:1] in (b"@", b":") else "text"


def parse_twitch(path: Path, skipped: Counter, start_ms: float | None = None) -> Iterator[ChatEvent]:
    """Yield the chat of any Twitch chat file (JSON, text log or raw IRC log), streaming; see the module docstring.

    `start_ms` (the VOD's start, ms since the epoch) places a raw IRC log's messages; the others carry offsets.
    """
    kind = file_kind(path)
    if kind == "json":
        return parse_twitch_json(path, skipped)
    if kind == "irc":
        return parse_twitch_irc(path, skipped, start_ms)
    return parse_twitch_text(path, skipped)


# --- JSON -----------------------------------------------------------------------------------


@contextmanager
def _open(path: Path) -> Iterator[BinaryIO]:
    """The file's bytes, gunzipped where it is gzip, after a UTF-8 BOM, read through a DepthGuard (it is fed to ijson)."""
    try:
        f = open(path, "rb")
    except OSError as e:
        raise SourceError(path, f"cannot read: {e.strerror}") from None
    with f:
        stream = gzip.GzipFile(fileobj=f, mode="rb") if f.read(2) == _GZIP else f
        f.seek(0)
        try:
            if stream.read(3) != _BOM:
                stream.seek(0)
        except (OSError, EOFError, zlib.error) as e:
            raise SourceError(path, f"not a readable gzip file ({e})") from None
        yield DepthGuard(stream, path)


@contextmanager
def _reading(path: Path, stream: BinaryIO) -> Iterator[None]:
    """Turn what reading broken JSON (or gzip) raises into a one-line SourceError naming the file."""
    try:
        yield
    except ijson.JSONError as e:
        raise SourceError(path, f"invalid JSON near byte {_tell(stream):,}: {_first_line(e)}") from None
    except UnicodeDecodeError:
        raise SourceError(path, f"not UTF-8 text near byte {_tell(stream):,}") from None
    except (OSError, EOFError, zlib.error) as e:
        raise SourceError(path, f"cannot read: {_first_line(e)}") from None


def _shape(path: Path) -> tuple[str, dict]:
    """How a chat JSON holds its comments ('file', 'list' or 'comment') and, for a chat file, the
    `video` and `streamer` objects that come before its comments. Raises SourceError for other JSON."""
    with _open(path) as stream, _reading(path, stream):
        events = ijson.parse(stream, use_float=True)
        _, event, _ = next(events, ("", None, None))
        if event == "start_array":
            return "list", {}
        if event != "start_map":
            raise SourceError(path, f"not a Twitch chat JSON (it is {_json_kind(event)}, expected an object or a list)")
        found: dict[str, ObjectBuilder] = {}
        for prefix, event, value in events:
            if prefix == "":
                if event == "map_key" and not found and value not in _FILE_KEYS:
                    if value in _COMMENT_KEYS:
                        return "comment", {}
                    raise SourceError(path, f"not a Twitch chat JSON (no 'comments'; its first key is {str(value)[:40]!r})")
                if event == "map_key":
                    found[value] = ObjectBuilder()  # a key given twice: the last value wins, as in json.load
                elif event == "end_map":
                    break
                continue
            top = prefix.split(".", 1)[0]
            if top == "comments":
                if event != "start_array":
                    raise SourceError(path, f"'comments' is {_json_kind(event)}, expected a list")
                return "file", {k: b.value for k, b in found.items() if k in ("video", "streamer") and hasattr(b, "value")}
            if top in ("video", "streamer"):
                found[top].event(event, value)
    raise SourceError(path, "not a Twitch chat JSON (no 'comments' list)")


def parse_twitch_json(path: Path, skipped: Counter) -> Iterator[ChatEvent]:
    """Yield the chat of a TwitchDownloader or tcd JSON file (or a list of v5/GQL comments), streaming, in file order.

    Non-speech comments are counted in `skipped`. Raises SourceError naming the file for JSON that is
    invalid or not Twitch chat, and the comment (its index) for a malformed comment.
    """
    shape, _ = _shape(path)
    if shape == "list" and _is_chat_downloader(_first(path, "item")):
        yield from parse_chat_downloader(path, skipped)
        return
    prefix = {"file": "comments.item", "list": "item", "comment": ""}[shape]
    with _open(path) as stream, _reading(path, stream):
        for index, comment in enumerate(ijson.items(stream, prefix, use_float=True)):
            try:
                event = comment_event(comment, skipped)
            except RECORD_ERRORS as e:
                raise SourceError(path, f"comment {index}: {_problem(e)}") from None
            if event is not None:
                yield event


def _is_chat_downloader(item: object) -> bool:
    """Whether a list's first item is chat-downloader's (it writes Twitch VOD chat as a list of flat items with a message_type)."""
    return isinstance(item, dict) and "message_type" in item and "content_offset_seconds" not in item


def read_twitch_video(path: Path) -> TwitchVideo:
    """What a Twitch chat file says about its VOD, reading as little of it as it can.

    A JSON file's `video`/`streamer` (when they come after the comments, from the file's last MiB,
    else by scanning past the comments without building them), else its first comment's
    content_id, else the file name (tcd names its files VIDEOID.txt, VIDEOID.log, VIDEOID.json).
    Raises SourceError for a file that cannot be read or JSON that is not Twitch chat.
    """
    kind = file_kind(path)
    if kind != "json":
        return TwitchVideo(_vod_id_from_name(path), "twitch-irc" if kind == "irc" else text_log_tool(path))
    shape, meta = _shape(path)
    if shape == "file" and "video" not in meta:
        meta |= _tail_objects(path, ("video", "streamer"))
        if "video" not in meta:
            meta["video"] = _first(path, "video")
    first = _first(path, {"file": "comments.item", "list": "item", "comment": ""}[shape]) if shape != "file" or not _id_of(meta) else None
    return _video(path, shape, meta, first if isinstance(first, dict) else {})


def _first(path: Path, prefix: str) -> object | None:
    with _open(path) as stream, _reading(path, stream):
        return next(ijson.items(stream, prefix, use_float=True), None)


def _tail_objects(path: Path, keys: tuple[str, ...]) -> dict:
    """`keys` of the top-level object, read from the file's last MiB where they all lie there (tcd writes
    `video` last); {} where they do not, or the file is gzip. A key's text is taken as the start of an
    object running to the file's end: it parses only where that key is at the top level."""
    try:
        with open(path, "rb") as f:
            if f.read(2) == _GZIP:
                return {}
            f.seek(0, 2)
            f.seek(max(0, f.tell() - _TAIL_BYTES))
            tail = f.read()
    except OSError:
        return {}
    for key in keys:
        at = tail.rfind(b'"' + key.encode() + b'"')
        if at < 0:
            continue
        try:
            obj = orjson.loads(b"{" + tail[at:])
        except orjson.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            return {k: v for k, v in obj.items() if k in keys}
    return {}


def _video(path: Path, shape: str, meta: dict, first: dict) -> TwitchVideo:
    video = meta.get("video") if isinstance(meta.get("video"), dict) else {}
    streamer = meta.get("streamer") if isinstance(meta.get("streamer"), dict) else {}
    node = first.get("node") if isinstance(first.get("node"), dict) else first
    gql = "contentOffsetSeconds" in node
    tool = "twitch-gql" if gql else "twitchdownloader" if streamer or "start" in video else "tcd"
    if _is_chat_downloader(first):
        tool = "chat-downloader"
    channel = video.get("channel") if isinstance(video.get("channel"), dict) else {}
    raw_id = _id_of(meta) or (node.get("content_id") if node.get("content_type", "video") == "video" else None)
    video_id = vod_id(raw_id) or _vod_id_from_name(path)
    numeric = video_id[1:] if video_id and video_id[:1] == "v" and video_id[1:].isdigit() else None
    chapters = video.get("chapters") if isinstance(video.get("chapters"), list) else []
    games = [video.get("game")] + [c.get("gameDisplayName") for c in chapters if isinstance(c, dict)]
    games = list(dict.fromkeys(g for g in games if isinstance(g, str) and g))
    return TwitchVideo(
        video_id=video_id,
        tool=tool,
        title=_str(video.get("title")),
        description=_str(video.get("description")),
        channel=_str(streamer.get("name")) or _str(video.get("user_name")) or _str(channel.get("display_name")),
        channel_id=_str(streamer.get("id")) or _str(video.get("user_id")) or _str(channel.get("_id")),
        upload_date=_date(video.get("created_at") or video.get("published_at")),
        duration_s=_duration(video.get("length") if video.get("length") is not None else video.get("duration")),
        categories=games or None,
        url=_str(video.get("url")) or (f"https://www.twitch.tv/videos/{numeric}" if numeric else None),
    )


def _id_of(meta: dict) -> str | None:
    video = meta.get("video")
    if not isinstance(video, dict):
        return None
    value = video.get("id", video.get("_id"))
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) else None


def vod_id(value: object) -> str | None:
    """yt-dlp's id of a Twitch VOD: "v" + its numeric id ("212237951", "v212237951" -> "v212237951"); a clip's slug as is; None for no id."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    if text.isdigit():
        return f"v{text}"
    if re.fullmatch(r"[A-Za-z0-9_-]{1,100}", text):
        return text
    return None


def _vod_id_from_name(path: Path) -> str | None:
    """The VOD id in a file's name: its last run of six or more digits, "v" or not (tcd: 212237951.txt)."""
    found = _VOD_ID.findall(Path(path).name.split(".")[0])
    return f"v{found[-1]}" if found else None


def comment_event(comment: object, skipped: Counter) -> ChatEvent | None:
    """The ChatEvent of one comment (v5 shape, GQL node or edge), or None (counted in `skipped`) for one that is not speech.

    Raises ValueError/TypeError/KeyError (RECORD_ERRORS) for a malformed comment.
    """
    c = require(comment, dict, "comment")
    if "node" in c:
        c = require(c["node"], dict, "node")
    if "contentOffsetSeconds" in c:
        return _gql_event(c, skipped)
    if "content_offset_seconds" not in c:
        raise ValueError("no content_offset_seconds: not a Twitch VOD comment")
    message = require(c.get("message"), dict, "message")
    if c.get("source") == "comment":  # left on the VOD after the stream: nobody in the stream saw it
        skipped["vod_comment"] += 1
        return None
    notice = message.get("user_notice_params")
    msg_id = require(notice, dict, "user_notice_params").get("msg_id") if notice is not None else None
    kind = NOTICE_KINDS.get(require(msg_id, str, "msg_id")) if msg_id is not None else "text"
    if kind is None:
        skipped[msg_id] += 1
        return None
    fragments = require(message.get("fragments") or [], list, "fragments")
    body = message.get("body")
    text = require(body, str, "body") if body is not None else "".join(_fragment_text(f) for f in fragments)
    if not text.strip():
        skipped["empty" if kind == "text" else msg_id] += 1
        return None
    emotes = _fragment_emotes(fragments, "emoticon") or _range_emotes(text, message.get("emoticons"))
    bits = message.get("bits_spent")
    amount = float(require(bits, int, "bits_spent")) if bits else None
    if amount is not None and amount > 0 and kind == "text":
        kind = "paid"
    commenter = require(c.get("commenter") or {}, dict, "commenter")
    badges = {require(b, dict, "badge").get("_id") for b in require(message.get("user_badges") or [], list, "user_badges")}
    return ChatEvent(
        message_id=require(c["_id"], str, "_id"),
        t_s=_offset(c["content_offset_seconds"], "content_offset_seconds"),
        ts_usec=_usec(c.get("created_at")),
        author_id=_id_str(commenter.get("_id")),
        author_name=_name(commenter, "display_name", "name"),
        text=text,
        kind=kind,
        amount=amount if kind == "paid" else None,
        currency="BITS" if kind == "paid" else None,
        is_owner="broadcaster" in badges,
        is_moderator="moderator" in badges,
        emotes=emotes,
    )


def _gql_event(c: dict, skipped: Counter) -> ChatEvent | None:
    message = c.get("message")
    if message is None:  # deleted
        skipped["empty"] += 1
        return None
    message = require(message, dict, "message")
    fragments = require(message.get("fragments") or [], list, "fragments")
    text = "".join(_fragment_text(f) for f in fragments)
    if not text.strip():
        skipped["empty"] += 1
        return None
    commenter = require(c.get("commenter") or {}, dict, "commenter")
    badges = {require(b, dict, "badge").get("setID") for b in require(message.get("userBadges") or [], list, "userBadges")}
    return ChatEvent(
        message_id=require(c["id"], str, "id"),
        t_s=_offset(c["contentOffsetSeconds"], "contentOffsetSeconds"),
        ts_usec=_usec(c.get("createdAt")),
        author_id=_id_str(commenter.get("id")),
        author_name=_name(commenter, "displayName", "login"),
        text=text,
        kind="text",
        is_owner="broadcaster" in badges,
        is_moderator="moderator" in badges,
        emotes=_fragment_emotes(fragments, "emote"),
    )


def _fragment_text(fragment: object) -> str:
    return require(require(fragment, dict, "fragment").get("text", ""), str, "fragment text")


def _fragment_emotes(fragments: list, key: str) -> tuple[str, ...]:
    """The (stripped) texts of the fragments that are emotes, each once."""
    names = (f["text"].strip() for f in fragments if f.get(key) and isinstance(f.get("text"), str))
    return tuple(dict.fromkeys(n for n in names if n))


def _range_emotes(text: str, ranges: object) -> tuple[str, ...]:
    """The emote names `text` holds at v5 `emoticons` ranges ({begin, end}, end inclusive), each once; out-of-range ones dropped."""
    names = []
    for r in require(ranges or [], list, "emoticons"):
        r = require(r, dict, "emoticon")
        begin, end = require(r.get("begin"), int, "emoticon begin"), require(r.get("end"), int, "emoticon end")
        if 0 <= begin <= end < len(text) and text[begin : end + 1].strip():
            names.append(text[begin : end + 1].strip())
    return tuple(dict.fromkeys(names))


def _offset(value: object, what: str) -> float:
    seconds = float(require(value, (int, float), what))
    if not math.isfinite(seconds):
        raise ValueError(f"{what} is not a finite number")
    return seconds


def _usec(value: object) -> int | None:
    """An ISO 8601 time (C#'s seven fraction digits allowed) as µs since the epoch; None where it is absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    try:
        return round(t.timestamp() * 1e6)
    except (OverflowError, OSError, ValueError):
        return None


def _id_str(value: object) -> str:
    """A user id as text ("" where absent); ids are strings in v5 and GQL, ints in some exports."""
    if value is None:
        return ""
    return str(require(value, (str, int), "user id"))


def _name(obj: dict, display: str, login: str) -> str:
    """The display name Twitch shows, else the login."""
    name = obj.get(display) or obj.get(login) or ""
    return require(name, str, display)


def _str(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value) or None


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _duration(value: object) -> float | None:
    """Seconds from TwitchDownloader's `length` (a number) or Helix's `duration` ("3h2m1s")."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if math.isfinite(value) and value >= 0 else None
    if isinstance(value, str) and value:
        match = _DURATION.fullmatch(value)
        if match and any(match.groups()):
            h, m, s = (int(g or 0) for g in match.groups())
            return float(h * 3600 + m * 60 + s)
    return None


def _json_kind(event: str | None) -> str:
    return {"start_map": "an object", "start_array": "a list", "string": "a string", "number": "a number",
            "boolean": "a boolean", "null": "null"}.get(event, "empty")


def _tell(stream: BinaryIO) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0


def _first_line(e: Exception) -> str:
    message = e.args[0] if len(e.args) == 1 else str(e)
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    lines = str(message).strip().splitlines()
    return lines[0][:200] if lines else type(e).__name__


def _problem(e: Exception) -> str:
    text = " ".join(str(e).split())[:200] or type(e).__name__
    return text if type(e) is ValueError else f"malformed ({type(e).__name__}: {text})"


# --- text logs ------------------------------------------------------------------------------


def _text_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of each non-blank line, decoded as UTF-8, a leading BOM and the line end dropped."""
    try:
        f = open(path, "rb")
    except OSError as e:
        raise SourceError(path, f"cannot read: {e.strerror}") from None
    with f:
        for n, raw in enumerate(f, 1):
            if n == 1:
                raw = raw.removeprefix(_BOM)
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                raise SourceError(path, f"line {n}: not UTF-8 text") from None
            if line.strip():
                yield n, line


def parse_twitch_text(path: Path, skipped: Counter) -> Iterator[ChatEvent]:
    """Yield the chat of a tcd text/irc log or a TwitchDownloader text log with relative timestamps, streaming.

    A message's id is its line number. Raises SourceError naming the file and line for a line that
    is none of those formats (absolute UTC timestamps included: they do not place a message in the VOD).
    """
    for n, line in _text_lines(path):
        for _, pattern in _LINE_FORMATS:
            match = pattern.fullmatch(line)
            if match:
                break
        else:
            if _ABSOLUTE.match(line):
                raise SourceError(path, f"line {n}: UTC timestamps do not place messages in the VOD; download the chat with relative timestamps")
            raise SourceError(path, f"line {n}: not a Twitch chat log line (expected '[0:00:12] <name> message' or '[0:00:12] name: message')")
        text = match["text"]
        if not text.strip():
            skipped["empty"] += 1
            continue
        name = match["name"].strip()
        role = _BADGE_SIGNS.get(match.groupdict().get("badge") or "")
        yield ChatEvent(
            message_id=str(n),
            t_s=int(match["days"] or 0) * 86400 + int(match["h"]) * 3600 + int(match["m"]) * 60 + int(match["s"]),
            ts_usec=None,
            author_id=name.lower(),
            author_name=name,
            text=text,
            kind="text",
            is_owner=role == "broadcaster",
            is_moderator=role == "moderator",
            emotes=(),
        )


def text_log_tool(path: Path) -> str:
    """Which tool wrote a text log: 'tcd' or 'twitchdownloader', from its first line ('twitch-text' where neither matches)."""
    for _, line in _text_lines(path):
        return next((tool for tool, pattern in _LINE_FORMATS if pattern.fullmatch(line)), "twitch-text")
    return "twitch-text"


# --- raw IRC logs ---------------------------------------------------------------------------

_TAG_ESCAPES = {"s": " ", ":": ";", "\\": "\\", "r": "\r", "n": "\n"}


def parse_irc_line(line: str) -> _Irc:
    """One Twitch IRC line: its tags (unescaped), the sender's nick, the command and the trailing parameter.

    Raises ValueError for a line that is not an IRC message.
    """
    rest = line.rstrip("\r\n")
    tags: dict[str, str] = {}
    if rest.startswith("@"):
        raw, _, rest = rest[1:].partition(" ")
        for item in raw.split(";"):
            key, _, value = item.partition("=")
            tags[key] = re.sub(r"\\(.?)", lambda m: _TAG_ESCAPES.get(m[1], m[1]), value)
    nick = ""
    if rest.startswith(":"):
        source, _, rest = rest[1:].partition(" ")
        nick = source.split("!", 1)[0]
    middle, sep, trailing = rest.partition(" :")
    parts = middle.split()
    if not parts or not re.fullmatch(r"[A-Z]+|\d{3}", parts[0]):
        raise ValueError("not an IRC message (no command)")
    return _Irc(tags, nick, parts[0], trailing if sep else None)


def parse_twitch_irc(path: Path, skipped: Counter, start_ms: float | None = None) -> Iterator[ChatEvent]:
    """Yield the chat of a raw Twitch IRC log (PRIVMSG, and USERNOTICE with the viewer's message), streaming.

    t_s counts from `start_ms` (the VOD's start, ms since the epoch) where given, else from the first
    message's tmi-sent-ts. Other commands are counted in `skipped`. Raises SourceError naming the
    file and line for a line that is not IRC, or a message without a tmi-sent-ts tag.
    """
    for n, line in _text_lines(path):
        try:
            irc = parse_irc_line(line)
            event = _irc_event(irc, n, skipped)
            if event is None:
                continue
            sent = require(irc.tags.get("tmi-sent-ts"), str, "tmi-sent-ts tag")
            if not (sent.isdigit() and len(sent) <= 15):
                raise ValueError(f"tmi-sent-ts {sent[:20]!r} is not a time in ms")
            sent = int(sent)
        except RECORD_ERRORS as e:
            raise SourceError(path, f"line {n}: {_problem(e)}") from None
        if start_ms is None:
            start_ms = sent
        yield event._replace(t_s=(sent - start_ms) / 1000, ts_usec=sent * 1000)


def _irc_event(irc: _Irc, n: int, skipped: Counter) -> ChatEvent | None:
    tags = irc.tags
    if irc.command == "PRIVMSG":
        kind = "text"
    elif irc.command == "USERNOTICE":
        kind = NOTICE_KINDS.get(tags.get("msg-id", ""))
        if kind is None or not irc.trailing:
            skipped[f"USERNOTICE {tags.get('msg-id', '')}".strip()] += 1
            return None
    else:
        skipped[irc.command] += 1
        return None
    text = irc.trailing or ""
    if text.startswith("\x01ACTION ") and text.endswith("\x01"):  # /me
        text = text[8:-1]
    if not text.strip():
        skipped["empty"] += 1
        return None
    bits = tags.get("bits", "")
    amount = float(bits) if bits.isdigit() and 0 < int(bits) < 10**9 else None
    if amount is not None and kind == "text":
        kind = "paid"
    badges = {b.split("/", 1)[0] for b in tags.get("badges", "").split(",") if b}
    return ChatEvent(
        message_id=tags.get("id") or str(n),
        t_s=0.0,
        ts_usec=None,
        author_id=tags.get("user-id") or tags.get("login") or irc.nick,
        author_name=tags.get("display-name") or tags.get("login") or irc.nick,
        text=text,
        kind=kind,
        amount=amount if kind == "paid" else None,
        currency="BITS" if kind == "paid" else None,
        is_owner="broadcaster" in badges,
        is_moderator="moderator" in badges or tags.get("mod") == "1",
        emotes=_irc_emotes(text, tags.get("emotes", "")),
    )


def _irc_emotes(text: str, tag: str) -> tuple[str, ...]:
    """Emote names at the ranges of an IRC `emotes` tag ("25:0-4,12-16/1902:6-10"), each once; bad ranges dropped."""
    spans = []
    for emote in filter(None, tag.split("/")):
        for span in emote.partition(":")[2].split(","):
            begin, _, end = span.partition("-")
            if begin.isdigit() and end.isdigit() and int(begin) <= int(end) < len(text):
                spans.append((int(begin), int(end)))
    return tuple(dict.fromkeys(text[b : e + 1] for b, e in sorted(spans) if text[b : e + 1].strip()))
