"""Tokenize training examples: chat conversations with loss on the persona's tokens only, and text for CPT.

Labels are built here, not taken from template generation markers (few templates have them):
each message's span is found by rendering growing prefixes of the conversation with the chat
template. An assistant message trains its content and end-of-turn tokens; its role header and
every system and user token get label -100.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from chatclone.errors import DatasetError

IGNORE = -100


def _render(tokenizer, messages: list[dict], generation_prompt: bool = False) -> str:
    if not messages:
        return ""
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation_prompt)


def _segments(tokenizer, messages: list[dict]) -> Iterator[tuple[str, bool]]:
    """(text, trained) pieces whose concatenation is the rendered conversation."""
    done = ""
    for i, message in enumerate(messages):
        if message["role"] == "assistant":
            header = _render(tokenizer, messages[:i], generation_prompt=True)
            if not header.startswith(done):
                raise DatasetError("the chat template does not render a conversation as a prefix of a longer one; pick another base model or chat template")
            yield header[len(done) :], False
            done = header
        rendered = _render(tokenizer, messages[: i + 1])
        if not rendered.startswith(done):
            raise DatasetError("the chat template does not render a conversation as a prefix of a longer one; pick another base model or chat template")
        yield rendered[len(done) :], message["role"] == "assistant"
        done = rendered


def tokenize_conversation(tokenizer, messages: list[dict], max_length: int | None = None) -> dict:
    """{"input_ids", "labels"} of one conversation; labels are -100 except on assistant content.

    Truncated to `max_length` tokens (keeping the start). Raises DatasetError when the
    tokenizer's chat template is not prefix-stable.
    """
    input_ids: list[int] = []
    labels: list[int] = []
    for text, trained in _segments(tokenizer, messages):
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        input_ids += ids
        labels += ids if trained else [IGNORE] * len(ids)
    if max_length is not None:
        input_ids, labels = input_ids[:max_length], labels[:max_length]
    return {"input_ids": input_ids, "labels": labels}


def tokenize_texts(tokenizer, texts: Iterable[str], max_length: int) -> Iterator[dict]:
    """CPT examples: each text tokenized (ending with EOS) and cut into pieces of `max_length` tokens."""
    eos = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
    for text in texts:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"] + eos
        for start in range(0, len(ids), max_length):
            piece = ids[start : start + max_length]
            if len(piece) > 1:
                yield {"input_ids": piece, "labels": list(piece)}
