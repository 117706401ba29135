"""Merging: fold a run's LoRA adapter into its base model, for tools that know nothing of peft.

The result is a plain transformers model directory (safetensors + tokenizer) that loads with
`AutoModelForCausalLM.from_pretrained` and that `chatclone chat` can also serve.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from chatclone.models import load_adapted
from chatclone.runs import RunRecord

log = logging.getLogger(__name__)

MERGED = "merged"  # models/<run>/merged: where `chatclone export --merge` writes by default


def merged_dir(run: RunRecord) -> Path:
    """The default directory of a run's merged model."""
    return Path(run.directory) / MERGED


def merge_adapter(run: RunRecord, out_dir: Path) -> Path:
    """Load the base in fp32, apply the run's final adapter, merge it in and save model and tokenizer to `out_dir`.

    Replaces whatever `out_dir` held; returns it. Raises ChatcloneError when the run has no
    adapter, ConfigError when the base model cannot be loaded.
    """
    adapter = run.final_adapter
    out_dir = Path(out_dir)
    log.info("merging %s into %s", adapter, run.base_model_path)
    # fp32 on CPU whatever the run trained on: merging into 4-bit or bf16 weights loses precision.
    model, tokenizer = load_adapted(run.base_model_path, adapter, "cpu")
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.replace(out_dir)
    return out_dir
