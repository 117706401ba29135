"""Evaluation: perplexity of the persona's own turns, base model against the fine-tuned double.

Only assistant-content tokens count (the labels `chat_tokens.tokenize_conversation` trains on),
so the number says how well a model predicts what the person wrote, not what was said to them.
Lower is better; the tuned model should beat the base on the held-out split.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import orjson

from chatclone.chat_tokens import IGNORE, tokenize_conversation
from chatclone.config import PersonaConfig
from chatclone.errors import DatasetError
from chatclone.models import load_model, load_tokenizer
from chatclone.runs import RunRecord

log = logging.getLogger(__name__)


def read_conversations(path: Path, limit: int | None = None) -> list[list[dict]]:
    """The `messages` of each line of a messages-format jsonl file (at most `limit` of them).

    Raises DatasetError when the file is missing or a line is not a JSON object with messages.
    """
    conversations: list[list[dict]] = []
    try:
        with open(path, "rb") as f:
            for number, line in enumerate(f, 1):
                if limit is not None and len(conversations) >= limit:
                    break
                if not line.strip():
                    continue
                try:
                    conversations.append(orjson.loads(line)["messages"])
                except (orjson.JSONDecodeError, KeyError, TypeError):
                    raise DatasetError(f"{path}:{number}: not a JSON object with 'messages'") from None
    except FileNotFoundError:
        raise DatasetError(f"{path}: not found; run `chatclone dataset build` first") from None
    return conversations


def _pad(examples: list[dict], pad_id: int):
    """input_ids, attention_mask and labels of a batch, padded on the right to its longest example."""
    import torch

    width = max(len(e["input_ids"]) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, e in enumerate(examples):
        n = len(e["input_ids"])
        ids[row, :n] = torch.tensor(e["input_ids"])
        labels[row, :n] = torch.tensor(e["labels"])
        mask[row, :n] = 1
    return ids, mask, labels


def assistant_perplexity(model, tokenizer, conversations: list[list[dict]], max_length: int, batch_size: int = 8) -> dict:
    """{"perplexity", "tokens", "examples"}: exp of the mean loss over every assistant token of `conversations`.

    The mean is over all tokens together, not per example; each conversation is cut to
    `max_length` tokens. Raises DatasetError when there is no assistant token to score.
    """
    import torch
    import torch.nn.functional as F

    examples = [tokenize_conversation(tokenizer, c, max_length) for c in conversations]
    examples = sorted((e for e in examples if e["input_ids"]), key=lambda e: len(e["input_ids"]))  # less padding
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    device = next(model.parameters()).device
    model.eval()
    nll, tokens = 0.0, 0
    with torch.inference_mode():
        for start in range(0, len(examples), batch_size):
            ids, mask, labels = (t.to(device) for t in _pad(examples[start : start + batch_size], pad_id))
            logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1]
            targets = labels[:, 1:]
            scored = targets != IGNORE
            # Only the scored positions go through the softmax: the full logits are large.
            nll += F.cross_entropy(logits[scored].float(), targets[scored], reduction="sum").item()
            tokens += int(scored.sum())
    if tokens == 0:
        raise DatasetError("no assistant tokens to evaluate: the conversations have no assistant turn within max_length")
    return {"perplexity": math.exp(nll / tokens), "tokens": tokens, "examples": len(conversations)}


def split_path(datasets_dir: Path, split: str) -> Path:
    """The messages-format file of a split, named as `datasets.export` writes it."""
    return Path(datasets_dir) / ("sft.jsonl" if split == "train" else f"sft.{split}.jsonl")


def _has_examples(path: Path) -> bool:
    if not path.exists():
        return False
    with open(path, "rb") as f:
        return any(line.strip() for line in f)


def held_out_split(datasets_dir: Path, split: str = "test") -> str:
    """`split` when its file has examples, else "val" for an empty or missing test split.

    Raises DatasetError when no candidate split has an example.
    """
    candidates = [split, "val"] if split == "test" else [split]
    for candidate in candidates:
        if _has_examples(split_path(datasets_dir, candidate)):
            if candidate != split:
                log.warning("%s is empty or missing; evaluating on the %s split", split_path(datasets_dir, split).name, candidate)
            return candidate
    names = " and ".join(split_path(datasets_dir, c).name for c in candidates)
    raise DatasetError(f"{datasets_dir}: {names} have no examples; import more chats and run `chatclone dataset build`")


def compare_base_and_tuned(
    run: RunRecord, config: PersonaConfig, datasets_dir: Path, split: str = "test", device: str = "cpu", limit: int | None = None
) -> dict:
    """Perplexity of the base model and of base + the run's final adapter on a held-out split.

    Returns {"perplexity_base", "perplexity_tuned", "eval_tokens", "eval_examples", "split", "run"};
    "split" says which split was used (test falls back to val when empty). Raises DatasetError
    when there is nothing to evaluate, ChatcloneError when the run has no adapter.
    """
    from peft import PeftModel

    adapter = run.final_adapter
    used = held_out_split(datasets_dir, split)
    conversations = read_conversations(split_path(datasets_dir, used), limit)
    tokenizer = load_tokenizer(run.base_model_path)
    model = load_model(run.base_model_path, "none", device)
    base = assistant_perplexity(model, tokenizer, conversations, config.train.max_length)
    tuned = assistant_perplexity(PeftModel.from_pretrained(model, adapter), tokenizer, conversations, config.train.max_length)
    return {
        "perplexity_base": base["perplexity"],
        "perplexity_tuned": tuned["perplexity"],
        "eval_tokens": base["tokens"],
        "eval_examples": base["examples"],
        "split": used,
        "run": run.name,
    }
