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
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import StoppingCriteria, StoppingCriteriaList

from chatclone.config import Generation, PersonaConfig
from chatclone.merging import merged_dir
from chatclone.models import load_adapted, load_model, load_tokenizer
from chatclone.runs import RunRecord
from chatclone.serving.links import PLACEHOLDERS, LinkBook

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
# A small model sometimes falls into one punctuation mark over and over (",,,,..." to the token
# limit); nobody types 32 in a row, so the reply ends there, the run kept to three.
_RUNAWAY = re.compile(r"([^\w\s])\1{31,}")
RUNAWAY_KEPT = 3


def cut_turn(text: str, speakers: Iterable[str] = (), final: bool = True) -> tuple[str, bool]:
    """(the reply part of generated `text`, whether the model ended its turn or began another).

    Cuts at the first special turn token, or before the first line that is a bare role name
    or starts with `Name:` of a speaker in `speakers` (or User:/Human:), case-insensitively,
    or inside a runaway run of one punctuation mark (32 or more).
    With final=False (while streaming) it also holds back a last line that could still become
    such a line, and a trailing piece of a special token. The reply is stripped of outer space.
    """
    text = text.lstrip()
    prefixes = tuple(f"{s.casefold()}:" for s in (*GENERIC_SPEAKERS, *speakers))
    cut = min((i for i in (text.find(m) for m in TURN_MARKERS) if i >= 0), default=len(text))
    runaway = _RUNAWAY.search(text, 0, cut)
    if runaway:
        cut = runaway.start() + RUNAWAY_KEPT
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
    """Looks at the reply after each generated token: streams the part that is safe to show, stops at a new turn.

    `stops` are extra strings that end the reply (the API's `stop`); `finish` maps the reply's text
    (placeholders restored) before it is shown. Text that could still become a stop string or a
    placeholder is held back until it is clear.
    """

    def __init__(self, tokenizer, prompt_length: int, speakers: Iterable[str] = (), stream: Callable[[str], None] | None = None,
                 stops: Iterable[str] = (), finish: Callable[[str], str] = lambda text: text):
        self.tokenizer, self.prompt_length, self.speakers, self.stream = tokenizer, prompt_length, tuple(speakers), stream
        self.stops, self.finish_text = tuple(s for s in stops if s), finish
        self.shown = ""

    def _update(self, ids, final: bool) -> tuple[str, bool]:
        text = self.tokenizer.decode(ids[self.prompt_length :].tolist(), skip_special_tokens=False)
        reply, ended = cut_turn(text, self.speakers, final=final)
        at = min((i for i in (reply.find(s) for s in self.stops) if i >= 0), default=-1)
        if at >= 0:
            reply, ended = reply[:at].rstrip(), True
        elif not final:
            reply = reply[: _held_back(reply, self.stops + PLACEHOLDERS)]
        reply = self.finish_text(reply).rstrip()  # spaces go out with the word after them: the pieces add up to the reply
        if self.stream is not None and len(reply) > len(self.shown) and reply.startswith(self.shown):
            self.stream(reply[len(self.shown) :])
            self.shown = reply
        return reply, ended

    def __call__(self, input_ids, scores, **kwargs):
        _, ended = self._update(input_ids[0], final=False)
        return torch.full((input_ids.shape[0],), ended, dtype=torch.bool, device=input_ids.device)

    def finish(self, ids) -> tuple[str, bool]:
        """(the reply in the whole generated sequence `ids`, prompt included, whether it ended its turn); streams what is left."""
        return self._update(ids, final=True)


def _held_back(text: str, strings: tuple[str, ...]) -> int:
    """Length of `text` without a trailing piece that could still grow into one of `strings`."""
    for k in range(max((len(s) for s in strings), default=1) - 1, 0, -1):
        if len(text) >= k and any(s.startswith(text[-k:]) for s in strings):
            return len(text) - k
    return len(text)


@dataclass
class Completion:
    """One reply: its text, why it ended ("stop": end of turn or a stop string; "length": max tokens) and token counts."""

    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int


