"""Benchmark: training throughput (real tokens/s) and padding fraction, with and without packing.

    .venv/bin/python benchmarks/train_throughput.py [--workspace personas/demo] [--steps 10]

Trains the demo persona's SFT data (run `make demo` or `chatclone demo --no-train` first) for
a few steps with the workspace's [train] settings, once with padding-free packing and once
padding each batch to its longest example, and prints both.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from chatclone.models import resolve_base_model
from chatclone.training import load_for_training, pick_device, pick_quantization, sft_datasets, train_stage
from chatclone.workspace import open_workspace


def run(workspace: Path, steps: int, packing: bool, device: str) -> dict:
    ws = open_workspace(workspace)
    settings = ws.config.train.model_copy(update={"max_steps": steps, "packing": packing, "eval_steps": 10_000, "save_steps": 10_000})
    quantization = pick_quantization(settings.quantization, device)
    base = resolve_base_model(settings.base_model, Path(settings.model_cache))
    model, tokenizer = load_for_training(base, quantization, device, gradient_checkpointing=settings.gradient_checkpointing)
    train_ds, _ = sft_datasets(tokenizer, ws.datasets, settings.max_length)
    with tempfile.TemporaryDirectory() as out:
        result = train_stage("sft", model, tokenizer, train_ds, None, Path(out), settings, ws.config.seed, device)
    return {"packing": packing, "steps": result.global_step, "tokens": result.tokens_seen, "seconds": result.train_seconds,
            "tokens_per_second": result.tokens_per_second, "padding": result.padding_fraction,
            "batch": settings.batch_size, "max_length": settings.max_length, "quantization": quantization}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=Path("personas/demo"))
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    device = pick_device()
    rows = [run(args.workspace, args.steps, packing, device) for packing in (True, False)]
    import torch

    console = Console(width=150)
    console.print(f"machine: {os.cpu_count()} cpus, {platform.processor() or platform.machine()}, torch {torch.__version__}, "
                  f"device {device}" + (f" ({torch.cuda.get_device_name(0)})" if device == "cuda" else ""))
    table = Table("packing", "steps", "batch x max_length", "quantization", "real tokens", "seconds", "tokens/s", "padding", title="SFT training throughput")
    for r in rows:
        table.add_row("bfd, padding-free" if r["packing"] else "off (pad to longest)", str(r["steps"]), f"{r['batch']} x {r['max_length']}",
                      r["quantization"], f"{r['tokens']:,}", f"{r['seconds']:.1f}", f"{r['tokens_per_second']:.0f}", f"{100 * r['padding']:.1f}%")
    console.print(table)
    if device == "cuda":
        console.print(f"peak GPU memory: {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
