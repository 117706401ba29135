"""The one generation core: a persona (model, tokenizer, chat history) that replies turn by turn.

`chatclone chat` uses it, and so will the HTTP API and the Discord bot. A reply ends at the
model's end-of-turn token, and is cut where the model starts writing another turn
(`<|im_start|>`, a bare `user` role line, a `User:` line or a `Name:` line of another speaker):
the double never writes the user's next line. While it streams, text that might still turn
out to be such a marker is held back until it is clear.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from pathlib import Path

import torch
from transformers import StoppingCriteria, StoppingCriteriaList

from chatclone.config import Generation, PersonaConfig
from chatclone.merging import merged_dir
from chatclone.models import load_model, load_tokenizer
from chatclone.runs import RunRecord

log = logging.getLogger(__name__)

# Special tokens that end or begin a turn, as they appear in text decoded with special tokens kept.
TURN_MARKERS = ("<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|start_header_id|>", "<end_of_turn>", "<start_of_turn>", "</s>")
# Tokens generate() stops at, where the tokenizer has them.
END_OF_TURN_TOKENS = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<end_of_turn>")
# A line that is only a role name is a ChatML header whose special token was dropped.
ROLE_LINES = ("user", "assistant", "system")
# `Name:` lines that always start someone else's turn.
GENERIC_SPEAKERS = ("user", "human")
# A `Name: text` line in a user turn (how the datasets write several speakers).
_SPEAKER_LINE = re.compile(r"^[ \t]*([^\s:][^:\n]{0,31}):(?:[ \t]|$)", re.MULTILINE)


def cut_turn(text: str, speakers: Iterable[str] = (), final: bool = True) -> tuple[str, bool]:
    """(the reply part of generated `text`, whether the model ended its turn or began another).

    Cuts at the first special turn token, or before the first line that is a bare role name
    or starts with `Name:` of a speaker in `speakers` (or User:/Human:), case-insensitively.
    With final=False (while streaming) it also holds back a last line that could still become
    such a line, and a trailing piece of a special token. The reply is stripped of outer space.
    """
    text = text.lstrip()
    prefixes = tuple(f"{s.casefold()}:" for s in (*GENERIC_SPEAKERS, *speakers))
    cut = min((i for i in (text.find(m) for m in TURN_MARKERS) if i >= 0), default=len(text))
    start = 0
    for line in text[:cut].split("\n"):
        folded = line.strip().casefold()
        closed = start + len(line) < len(text) or final
        if folded.startswith(prefixes) or (closed and folded in ROLE_LINES):
            return text[:start].rstrip(), True
        start += len(line) + 1
    if cut < len(text):
        return text[:cut].rstrip(), True
    if final:
        return text.rstrip(), False
    return text[: _safe_length(text, prefixes)].rstrip(), False


def _safe_length(text: str, prefixes: tuple[str, ...]) -> int:
    """How much of streaming `text` cannot become part of a turn marker, whatever comes next."""
    safe = len(text.rstrip("\ufffd"))  # a character whose bytes are not all decoded yet
    newline = text.rfind("\n")
    tail = text[newline + 1 :].lstrip().casefold()
    if any(p.startswith(tail) for p in (*prefixes, *(r + "\n" for r in ROLE_LINES))):
        safe = min(safe, max(newline, 0))
    for marker in TURN_MARKERS:
        for k in range(len(marker) - 1, 0, -1):
            if text.endswith(marker[:k]):
                safe = min(safe, len(text) - k)
                break
    return safe


def speakers_in(history: list[dict], own_names: Iterable[str] = ()) -> set[str]:
    """Names of the other speakers seen as `Name: text` lines in the user turns of `history`."""
    own = {n.casefold() for n in own_names}
    names = {m.group(1).strip() for message in history if message["role"] == "user" for m in _SPEAKER_LINE.finditer(message["content"])}
    return {n for n in names if n.casefold() not in own and len(n.split()) <= 3}


def prompt_length(tokenizer, messages: list[dict]) -> int:
    """Tokens of `messages` rendered with the chat template and the assistant's generation prompt."""
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def fit_history(tokenizer, system_prompt: str, history: list[dict], budget: int) -> list[dict]:
    """The system prompt, then the most recent turns of `history` whose prompt fits in `budget` tokens.

    Oldest turns are dropped first; the system prompt and the newest turn are always kept,
    even when they alone are over budget.
    """
    system = [{"role": "system", "content": system_prompt}]
    if not history:
        return system
    # The prompt only shrinks as turns are dropped: find the first start that fits.
    starts = range(len(history) - 1)
    first = bisect_left(starts, True, key=lambda s: prompt_length(tokenizer, system + history[s:]) <= budget)
    return system + history[first:]


def end_of_turn_ids(tokenizer) -> list[int]:
    """The ids generate() should stop at: EOS and whichever end-of-turn tokens the tokenizer has."""
    vocab = tokenizer.get_vocab()
    ids = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
    ids += [vocab[t] for t in END_OF_TURN_TOKENS if t in vocab and vocab[t] not in ids]
    return ids


