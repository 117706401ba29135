"""Does context help the audience model? Held-out chat perplexity with and without context, and what it writes.

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 \
    .venv/bin/python benchmarks/audience_context.py [--vods 30] [--minutes 8] [--steps 80] [--eval-limit 200]

(the glibc settings the CLI sets for itself: without them CPU training steps slow down
several-fold as they go, see docs/benchmarks.md)

Builds two workspaces on the same synthetic streams (tests/synthetic_stream.py: chat that reacts to
the streamer's topic, laughs after jokes, repeats itself, greets): one whose examples carry their
context (the streamer's last words and the chat before), one without (what a model trained on chat
alone sees). Trains the audience model of each for the same steps, then prints per-word perplexity
of the same held-out messages for the base model and both models, with and without context, and
the chat lines each writes for a few streamer lines with the share that are emotes only.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from synthetic_stream import load  # noqa: E402

from chatclone import audience, pipeline  # noqa: E402
from chatclone.warehouse import Warehouse  # noqa: E402
from chatclone.workspace import init_workspace, open_workspace  # noqa: E402

LINES = ["today i want to talk about ramen and miso", "and then i tripped over my own tent, what a clown",
         "honestly piano is underrated", "let me tell you about space"]


def workspace(root: Path, args, context: bool) -> Path:
    """A workspace with the synthetic streams, its audience datasets built with or without context."""
    ws = init_workspace(root, "mika", ["mika"])
    ws.config_path.write_text(f"""name = "mika"
[[speakers]]
name = "mika"
[split]
train = 0.7
val = 0.15
test = 0.15
[audience]
context_lines = {6 if context else 0}
speech_words = {24 if context else 0}
[train]
max_length = 128
batch_size = 8
learning_rate = 1e-3
lora_r = 16
lora_alpha = 32
logging_steps = 10
eval_steps = 100000
save_steps = 100000
""", encoding="utf-8")
    with Warehouse(ws.warehouse_path) as wh:
        words, messages = load(wh, args.vods, args.minutes, seed=args.seed)
    counts = pipeline.export_audience(str(root))
    print(f"{root.name}: {args.vods} streams, {words:,} words, {messages:,} chat messages; {counts}")
    if not counts.get("val_examples") and not counts.get("test_examples"):
        sys.exit(f"{root.name}: every stream fell into the training split (split by VOD); use more --vods")
    return root


def train(root: Path, steps: int, eval_limit: int) -> dict:
    """Train and evaluate the audience model of a workspace; return the evaluation with the training time."""
    uri = f"sqlite:///{root / 'mlflow.db'}"
    run = pipeline.start_training_run(str(root), uri, "audience", max_steps=steps)
    started = time.perf_counter()
    stage = pipeline.train_run_stage(str(root), uri, run["name"], "audience", max_steps=steps)
    pipeline.finish_training_run(str(root), uri, run["name"])
    result = pipeline.evaluate_audience_run(str(root), uri, limit=eval_limit)
    return {**result, "train_s": time.perf_counter() - started, "train_loss": stage["train_loss"], "train_examples": stage["train_examples"]}


def emote_only(line: str, emotes: set[str]) -> bool:
    return bool(line.split()) and all(word in emotes for word in line.split())


def samples(root: Path, emotes: set[str]) -> tuple[list[tuple[str, list[str]]], float]:
    """(streamer line, chat lines written) for LINES, and the share of lines that are emotes only."""
    from chatclone.serving.personas import load_audience

    crowd = load_audience(open_workspace(root))
    written = [(line, audience.chat_lines(crowd, line, [], 5, seed=7)) for line in LINES]
    lines = [text for _, texts in written for text in texts]
    return written, sum(emote_only(t, emotes) for t in lines) / max(len(lines), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vods", type=int, default=30)
    parser.add_argument("--minutes", type=float, default=8.0)
    parser.add_argument("--steps", type=int, default=80)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--eval-limit", type=int, default=200, help="held-out messages scored")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with_context = workspace(Path(tmp) / "context", args, context=True)
        bare = workspace(Path(tmp) / "no-context", args, context=False)
        emotes = set(audience.read_emotes(with_context / "datasets")) | {"LUL", "lmao"}
        results = {"context": train(with_context, args.steps, args.eval_limit), "no-context": train(bare, args.steps, args.eval_limit)}
        ctx, seed = results["context"], results["no-context"]
        print(f"\n{ctx['train_examples']} training examples; held-out {ctx['split']} split: {ctx['examples']} chat messages "
              f"scored, {ctx['words']} words; {args.steps} steps of batch 8 each ({ctx['train_s']:.0f} s and {seed['train_s']:.0f} s)")
        print("| model | prompt | perplexity per word |\n|---|---|---|")
        print(f"| base SmolLM2-135M | with context | {ctx['perplexity_base_context']:.1f} |")
        print(f"| base SmolLM2-135M | without | {ctx['perplexity_base_no_context']:.1f} |")
        print(f"| trained on chat alone (the seed's way) | without | {seed['perplexity_tuned_context']:.1f} |")
        print(f"| audience model (trained in context) | without | {ctx['perplexity_tuned_no_context']:.1f} |")
        print(f"| audience model (trained in context) | with context | **{ctx['perplexity_tuned_context']:.1f}** |")
        for name, root in (("audience model", with_context), ("trained on chat alone", bare)):
            written, share = samples(root, emotes)
            print(f"\n{name}: {share:.0%} of the lines written are emotes only")
            for line, texts in written:
                print(f"  streamer: {line}")
                for text in texts:
                    print(f"    chat: {text}")


if __name__ == "__main__":
    main()