class Persona:
    """A loaded double: model, tokenizer and settings, the links its person sent, and the REPL's conversation (`history`).

    `complete` is what every front end calls; it is blocking and thread-safe (one generation at a
    time per persona), so servers call it off their event loop.
    """

    def __init__(self, model, tokenizer, config: PersonaConfig, run_name: str | None = None, base_model: str | None = None,
                 links: LinkBook | None = None):
        self.model, self.tokenizer, self.config = model, tokenizer, config
        self.name, self.run_name, self.base_model = config.name, run_name, base_model
        self.links = links or LinkBook([])
        self.history: list[dict] = []
        self._eos_ids = end_of_turn_ids(tokenizer)
        self._lock = threading.Lock()

    def prompt(self, history: list[dict] | None = None, system_extra: str = "", reply_tokens: int | None = None) -> list[dict]:
        """The messages a reply is generated from: the system prompt (plus `system_extra`) and the recent turns of
        `history` (default: the REPL's) that fit in the context with room for a reply of `reply_tokens` (default: [generation])."""
        budget = self.config.train.max_length - (reply_tokens or self.config.generation.max_new_tokens)
        system = "\n\n".join(p for p in (self.config.resolved_system_prompt(), system_extra.strip()) if p)
        return fit_history(self.tokenizer, system, self.history if history is None else history, budget)

    def complete(self, messages: list[dict], stream: Callable[[str], None] | None = None, *, temperature: float | None = None,
                 top_p: float | None = None, max_tokens: int | None = None, stop: Iterable[str] = (), seed: int | None = None) -> Completion:
        """Generate the double's next turn after `messages` (OpenAI-style role/content dicts, oldest first).

        The persona's system prompt always leads; a system message in `messages` is added after it.
        Oldest turns are dropped to fit the context. `temperature`, `top_p` and `max_tokens` override
        [generation]; `stop` strings end the reply. `<link>` becomes a link the person really sent
        that fits the conversation, or nothing; other placeholders (`<image>`...) become nothing.
        `stream` gets each new piece of the reply as it is generated. Returns a Completion.
        """
        system_extra = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
        turns = [{"role": m["role"], "content": m["content"]} for m in messages if m["role"] in ("user", "assistant")]
        if not turns or turns[-1]["role"] != "user":
            raise ValueError("the last message must be the user's")
        settings = self.config.generation.model_copy(update={k: v for k, v in
                                                             (("temperature", temperature), ("top_p", top_p), ("max_new_tokens", max_tokens))
                                                             if v is not None})
        prompt = self.prompt(turns, system_extra, settings.max_new_tokens)
        context = " ".join(m["content"] for m in prompt[-4:])
        with self._lock:
            if seed is not None:
                torch.manual_seed(seed)
            text = self.tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
            inputs = self.tokenizer(text, add_special_tokens=False, return_tensors="pt").to(self.model.device)
            n_prompt = inputs["input_ids"].shape[1]
            own = [self.name, *self.config.speaker_names()]
            watcher = TurnWatcher(self.tokenizer, n_prompt, speakers_in(turns, own), stream, stop,
                                  finish=lambda reply: self.links.restore(reply, context))
            kwargs = generation_kwargs(settings, self._eos_ids, self.tokenizer.pad_token_id)
            with torch.inference_mode():
                output = self.model.generate(**inputs, **kwargs, stopping_criteria=StoppingCriteriaList([watcher]))
            answer, ended = watcher.finish(output[0])
        n_new = output.shape[1] - n_prompt
        finished = ended or (n_new > 0 and int(output[0, -1]) in self._eos_ids) or n_new < settings.max_new_tokens
        return Completion(answer, "stop" if finished else "length", n_prompt, n_new)

    def reply(self, user_text: str, stream: Callable[[str], None] | None = None) -> str:
        """Add `user_text` to the REPL's history, generate the double's answer, add it too and return it.

        `stream` is called with each new piece of the answer as it is generated; the pieces
        add up to the returned text.
        """
        answer = self.complete([*self.history, {"role": "user", "content": user_text}], stream).text
        self.history += [{"role": "user", "content": user_text}, {"role": "assistant", "content": answer}]
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


# Linear layers left in float by quantize_int8: the MLP's output projection, whose inputs have
# outlier activations that int8 (one scale per tensor, set on the fly) flattens. On the demo
# double (held-out perplexity 64 in float), quantizing every linear layer gave 265 at 24 ms a
# token; down_proj alone, 188; everything but down_proj, 82 at 30 ms (float: 59 ms); also
# keeping lm_head in float, 75 at 39 ms, too slow for a 40-token reply within 2 s here.
INT8_KEEP_FLOAT = ("down_proj",)


def quantize_int8(model):
    """`model` with int8 dynamic quantization of its linear layers but INT8_KEEP_FLOAT (CPU serving: replies about 2x faster)."""
    chosen = {name: torch.ao.quantization.default_dynamic_qconfig for name, module in model.named_modules()
              if isinstance(module, torch.nn.Linear) and not name.endswith(INT8_KEEP_FLOAT)}
    return torch.ao.quantization.quantize_dynamic(model, chosen, dtype=torch.qint8)


def load_persona(run: RunRecord | str | Path, config: PersonaConfig, device: str = "cpu", links: LinkBook | None = None) -> Persona:
    """A Persona from a run (its base model with the final adapter merged in), or from a model directory.

    A run without adapters is served from its merged model (models/<run>/merged) when it has
    one. `links` are the person's own links, given back for `<link>` (default: none).
    Raises ChatcloneError when the run has neither, ConfigError when a model cannot load.
    """
    path, adapter = _weights(run)
    if adapter is None:
        tokenizer, model = load_tokenizer(path), load_model(path, "none", device)
    else:
        model, tokenizer = load_adapted(path, adapter, device)  # merged: faster to generate with
    model.eval()
    if config.generation.cpu_int8 and model.device.type == "cpu":
        model = quantize_int8(model)
    if isinstance(run, RunRecord):
        return Persona(model, tokenizer, config, run_name=run.name, base_model=run.base_model, links=links)
    return Persona(model, tokenizer, config, base_model=str(run), links=links)
