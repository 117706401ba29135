"""WhatsApp exported chats: the `.txt` WhatsApp writes, or the `.zip` holding it and the media.

Android writes `d/m/yy, HH:MM - Name: text`, iOS `[d/m/yy, HH:MM:SS] Name: text`. Dates come
day-first, month-first or year-first (`2019-01-31`), separated by `/`, `.` or `-`, with 2- or
4-digit years; times in 24 hours or 12 with am/pm (`PM`, `pm`, `p.m.`, `p. m.`, after a narrow
no-break space or not), with or without seconds. Invisible direction marks are stripped.

The date order is decided per file from its dates: a first field over 12 means day-first, a
second field over 12 month-first. A file whose every date fits both (all days <= 12) is read
month-first when its clock says `AM`/`PM` in capitals (the en_US locale, the common one writing
month-first) and day-first otherwise (most locales, and en_GB/en_IN/en_AU with `am`/`pm`).

A line not starting with a timestamp continues the message above it. Lines without `Name:`
(group events, the encryption notice) are system lines, as are iOS notices that carry an author
but start with a left-to-right mark; both are counted in `skipped["system"]`. Media become
attachment placeholders with empty text; deleted messages are skipped; `<This message was
edited>` is removed and the message's edited_ts set to its ts (the export does not say when).
Timestamps are local time as written: WhatsApp exports no zone.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TextIO

from chatclone.errors import SourceError
from chatclone.records import ChatMessage, unique_id

SOURCE = "whatsapp"
HEAD_LINES = 50  # a file with no timestamped line among its first HEAD_LINES is not an export
_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
_STRIP_MARKS = re.compile(f"[{_MARKS}]")
# Groups: 1 "[", 2-5 date fields and separator, 6-8 h m s, 9 am/pm. `\s` takes NBSP and U+202F.
_HEADER = re.compile(
    rf"[{_MARKS}]*(\[)?(\d{{4}}|\d{{1,2}})([./-])(\d{{1,2}})\3(\d{{4}}|\d{{2}}),?\s+"
    r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?"
    r"(?:\s*([aApP]\.?\s?[mM]\.?))?"
    r"(?(1)\]\s?|\s[-\u2013]\s)"
)
# An author never holds a quote; a system line quoting a group name with a colon in it does.
_QUOTES = re.compile("[\"\u201c\u201d\u201e\u00ab\u00bb]")
_DELETED = re.compile(r"(?:This message was deleted|You deleted this message)(?: by .*)?\.?", re.I)
_OMITTED = re.compile(r"(?:(image|video|audio|sticker|gif|document|contact card)|.+ (document)) omitted|<[^<>]* omitted>", re.I)
_OMITTED_KINDS = {"image": "image", "video": "video", "audio": "audio", "sticker": "sticker", "gif": "gif"}
_ATTACHED = re.compile(r"<attached: ([^<>]+)>", re.I)
_FILE_ATTACHED = re.compile(r"(.+?) \(file attached\)$", re.I)
# Notices iOS writes under an author, in exports old enough to lack the left-to-right mark.
_NOTICE = re.compile(
    r"Messages (?:and calls )?(?:to this (?:chat|group) )?(?:and calls )?are (?:now secured with end-to-end encryption|end-to-end encrypted)"
    r"|Missed (?:group )?(?:voice|video) call|Waiting for this message",
    re.I,
)
_NAME_PREFIXES = {"PHOTO": "image", "IMG": "image", "VIDEO": "video", "VID": "video", "AUDIO": "audio", "AUD": "audio", "PTT": "audio",
                  "STICKER": "sticker", "STK": "sticker", "GIF": "gif", "DOC": "file"}
_EXTENSIONS = {"jpg": "image", "jpeg": "image", "png": "image", "heic": "image", "webp": "sticker", "gif": "gif", "mp4": "video",
               "mov": "video", "3gp": "video", "opus": "audio", "ogg": "audio", "m4a": "audio", "mp3": "audio", "aac": "audio", "amr": "audio"}
_CHAT_NAME = re.compile(r"(?:WhatsApp Chat (?:with|-) )?(.+?)(?: ?\(\d+\))?", re.I | re.S)
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError)
# RuntimeError: an encrypted zip. ValueError: a zip whose offsets point outside it.
_READ_ERRORS = (OSError, RuntimeError, NotImplementedError, ValueError, zipfile.LargeZipFile)


def conversation_name(path: Path) -> str:
    """The chat's name from its file name: `WhatsApp Chat with Alice.txt` or `WhatsApp Chat - Alice.zip` -> `Alice`.

    An extracted iOS `_chat.txt` is named by its folder; a ` (1)` a re-download added is dropped.
    """
    stem = path.parent.name if path.stem == "_chat" and path.parent.name else path.stem
    return _CHAT_NAME.fullmatch(stem)[1] if stem.strip() else stem


def _chat_member(path: Path, archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The chat text inside a WhatsApp zip: `_chat.txt`, else the one `.txt` naming WhatsApp, else the only `.txt`."""
    texts = [i for i in archive.infolist() if i.filename.lower().endswith(".txt") and not i.is_dir() and not i.filename.startswith("__MACOSX/")]
    for choose in (lambda i: Path(i.filename).name == "_chat.txt", lambda i: "whatsapp" in i.filename.lower(), lambda i: True):
        chosen = [i for i in texts if choose(i)]
        if len(chosen) == 1:
            return chosen[0]
        if len(chosen) > 1:
            raise SourceError(path, f"zip holds {len(chosen)} chat texts ({', '.join(i.filename for i in chosen[:3])}); unzip it and import each")
    raise SourceError(path, "zip holds no chat .txt (expected _chat.txt or 'WhatsApp Chat with ….txt')")


