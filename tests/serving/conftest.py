"""A persona on the bundled base model with an untrained LoRA adapter (so it talks like the instruct base), greedy and short-winded."""

import pytest

from chatclone.serving import load_persona
from factories import make_config, make_run


@pytest.fixture(scope="session")
def persona_config():
    """Greedy decoding (deterministic), short replies, a small context, float32 weights (int8 has its own test)."""
    return make_config(generation={"temperature": 0, "max_new_tokens": 24, "cpu_int8": False}, train={"max_length": 256})


@pytest.fixture(scope="session")
def loaded_persona(tmp_path_factory, base_model_path, untrained_adapter, persona_config):
    """A run whose adapter is untrained, loaded once: share its model, never its history."""
    run = make_run(tmp_path_factory.mktemp("models"), base_model_path, untrained_adapter)
    return load_persona(run, persona_config)

