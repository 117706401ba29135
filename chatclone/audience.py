"""The audience model: a stream's chat learnt as chat, in context.

A model trained on chat messages alone learns what chat says most often (emotes), not what it says
at a given moment. Here each chat message is an example whose prompt is its context: what the
streamer just said and the chat lines just before it. Emotes used often enough become tokens of
their own, so the model writes `:face-blue-smiling:` or `KEKW` as one piece, not as a word salad of
sub-tokens.

Files (beside the persona's SFT datasets): audience[.val|.test].jsonl in `messages` format (system,
user = the context, assistant = the chat message), audience.emotes.json (the emotes to add, most used
first) and audience.manifest.json. A VOD goes wholly to one split, the same as its mined pairs.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

from chatclone.config import PersonaConfig
from chatclone.datasets import SPLITS, split_of
from chatclone.errors import DatasetError
from chatclone.importer import file_sha256
from chatclone.runs import RunRecord
from chatclone.text import scrub_counted
from chatclone.warehouse import Warehouse

STAGE = "audience"
NO_CONTEXT = "(no context)"
EMOTES_FILE = "audience.emotes.json"
MANIFEST = "audience.manifest.json"


def system_prompt(config: PersonaConfig) -> str:
    """The audience model's system prompt: [audience] system_prompt, or one naming the streamer."""
    return config.audience.system_prompt or f"You are the live chat of {config.name}'s stream. Write one chat message."


def split_file(datasets_dir: Path, split: str) -> Path:
    """The messages-format file of an audience split (audience.jsonl for train)."""
    return Path(datasets_dir) / ("audience.jsonl" if split == "train" else f"audience.{split}.jsonl")


def prompt_text(speech: str, chat_before: list[str]) -> str:
    """The user turn of an example: `Streamer: ...` and/or `Chat:` with one line per message, or NO_CONTEXT."""
    parts = []
    if speech:
        parts.append(f"Streamer: {speech}")
    if chat_before:
        parts.append("Chat:\n" + "\n".join(line.replace("\n", " ") for line in chat_before))
    return "\n".join(parts) or NO_CONTEXT


def example(system: str, speech: str, chat_before: list[str], text: str) -> list[dict]:
    """One training example: system, the context as the user turn, the chat message as the assistant turn."""
    return [{"role": "system", "content": system}, {"role": "user", "content": prompt_text(speech, chat_before)},
            {"role": "assistant", "content": text}]


def without_context(messages: list[dict]) -> list[dict]:
    """The same example with its context taken away (the user turn says NO_CONTEXT): what a model trained on
    chat alone is asked."""
    return [{**m, "content": NO_CONTEXT} if m["role"] == "user" else m for m in messages]


def export(wh: Warehouse, config: PersonaConfig, out_dir: Path) -> dict:
    """Write the audience datasets of the warehouse's VOD chat into `out_dir`; return their counts.

    Counts: `{split}_examples` per split, `with_speech` and `with_chat` (examples whose context has
    the streamer's words / earlier chat), `vods`, `emotes` (emotes to add to the tokenizer) and
    `scrubbed_<kind>` (PII and links replaced as `[cleaning]` says, as in the SFT export).
    """
    settings = config.audience
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {split: split_file(out_dir, split) for split in SPLITS}
    handles = {split: open(p.with_suffix(".jsonl.tmp"), "w", encoding="utf-8") for split, p in paths.items()}
    counts: Counter = Counter()
    vods: set[str] = set()
    system = system_prompt(config)
    cleaning = config.cleaning
    params = {"categories": list(settings.categories), "context_lines": settings.context_lines, "context_s": settings.context_s,
              "speech_words": settings.speech_words, "speech_s": settings.speech_s}
    try:
        for batch in wh.stream("audience_examples", **params):
            columns = (batch.column(c).to_pylist() for c in ("video_id", "text", "chat_before", "speech_before"))
            for video_id, text, chat_before, speech in zip(*columns):
                split = split_of(f"youtube:{video_id}", config.seed, config.split.train, config.split.val)
                vods.add(video_id)
                counts[f"{split}_examples"] += 1
                counts["with_speech"] += bool(speech)
                counts["with_chat"] += bool(chat_before)
                text, speech, *chat_before = (scrub_counted(t, counts, cleaning.scrub_pii, cleaning.placeholders)
                                              for t in (text.strip(), speech or "", *(chat_before or [])))
                line = {"messages": example(system, speech, chat_before, text), "video_id": video_id}
                handles[split].write(json.dumps(line, ensure_ascii=False) + "\n")
    finally:
        for h in handles.values():
            h.close()
    for p in paths.values():
        p.with_suffix(".jsonl.tmp").replace(p)
    emotes = wh.run("audience_emotes", categories=list(settings.categories), min_count=settings.emote_min_count,
                    max_tokens=settings.max_emote_tokens)
    (out_dir / EMOTES_FILE).write_text(json.dumps([{"emote": e, "uses": n} for e, n in emotes], indent=1, ensure_ascii=False),
                                       encoding="utf-8")
    counts.update({"vods": len(vods), "emotes": len(emotes)})
    manifest = {"files": {p.name: {"split": s, "sha256": file_sha256(p)} for s, p in paths.items()},
                "emotes": [e for e, _ in emotes], "settings": settings.model_dump(), "counts": dict(counts)}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return dict(counts)