def generation_kwargs(settings: Generation, eos_ids: list[int], pad_id: int | None) -> dict:
    """Keyword arguments of generate() for the [generation] settings: sampling when temperature > 0, else greedy."""
    kwargs = {"max_new_tokens": settings.max_new_tokens, "repetition_penalty": settings.repetition_penalty, "eos_token_id": eos_ids, "pad_token_id": pad_id}
    if settings.temperature > 0:
        kwargs |= {"do_sample": True, "temperature": settings.temperature, "top_p": settings.top_p, "top_k": settings.top_k}
    else:
        kwargs["do_sample"] = False
    return kwargs


class TurnWatcher(StoppingCriteria):
    """Looks at the reply after each generated token: streams the part that is safe to show, stops at a new turn."""

    def __init__(self, tokenizer, prompt_length: int, speakers: Iterable[str] = (), stream: Callable[[str], None] | None = None):
        self.tokenizer, self.prompt_length, self.speakers, self.stream = tokenizer, prompt_length, tuple(speakers), stream
        self.shown = ""

    def _update(self, ids, final: bool) -> tuple[str, bool]:
        text = self.tokenizer.decode(ids[self.prompt_length :].tolist(), skip_special_tokens=False)
        reply, ended = cut_turn(text, self.speakers, final=final)
        if self.stream is not None and len(reply) > len(self.shown) and reply.startswith(self.shown):
            self.stream(reply[len(self.shown) :])
            self.shown = reply
        return reply, ended

    def __call__(self, input_ids, scores, **kwargs):
        _, ended = self._update(input_ids[0], final=False)
        return torch.full((input_ids.shape[0],), ended, dtype=torch.bool, device=input_ids.device)

    def finish(self, ids) -> str:
        """The reply in the whole generated sequence `ids` (prompt included); streams what is left of it."""
        return self._update(ids, final=True)[0]


class Persona:
    """A loaded double: model, tokenizer and settings, and the conversation so far (`history`)."""

    def __init__(self, model, tokenizer, config: PersonaConfig):
        self.model, self.tokenizer, self.config = model, tokenizer, config
        self.name = config.name
        self.history: list[dict] = []
        self._eos_ids = end_of_turn_ids(tokenizer)

    def prompt(self) -> list[dict]:
        """The messages the next reply is generated from: the system prompt and the recent turns that fit."""
        budget = self.config.train.max_length - self.config.generation.max_new_tokens
        return fit_history(self.tokenizer, self.config.resolved_system_prompt(), self.history, budget)

    def reply(self, user_text: str, stream: Callable[[str], None] | None = None) -> str:
        """Add `user_text` to the history, generate the double's answer, add it too and return it.

        `stream` is called with each new piece of the answer as it is generated; the pieces
        add up to the returned text.
        """
        self.history.append({"role": "user", "content": user_text})
        try:
            text = self.tokenizer.apply_chat_template(self.prompt(), tokenize=False, add_generation_prompt=True)
            inputs = self.tokenizer(text, add_special_tokens=False, return_tensors="pt").to(self.model.device)
            own = [self.name, *self.config.speaker_names()]
            watcher = TurnWatcher(self.tokenizer, inputs["input_ids"].shape[1], speakers_in(self.history, own), stream)
            kwargs = generation_kwargs(self.config.generation, self._eos_ids, self.tokenizer.pad_token_id)
            with torch.inference_mode():
                output = self.model.generate(**inputs, **kwargs, stopping_criteria=StoppingCriteriaList([watcher]))
            answer = watcher.finish(output[0])
        except BaseException:
            self.history.pop()  # no half-finished exchange in the history (e.g. Ctrl-C while generating)
            raise
        self.history.append({"role": "assistant", "content": answer})
        return answer

    def reset(self) -> None:
        """Forget the conversation so far."""
        self.history.clear()


def _weights(run: RunRecord | str | Path) -> tuple[str, str | None]:
    """(model to load, adapter to apply or None) for a run, or for a plain model directory."""
    if not isinstance(run, RunRecord):
        return str(run), None
    if not run.adapters and (merged_dir(run) / "config.json").exists():
        return str(merged_dir(run)), None
    return run.base_model_path, run.final_adapter


def load_persona(run: RunRecord | str | Path, config: PersonaConfig, device: str = "cpu") -> Persona:
    """A Persona from a run (its base model with the final adapter merged in), or from a model directory.

    A run without adapters is served from its merged model (models/<run>/merged) when it has
    one. Raises ChatcloneError when the run has neither, ConfigError when a model cannot load.
    """
    path, adapter = _weights(run)
    tokenizer = load_tokenizer(path)
    model = load_model(path, "none", device)
    if adapter is not None:
        from peft import PeftModel

        log.info("applying adapter %s", adapter)
        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()  # merged: faster to generate with
    model.eval()
    return Persona(model, tokenizer, config)
