"""Held-out prompts and the lines of each side, read from messages-format conversations.

A prompt is one persona reply of a held-out conversation with the turns before it, the last of
which is a user turn: what the double is asked to answer, and what the person really answered.
The other speakers' lines are the `Name: text` lines of the user turns (a user turn without
names is one line). Placeholders (`<link>`, `<image>`...) are removed from every line, as the
double's replies have them removed when served.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from chatclone.serving.links import LinkBook

# A `Name: text` line, as datasets.to_messages writes several speakers in one user turn.
_SPEAKER = re.compile(r"^([^\s:][^:\n]{0,31}):[ \t]+(.*)$")
# Mined stream pairs write each chat line as `chat: NAME: TEXT` (sql/pairs_read.sql, sql/pairs_hive.sql).
_STREAM_CHAT = "chat"
_NO_LINKS = LinkBook([])


@dataclass(frozen=True)
class Prompt:
    """One held-out reply to predict: `context` (user/assistant turns, oldest first, the last the user's) and the `real` reply."""

    id: str
    context: list[dict]
    real: str


def without_placeholders(text: str) -> str:
    """`text` with `<link>`, `<image>`... removed and the spaces they leave tidied, as a served reply has them."""
    return _NO_LINKS.restore(text, "").strip()


def held_out_prompts(conversations: list[list[dict]], split: str, limit: int, seed: int) -> list[Prompt]:
    """Every persona reply that follows a user turn, with its context; at most `limit`, a sample seeded by `seed`.

    Ids are `<split>-<conversation>-<message>` (0-based line and message index). System messages are
    left out of the context (the double's own system prompt leads when it answers); replies that are
    only placeholders are skipped. The sample keeps file order.
    """
    prompts = []
    for number, messages in enumerate(conversations):
        for index, message in enumerate(messages):
            if message["role"] != "assistant" or index == 0 or messages[index - 1]["role"] != "user":
                continue
            real = without_placeholders(message["content"])
            if real:
                context = [{"role": m["role"], "content": m["content"]} for m in messages[:index] if m["role"] in ("user", "assistant")]
                prompts.append(Prompt(f"{split}-{number}-{index}", context, real))
    if len(prompts) > limit:
        keep = set(random.Random(seed).sample(range(len(prompts)), limit))
        prompts = [p for i, p in enumerate(prompts) if i in keep]
    return prompts


def persona_lines(conversations: list[list[dict]]) -> list[str]:
    """The content of every assistant turn (placeholders removed, empty ones dropped)."""
    return [text for messages in conversations for m in messages if m["role"] == "assistant" if (text := without_placeholders(m["content"]))]


def speaker_lines(content: str) -> list[str]:
    """The lines of one user turn, one per speaker line, `Name: ` removed; a line without a name continues the one before."""
    lines: list[str] = []
    for raw in content.split("\n"):
        found = _SPEAKER.match(raw.strip())
        if found and found.group(1).strip().casefold() == _STREAM_CHAT:
            found = _SPEAKER.match(found.group(2)) or found
        if found or not lines:
            lines.append(found.group(2) if found else raw)
        else:
            lines[-1] += "\n" + raw
    return [text for line in lines if (text := without_placeholders(line))]


def other_lines(conversations: list[list[dict]]) -> list[str]:
    """Every other speaker's line in the user turns of `conversations`, in order."""
    return [line for messages in conversations for m in messages if m["role"] == "user" for line in speaker_lines(m["content"])]
