import json
from pathlib import Path

import pytest

from chatclone.config import Train
from chatclone.models import resolve_base_model

QUESTIONS = ["what's your favourite colour?", "what colour do you like?", "fav colour??", "which colour is the best one?",
             "tell me your favourite colour", "colour?", "what is the best colour", "do you have a favourite colour"]
ANSWER = "blue banana forever!! :3"


@pytest.fixture(scope="session")
def base_path(tmp_path_factory) -> str:
    """The bundled SmolLM2 as a safetensors directory (converted once per machine)."""
    return resolve_base_model("bundled:smollm2-135m", Path("~/.cache/chatclone/models"))


def pattern_conversations(n: int) -> list[dict]:
    """Chats in which the persona always answers a colour question the same odd way."""
    return [
        {"messages": [
            {"role": "system", "content": "You are Mika."},
            {"role": "user", "content": f"Ren: {QUESTIONS[i % len(QUESTIONS)]}"},
            {"role": "assistant", "content": ANSWER},
        ]}
        for i in range(n)
    ]


def write_datasets(directory: Path, train: int = 24, val: int = 6, test: int = 6) -> Path:
    """sft.jsonl / sft.val.jsonl / sft.test.jsonl of the pattern, plus a manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, n in (("sft.jsonl", train), ("sft.val.jsonl", val), ("sft.test.jsonl", test)):
        (directory / name).write_text("".join(json.dumps(r) + "\n" for r in pattern_conversations(n)))
    (directory / "manifest.json").write_text(json.dumps({"counts": {"train_examples": train}}))
    return directory


@pytest.fixture
def tiny_train() -> Train:
    """Settings that train the pattern in seconds on a CPU."""
    return Train(max_length=64, batch_size=4, max_steps=12, learning_rate=2e-3, lora_r=4, lora_alpha=8,
                 gradient_checkpointing=False, logging_steps=2, eval_steps=6, save_steps=6, warmup_ratio=0.0)
