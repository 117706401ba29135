"""Text cleaning: PII scrubbing, link and attachment placeholders, mention stripping.

Pure functions on strings. Placeholders are `<link>`, `<image>`, `<gif>`, `<video>`,
`<audio>`, `<file>`, `<sticker>`; scrubbed PII becomes `<email>`, `<phone>`, `<ip>`,
`<secret>` or `<invite>`, so the model never learns (or invents) the real thing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

PII_KINDS = ("email", "phone", "ip", "secret", "invite")

_SECRET_PATTERNS = [
    r"https?://(?:\w+\.)?discord(?:app)?\.com/api/webhooks/\S+",  # a webhook URL is a credential
    r"[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}",  # Discord bot token
    r"sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}",  # OpenAI / Anthropic keys
    r"gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}",
    r"AKIA[0-9A-Z]{16}",
    r"xox[abprs]-[A-Za-z0-9-]{10,}",
    r"AIza[0-9A-Za-z_-]{35}",
    r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",  # JWT
    r"(?i:\b(?:api[_-]?key|token|secret|passw(?:or)?d|pwd)\s*[:=]\s*\S+)",
]
_INVITE = (
    r"(?:https?://)?(?:www\.)?(?:discord\.gg|discord(?:app)?\.com/invite)/[\w-]+"
    r"|(?:https?://)?chat\.whatsapp\.com/[\w-]+"
    r"|(?:https?://)?(?:t|telegram)\.me/(?:joinchat/|\+)[\w-]+"
    r"|(?:https?://)?m\.me/j/[\w-]+"
)
# The look-behind makes a long run of word characters cost linear, not quadratic, time.
_EMAIL = r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"
_LINK = r"(?:https?://|www\.)[^\s<>\"]+"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP = rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\d.])|(?<![\w:])(?:[0-9A-Fa-f]{{1,4}}:){{7}}[0-9A-Fa-f]{{1,4}}(?![\w:])|(?<![\w:])(?:[0-9A-Fa-f]{{1,4}}:)+:(?:[0-9A-Fa-f]{{1,4}}:)*[0-9A-Fa-f]{{1,4}}(?![\w:])"
_PHONE = r"(?<![\w/.])\+?\(?\d[\d \t().-]{6,18}\d(?![\w/])"
_GENERIC_SECRET = r"\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}\b"

# One pass: at a given position the first alternative that matches wins.
_SCRUB = re.compile(
    "|".join(
        [
            f"(?P<invite>{_INVITE})",
            f"(?P<secret>{'|'.join(_SECRET_PATTERNS)})",
            f"(?P<email>{_EMAIL})",
            f"(?P<link>{_LINK})",
            f"(?P<ip>{_IP})",
            f"(?P<phone>{_PHONE})",
            f"(?P<generic_secret>{_GENERIC_SECRET})",
        ]
    )
)
_RAW_MENTION = re.compile(r"<@[!&]?\d+>|<#\d+>")
_AT_NAME = re.compile(r"(?<![\w@<])@(\w[\w.-]*\w|\w)")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
# A date standing alone in a phone candidate (the "2023-01-17" of "2023-01-17 10:30"), not groups of a dotted number.
_DATE_LIKE = re.compile(
    rf"(?<![\d.-])(?:\d{{4}}[-./](?:0?[1-9]|1[0-2])[-./]{_DAY}|{_DAY}[-./]{_DAY}[-./](?:\d{{4}}|\d{{2}}))(?!\d|[-./]\d)"
)
_IPV4 = re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\d.])")
_SPACES = re.compile(r"[ \t]{2,}")


def _phone_digits_ok(candidate: str) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    if not 9 <= digits <= 15 or _DATE_LIKE.search(candidate) or _IPV4.search(candidate):
        return False
    groups = re.findall(r"\d+", candidate)
    # Phone digit groups after the first (a country or area code) have 2-5 digits; decimals
    # (3.14159265358), version numbers (10.0.19045.2965) and lists (1 2 3 4) do not.
    rest = groups[2:] if candidate.lstrip().startswith("+") else groups[1:]  # +33 6 12 34 56 78
    if len(groups) > 1 and not all(2 <= len(g) <= 5 for g in rest):
        return False
    if "." in candidate and not re.fullmatch(r"\+?\(?\d{2,4}\)?(\.\d{2,5}){2,4}", candidate.strip()):
        return False
    separated = any(c in candidate for c in " ()-.") or candidate.startswith("+")
    return separated or digits >= 10


def scrub(text: str, pii: bool = True, links: bool = True) -> tuple[str, Counter]:
    """Replace PII (when `pii`) and links (when `links`) with placeholders.

    Returns the new text and a Counter of replacements by kind (email, phone, ip, secret,
    invite, link). Invite links and webhook URLs count as PII, not as links.
    """
    counts: Counter = Counter()
    out: list[str] = []
    pos = 0
    while (match := _SCRUB.search(text, pos)) is not None:
        kind, value, start = match.lastgroup, match.group(0), match.start()
        if kind == "generic_secret":
            kind = "secret"
        if kind == "invite" and not pii:
            kind = "link"
        if (kind == "phone" and not _phone_digits_ok(value)) or (kind == "link" and not links and pii):
            # Kept as written, but PII may start inside it (an IP after a number, an e-mail in a
            # kept URL): keep one character and search again from the next.
            out.append(text[pos : start + 1])
            pos = start + 1
            continue
        out.append(text[pos:start])
        pos = match.end()
        if (kind == "link" and not links) or (kind != "link" and not pii):
            out.append(value)
            continue
        counts[kind] += 1
        out.append(f"<{kind}>")
    out.append(text[pos:])
    return "".join(out), counts


def scrub_counted(text: str, counts: Counter, pii: bool = True, links: bool = True) -> str:
    """`text` through scrub(); its replacements are added to `counts` as `scrubbed_<kind>`. Returns the new text."""
    text, found = scrub(text, pii=pii, links=links)
    for kind, n in found.items():
        counts[f"scrubbed_{kind}"] += n
    return text


def strip_mentions(text: str, mentions: tuple[str, ...] | list[str] = ()) -> tuple[str, int, bool]:
    """Drop the `@` of mentions, keeping the name; remove raw `<@id>` mentions.

    `mentions` are display names the export resolved (they may contain spaces).
    Returns (text, number of mentions, whether the text was nothing but mentions).
    """
    n = 0
    for name in sorted((m for m in mentions if m), key=len, reverse=True):
        token = f"@{name}"
        if token in text:
            n += text.count(token)
            text = text.replace(token, "\x00" + name)
    text, raw = _RAW_MENTION.subn("", text)
    text, generic = _AT_NAME.subn(lambda m: "\x00" + m.group(1), text)
    n += raw + generic
    ping_only = n > 0 and not re.sub(r"\x00[^\s,.!?:;]+|[\s,.!?:;]", "", _without_mentions(text, mentions))
    return _SPACES.sub(" ", text.replace("\x00", "")).strip(), n, ping_only


def _without_mentions(marked: str, mentions) -> str:
    for name in sorted((m for m in mentions if m), key=len, reverse=True):
        marked = marked.replace("\x00" + name, "")
    return marked


def attachment_placeholders(kinds) -> str:
    """Placeholders for a message's attachments, e.g. ('image', 'image') -> '<image> <image>'."""
    return " ".join(f"<{k}>" for k in kinds)


@dataclass(frozen=True, slots=True)
class CleanedText:
    """A message after cleaning, with what was done to it."""

    text: str
    ping_only: bool
    counts: Counter


def clean_message(text: str, attachments=(), mentions=(), *, strip_at: bool = True, placeholders: bool = True, pii: bool = True) -> CleanedText:
    """Clean one message: scrub PII, links -> `<link>`, attachments -> placeholders, `@name` -> `name`.

    Returns a CleanedText whose counts hold link, attachment, mention and PII-kind counts.
    """
    text, counts = scrub(text, pii=pii, links=placeholders)
    ping_only = False
    if strip_at:
        text, n_mentions, ping_only = strip_mentions(text, mentions)
        counts["mention"] += n_mentions
    if placeholders and attachments:
        counts["attachment"] = len(attachments)
        text = f"{text} {attachment_placeholders(attachments)}".strip()
    return CleanedText(text.strip(), ping_only, counts)


def links_in(text: str) -> list[str]:
    """The links in `text` that cleaning would turn into `<link>` (not invites or webhook URLs), trailing punctuation dropped."""
    return [m.group("link").rstrip(".,!?;:)]}'\"") for m in _SCRUB.finditer(text) if m.lastgroup == "link"]