@contextmanager
def _open_text(path: Path) -> Iterator[TextIO]:
    """The chat text of a `.txt` or WhatsApp `.zip`, decoded as UTF-8 (a BOM dropped), streaming."""
    with open(path, "rb") as raw:
        if raw.read(4) != b"PK\x03\x04" and path.suffix.lower() != ".zip":
            raw.seek(0)
            yield io.TextIOWrapper(raw, encoding="utf-8-sig")
            return
        raw.seek(0)
        try:
            archive = zipfile.ZipFile(raw)
        except zipfile.BadZipFile as e:
            raise SourceError(path, f"not a readable zip ({e})") from None
        with archive, archive.open(_chat_member(path, archive)) as member:
            yield io.TextIOWrapper(member, encoding="utf-8-sig")


def _read_lines(path: Path) -> Iterator[str]:
    """Each line of the chat text (with its newline); read and decode errors become SourceError."""
    n = 0
    try:
        with _open_text(path) as text:
            for n, line in enumerate(text, 1):
                if "\x00" in line:
                    raise SourceError(path, f"line {n} holds a NUL byte: not a text chat export")
                yield line
    except UnicodeDecodeError:
        raise SourceError(path, f"not UTF-8 text (after line {n:,})") from None
    except _ZIP_ERRORS as e:
        raise SourceError(path, f"damaged zip (after line {n:,}): {_first_line(e)}") from None
    except _READ_ERRORS as e:
        raise SourceError(path, f"cannot read (after line {n:,}): {getattr(e, 'strerror', None) or _first_line(e)}") from None


def _first_line(e: Exception) -> str:
    return (str(e).splitlines() or [type(e).__name__])[0]


def _day_first(path: Path) -> bool:
    """Whether the file writes dates day-first (see the module docstring), reading no further than needed.

    Raises SourceError when none of the first HEAD_LINES lines starts with a WhatsApp timestamp.
    """
    seen = us_clock = False
    n = 0
    for n, line in enumerate(_read_lines(path), 1):
        m = _HEADER.match(line)
        if m is None:
            if not seen and n >= HEAD_LINES:
                break
            continue
        seen = True
        if len(m[2]) < 4:
            if int(m[2]) > 12:
                return True
            if int(m[4]) > 12:
                return False
        us_clock = us_clock or (m[9] is not None and m[9].isupper() and "." not in m[9])
    if n == 0:
        raise SourceError(path, "empty file: not a WhatsApp chat export")
    if not seen:
        raise SourceError(path, f"not a WhatsApp chat export: none of its first {HEAD_LINES} lines starts with a date and time like '31/12/23, 21:05 - '")
    return not us_clock


def _timestamp(m: re.Match, day_first: bool) -> datetime:
    """The datetime of a header match (ValueError for an impossible date or time)."""
    _, a, _, b, c, hour, minute, second, ampm = m.groups()
    h = int(hour)
    if ampm:
        h = h % 12 + (12 if ampm[0] in "pP" else 0)
    if len(a) == 4:
        return datetime(int(a), int(b), int(c), h, int(minute), int(second) if second else 0)
    day, month = (a, b) if day_first else (b, a)
    return datetime(int(c) + (2000 if len(c) == 2 else 0), int(month), int(day), h, int(minute), int(second) if second else 0)


def _kind(filename: str) -> str:
    """The placeholder kind of an attached file from WhatsApp's name for it (`00000012-PHOTO-….jpg`, `IMG-….jpg`)."""
    for part in re.split(r"[-_ ]", filename, maxsplit=2)[:2]:
        if part.upper() in _NAME_PREFIXES:
            return _NAME_PREFIXES[part.upper()]
    return _EXTENSIONS.get(filename.rpartition(".")[2].lower(), "file")


