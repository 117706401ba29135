"""Hand-made lines of a persona (lowercase, "lmao", ":3", "!!") and of other speakers (formal, capitalised, full stops)."""

import itertools
import random

import pytest

OPENERS = ["lmao", "ngl", "omg", "ok ok", "wait", "yesss", "hehe", "ugh"]
BODIES = ["i forgot my headphones again", "that stream was so chaotic", "ren you're the best", "the omurice looked like a potato",
          "i can't find my charger", "this game hates me", "my cat sat on the keyboard", "i stayed up way too late"]
CLOSERS = [":3", "!!", "lmao", "ngl", "hehe", "xD"]
SUBJECTS = ["The meeting", "Your schedule", "The new update", "This plan", "My report", "The library", "Our train", "The weather"]
PREDICATES = ["is scheduled for Tuesday at noon.", "should be reviewed before Friday.", "seems reasonable to me, honestly.",
              "was published yesterday afternoon.", "needs a little more work.", "will be discussed at the next meeting."]


def _lines(parts: list[list[str]], seed: int) -> list[str]:
    combos = [" ".join(c) for c in itertools.product(*parts)]
    random.Random(seed).shuffle(combos)
    return combos


@pytest.fixture(scope="session")
def mika_says() -> list[str]:
    """Persona lines: 384 distinct, shuffled with a fixed seed."""
    return _lines([OPENERS, BODIES, CLOSERS], seed=1)


@pytest.fixture(scope="session")
def others_say() -> list[str]:
    """Other speakers' lines: 48 distinct, shuffled with a fixed seed."""
    return _lines([SUBJECTS, PREDICATES], seed=2)


@pytest.fixture(scope="session")
def base_persona(base_model_path):
    """The bundled base model as a Persona (float32, greedy, short replies): what reply ranking scores with."""
    from chatclone.serving.generation import load_persona
    from factories import make_config

    config = make_config(generation={"temperature": 0, "max_new_tokens": 16, "cpu_int8": False}, train={"max_length": 256})
    return load_persona(base_model_path, config)
