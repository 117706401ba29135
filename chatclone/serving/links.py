"""Placeholders in the double's replies: `<link>` becomes a link its person really sent, or nothing.

The training data has `<link>`, `<image>`... where the person shared something; the double
learns to write them. It must never invent a URL, so a `<link>` is given back only as one of
the person's own links whose words fit the conversation (a link about ramen when ramen is being
talked about), and is dropped otherwise, as every other placeholder is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from chatclone.text import links_in

log = logging.getLogger(__name__)

PLACEHOLDERS = ("<link>", "<image>", "<gif>", "<video>", "<audio>", "<file>", "<sticker>")
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+(?=[.,!?;:])")
_WORD = re.compile(r"[^\W\d_]{3,}")
# URL words that say nothing about what a link is about.
_URL_NOISE = frozenset({"http", "https", "www", "com", "org", "net", "html", "htm", "php", "index", "watch", "status", "the", "and"})


class LinkBook:
    """The links one person sent, with the words of each URL, for choosing one that fits a conversation."""

    def __init__(self, links: Iterable[str]):
        seen: dict[str, frozenset[str]] = {}
        for link in links:
            if link not in seen:
                seen[link] = frozenset(w.casefold() for w in _WORD.findall(link)) - _URL_NOISE
        self._links = seen

    def __len__(self) -> int:
        return len(self._links)

    def pick(self, context: str) -> str | None:
        """The link whose URL shares the most words with `context` (the first sent wins ties), or None when none shares any."""
        words = {w.casefold() for w in _WORD.findall(context)}
        best, best_score = None, 0
        for link, link_words in self._links.items():
            score = len(link_words & words)
            if score > best_score:
                best, best_score = link, score
        return best

    def restore(self, reply: str, context: str) -> str:
        """`reply` with `<link>` as the link that fits `context` + the reply (or removed) and other placeholders removed."""
        if not _PLACEHOLDER.search(reply):
            return reply
        link = self.pick(f"{context} {_PLACEHOLDER.sub(' ', reply)}") if "<link>" in reply else None
        text = _PLACEHOLDER.sub(lambda m: link if m.group(0) == "<link>" and link else "", reply)
        return _SPACE_BEFORE_PUNCT.sub("", _SPACES.sub(" ", text)).lstrip()


def load_links(warehouse_path: Path, limit: int = 5000) -> LinkBook:
    """The LinkBook of the links the persona's target speakers sent in the kept chat of the warehouse at `warehouse_path`.

    An empty book where the warehouse does not exist yet.
    """
    if not warehouse_path.exists():
        return LinkBook([])
    from chatclone.errors import WarehouseError
    from chatclone.warehouse import Warehouse

    try:
        with Warehouse(warehouse_path, read_only=True) as wh:
            rows = wh.run("persona_links", limit=limit)
    except WarehouseError as e:  # e.g. locked by a running import: serve without links rather than not at all
        log.warning("no links for <link>: %s", e)
        return LinkBook([])
    return LinkBook(link for (text,) in rows for link in links_in(text))