def _media(text: str) -> tuple[str, tuple[str, ...]]:
    """(text left, attachment kinds) of a message that may be a media placeholder or carry attached files."""
    if len(text) < 300 and (omitted := _OMITTED.fullmatch(text)):
        return "", (_OMITTED_KINDS.get((omitted[1] or omitted[2] or "").lower(), "file"),)
    kinds: tuple[str, ...] = ()
    if "<attached: " in text:
        kinds = tuple(_kind(name.strip()) for name in _ATTACHED.findall(text))
        text = _ATTACHED.sub("", text).strip()
    first, newline, caption = text.partition("\n")
    if " (file attached)" in first and (attached := _FILE_ATTACHED.match(first)):
        kinds += (_kind(attached[1]),)
        # Android repeats a document's name on the line after it, as if it were a caption.
        text = "" if caption.strip() == attached[1].rpartition(".")[0] else caption.strip()
    return text, kinds


def _message_id(conversation_id: str, ts: datetime, author: str, text: str, kinds: tuple[str, ...]) -> str:
    # WhatsApp exports carry no message ids: the natural key is what the message is.
    key = "\x1f".join([conversation_id, ts.isoformat(), author, text, *kinds])
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _message(path: Path, line_no: int, m: re.Match, parts: list[str], day_first: bool, conversation: str, skipped: Counter) -> ChatMessage | None:
    """The message a header line (and the lines continuing it) holds, or None (counted in `skipped`) when it is not speech."""
    try:
        ts = _timestamp(m, day_first)
    except ValueError:
        order = "year-first" if len(m[2]) == 4 else "day-first" if day_first else "month-first"
        raise SourceError(path, f"line {line_no:,}: impossible date or time '{m[0].strip()}' (this file reads dates {order})") from None
    rest = parts[0] if len(parts) == 1 else "".join(parts)
    marked = _STRIP_MARKS.search(rest) is not None  # most lines have no marks: strip only those that do
    colon = rest.find(":")
    author = rest[:colon] if colon > 0 else ""
    author = (_STRIP_MARKS.sub("", author) if marked else author).strip()
    if not author or _QUOTES.search(author):
        skipped["system"] += 1
        return None
    raw = rest[colon + 1:]
    # iOS writes its notices under an author, behind a left-to-right mark.
    ios_notice = marked and m[1] is not None and raw.lstrip(" ")[:1] == "\u200e"
    text = (_STRIP_MARKS.sub("", raw) if marked else raw).strip()
    if "deleted" in text and _DELETED.fullmatch(text):
        skipped["deleted"] += 1
        return None
    edited = text[-25:].lower() == "<this message was edited>"
    if edited:
        text = text[:-25].rstrip()
    text, kinds = _media(text) if ("omitted" in text or "attached" in text) else (text, ())
    if not kinds and (ios_notice or (text[:1] in "MmWw" and _NOTICE.match(text))):
        skipped["system"] += 1
        return None
    if not text and not kinds:
        skipped["empty"] += 1
        return None
    message_id = _message_id(conversation, ts, author, text, kinds)
    # Positional: the import's hot path (see ChatMessage).
    return ChatMessage(SOURCE, conversation, message_id, ts, author, author, text, conversation, None, False, ts if edited else None, kinds)


def parse(path: Path, skipped: Counter) -> Iterator[ChatMessage]:
    """Yield the speech messages of one WhatsApp export (`.txt`, or the `.zip` holding it), streaming.

    Reads the file twice: once to decide the date order, once to parse. The sender's name as
    written is the author id and name. Raises SourceError (file and problem) for anything that
    is not a readable WhatsApp export: not UTF-8, no timestamped lines, a zip without a chat,
    a corrupt zip, an impossible date.
    """
    path = Path(path)
    day_first = _day_first(path)
    conversation = conversation_name(path)
    repeats: dict = {}
    head: tuple[int, re.Match] | None = None
    parts: list[str] = []
    for n, line in enumerate(_read_lines(path), 1):
        m = _HEADER.match(line)
        if m is None:
            if head is not None:
                parts.append(line)
            elif line.strip():
                skipped["preamble"] += 1
            continue
        if head is not None and (message := _message(path, *head, parts, day_first, conversation, skipped)):
            yield unique_id(message, repeats)
        head, parts = (n, m), [line[m.end():]]
    if head is not None and (message := _message(path, *head, parts, day_first, conversation, skipped)):
        yield unique_id(message, repeats)
