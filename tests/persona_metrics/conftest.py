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


def _result(run: str, tuned_reply: str, **metrics) -> dict:
    """A result shaped like suite.evaluate_persona's, with two prompts and one scenario."""
    from chatclone.persona_metrics.style import FEATURES

    def style_of(score):
        return {"score": score, "replies": 2, "features": {
            f: {"score": score, "components": {c: {"score": score, "distance": 0.1, "noise": 0.1} for c in parts}} for f, parts in FEATURES.items()}}

    base = {"perplexity_base": 150.0, "perplexity_tuned": 60.0, "reply_rank_acc1_base": 0.25, "reply_rank_acc1_tuned": 0.5,
            "reply_rank_acc1_chance": 0.125, "reply_rank_mrr_base": 0.4, "reply_rank_mrr_tuned": 0.6, "reply_rank_mrr_chance": 0.34,
            "style_score_base": 40.0, "style_score_tuned": 70.0, "style_score_real": 95.0, "authorship_share_base": 0.1,
            "authorship_share_tuned": 0.6, "authorship_share_real": 0.9, "authorship_accuracy": 0.85, "eval_prompts": 2.0,
            "eval_train_examples": 30.0}
    return {
        "run": run, "persona": "Mika", "split": "test",
        "dataset": {"train_examples": 30, "train_persona_replies": 90, "train_other_lines": 120, "held_out_examples": 2,
                    "held_out_prompts": 2, "held_out_other_lines": 5},
        "settings": {"prompts": 60, "distractors": 7, "distractor_source": "mixed", "seed": 0},
        "metrics": {**base, **metrics},
        "ranking": {s: {"acc_at_1": 0.5, "mrr": 0.6, "ranks": [1, 2], "candidates": [8, 8]} for s in ("base", "tuned")},
        "style": {"real": style_of(95.0), "base": style_of(40.0), "tuned": style_of(70.0), "phrases": ["lmao", ":3"]},
        "authorship": {"probabilities": {"real": [0.9, 0.8], "base": [0.1, 0.2], "tuned": [0.7, 0.4]}, "shares": {}, "accuracy": 0.85},
        "skipped": {},
        "scenarios": [{"name": "rude message", "turns": [{"user": "you're boring", "base": "I'm sorry to hear that.", "tuned": tuned_reply}]}],
        "replies": [
            {"id": "test-0-2", "messages": [{"role": "user", "content": "Ren: you up?"}], "real": "yeah lol", "tuned": "ya lmao", "base": "Yes, I am awake."},
            {"id": "test-1-2", "messages": [{"role": "user", "content": "lunch <b>tomorrow</b>?"}], "real": "sure!!", "tuned": "ok :3", "base": "Sure."},
        ],
        "seconds": {"base": 1.0, "tuned": 1.0, "total": 2.5},
    }


@pytest.fixture
def make_result():
    """make_result(run, tuned_reply="rude much :3", **metrics) -> a result dict like `chatclone eval` saves."""
    return lambda run, tuned_reply="rude much :3", **metrics: _result(run, tuned_reply, **metrics)
