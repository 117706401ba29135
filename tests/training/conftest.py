from pathlib import Path

import pytest

from chatclone.config import Train
from chatclone.models import resolve_base_model

@pytest.fixture(scope="session")
def base_path(tmp_path_factory) -> str:
    """The bundled SmolLM2 as a safetensors directory (converted once per machine)."""
    return resolve_base_model("bundled:smollm2-135m", Path("~/.cache/chatclone/models"))


@pytest.fixture
def tiny_train() -> Train:
    """Settings that train the pattern in seconds on a CPU."""
    return Train(max_length=64, batch_size=4, max_steps=12, learning_rate=2e-3, lora_r=4, lora_alpha=8,
                 gradient_checkpointing=False, logging_steps=2, eval_steps=6, save_steps=6, warmup_ratio=0.0)