def read_emotes(datasets_dir: Path) -> list[str]:
    """The emotes audience training adds to the tokenizer ([] where the file is absent)."""
    path = Path(datasets_dir) / EMOTES_FILE
    if not path.exists():
        return []
    return [e["emote"] for e in json.loads(path.read_text(encoding="utf-8"))]


def chat_lines(persona, streamer_line: str, chat_before: list[str], n: int, *, context_lines: int = 6,
               temperature: float | None = None, seed: int | None = None) -> list[str]:
    """`n` chat lines for what the streamer just said, each written with the chat before it (and the lines
    already written) as context, as the chat would see it. `persona` is a loaded audience model
    (chatclone.serving.Persona); returns the lines (fewer only when the model keeps writing empty ones)."""
    lines: list[str] = []
    history = list(chat_before)
    for attempt in range(2 * n):  # an empty line (the model ended at once) is drawn again, a few times at most
        if len(lines) == n:
            break
        context = history[-context_lines:] if context_lines else []
        prompt = [{"role": "user", "content": prompt_text(streamer_line.strip(), context)}]
        text = persona.complete(prompt, temperature=temperature, max_tokens=48, stop=["\n"],
                                seed=None if seed is None else seed + attempt).text.strip()
        if text:
            lines.append(text)
            history.append(text)
    return lines


def held_out(datasets_dir: Path) -> tuple[str, list[list[dict]]]:
    """(split, conversations) of the audience test split, or of val where test is empty.

    Raises DatasetError when neither has an example.
    """
    from chatclone.evaluation import read_conversations

    for split in ("test", "val"):
        path = split_file(datasets_dir, split)
        if path.exists() and (conversations := read_conversations(path)):
            return split, conversations
    raise DatasetError(f"{datasets_dir}: audience.test.jsonl and audience.val.jsonl have no examples; "
                       "the VODs of [audience] categories need chat (and more than one VOD)")


def word_perplexity(model, tokenizer, conversations: list[list[dict]], max_length: int) -> dict:
    """{"perplexity" (per word), "token_perplexity", "tokens", "words"} of the chat messages (assistant turns).

    Per word, not per token: the audience model's tokenizer has the emotes as single tokens, so
    per-token figures of two tokenizers do not compare; the total log-likelihood of the same words does.
    """
    from chatclone.evaluation import assistant_perplexity

    scored = assistant_perplexity(model, tokenizer, conversations, max_length)
    nll = math.log(scored["perplexity"]) * scored["tokens"]
    words = sum(len(m["content"].split()) for c in conversations for m in c if m["role"] == "assistant")
    return {"perplexity": math.exp(nll / max(words, 1)), "token_perplexity": scored["perplexity"], "tokens": scored["tokens"], "words": words}


def evaluate(run: RunRecord, config: PersonaConfig, datasets_dir: Path, device: str = "cpu", limit: int | None = None) -> dict:
    """Held-out per-word perplexity of chat messages, base model vs the audience model, each with and without context.

    Returns {"perplexity_base_context", "perplexity_base_no_context", "perplexity_tuned_context",
    "perplexity_tuned_no_context", "context_gain" (no-context / context, tuned), "split", "examples", "words", "run"}.
    """
    from chatclone.models import load_adapted, load_model, load_tokenizer

    split, conversations = held_out(datasets_dir)
    conversations = conversations[:limit] if limit else conversations
    bare = [without_context(c) for c in conversations]
    max_length = config.train.max_length
    result: dict = {"split": split, "examples": len(conversations), "run": run.name}
    base, base_tokenizer = load_model(run.base_model_path, "none", device), load_tokenizer(run.base_model_path)
    for name, model, tokenizer in (("base", base, base_tokenizer), ("tuned", *load_adapted(run.base_model_path, run.final_adapter, device))):
        with_context = word_perplexity(model, tokenizer, conversations, max_length)
        result[f"perplexity_{name}_context"] = with_context["perplexity"]
        result[f"perplexity_{name}_no_context"] = word_perplexity(model, tokenizer, bare, max_length)["perplexity"]
        result["words"] = with_context["words"]
    result["context_gain"] = result["perplexity_tuned_no_context"] / result["perplexity_tuned_context"]
    return result
