"""LoRA / QLoRA fine-tuning with TRL: continued pretraining on text, then SFT on the persona's turns.

The library configures transformers, peft and trl; it does not wrap them. One stage:

    model, tokenizer = load_for_training(base_path, quantization, device, init_adapter=None)
    train_ds, eval_ds = sft_datasets(tokenizer, datasets_dir, max_length)
    result = train_stage("sft", model, tokenizer, train_ds, eval_ds, out_dir, config.train, seed=42)
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from chatclone.chat_tokens import IGNORE, tokenize_conversation, tokenize_texts
from chatclone.config import Train
from chatclone.errors import DatasetError

log = logging.getLogger(__name__)


@dataclass
class StageResult:
    """What one training stage produced."""

    stage: str
    adapter_dir: str
    global_step: int
    resumed_from_step: int
    train_loss: float | None
    eval_loss: float | None
    train_examples: int
    eval_examples: int
    padding_fraction: float
    tokens_seen: int = 0  # real (non-padding) input tokens trained on
    train_seconds: float = 0.0

    @property
    def tokens_per_second(self) -> float:
        return self.tokens_seen / self.train_seconds if self.train_seconds else 0.0


def pick_device() -> str:
    """'cuda' when a CUDA GPU is usable, else 'cpu'."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def pick_quantization(setting: str, device: str) -> str:
    """'4bit' (QLoRA) or 'none' (LoRA) for the `quantization` setting on `device`; logs which, once."""
    quantization = setting if setting != "auto" else ("4bit" if device == "cuda" else "none")
    if quantization == "4bit":
        log.info("training QLoRA: 4-bit nf4 base (double quantization, bf16 compute) on %s", device)
    else:
        extra = "" if device == "cuda" else ' (no CUDA here; set [train] quantization = "4bit" to force QLoRA)'
        log.info("training LoRA on a %s base on %s%s", "bf16" if device == "cuda" else "fp32", device, extra)
    return quantization


def read_jsonl(path: Path) -> list[dict]:
    """Every JSON line of a file ([] if the file does not exist)."""
    if not Path(path).exists():
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _dataset(rows: list[dict]):
    from datasets import Dataset

    return Dataset.from_list(rows) if rows else None


def sft_datasets(tokenizer, datasets_dir: Path, max_length: int, stem: str = "sft"):
    """(train, validation) tokenized from STEM.jsonl and STEM.val.jsonl (messages format); validation may be None.

    Examples with no assistant token left after truncation are dropped. Raises DatasetError
    when there is no training example.
    """
    def tokenized(path: Path) -> list[dict]:
        rows = (tokenize_conversation(tokenizer, r["messages"], max_length) for r in read_jsonl(path))
        return [r for r in rows if any(label != IGNORE for label in r["labels"])]

    train = tokenized(Path(datasets_dir) / f"{stem}.jsonl")
    if not train:
        raise DatasetError(f"{Path(datasets_dir) / f'{stem}.jsonl'}: no training example; run `chatclone dataset build`")
    return _dataset(train), _dataset(tokenized(Path(datasets_dir) / f"{stem}.val.jsonl"))


def cpt_datasets(tokenizer, datasets_dir: Path, max_length: int):
    """(train, validation) from cpt.jsonl and cpt.val.jsonl ({"text": ...} lines); (None, None) if absent."""
    def tokenized(path: Path) -> list[dict]:
        return list(tokenize_texts(tokenizer, (r["text"] for r in read_jsonl(path)), max_length))

    return _dataset(tokenized(Path(datasets_dir) / "cpt.jsonl")), _dataset(tokenized(Path(datasets_dir) / "cpt.val.jsonl"))


def load_for_training(base_path: str, quantization: str, device: str, init_adapter: str | None = None, gradient_checkpointing: bool = True):
    """(model, tokenizer) ready for a stage: the base (4-bit prepared for k-bit training under QLoRA),
    with `init_adapter` loaded trainable when a stage continues from an earlier one."""
    from peft import PeftModel, prepare_model_for_kbit_training

    from chatclone.models import load_model, load_tokenizer

    tokenizer = load_tokenizer(base_path)
    model = load_model(base_path, quantization, device)
    if len(tokenizer) > model.get_input_embeddings().num_embeddings:
        model.resize_token_embeddings(len(tokenizer))
    if quantization == "4bit":
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=gradient_checkpointing)
    if init_adapter:
        model = PeftModel.from_pretrained(model, init_adapter, is_trainable=True)
    return model, tokenizer


def padding_fraction(trainer, max_batches: int = 200) -> float:
    """Share of padding tokens in what the trainer's dataloader feeds the model (first batches)."""
    real = total = 0
    for i, batch in enumerate(trainer.get_train_dataloader()):
        if i >= max_batches:
            break
        if "attention_mask" in batch:
            real += int(batch["attention_mask"].sum())
            total += batch["attention_mask"].numel()
        else:  # padding-free: one flat sequence, nothing padded
            real += batch["input_ids"].numel()
            total += batch["input_ids"].numel()
    return 1 - real / total if total else 0.0


def training_args(stage: str, out_dir: Path, cfg: Train, seed: int, device: str, has_eval: bool):
    """The SFTConfig of a stage, every knob taken from [train]."""
    from trl import SFTConfig

    early = cfg.early_stopping_patience > 0 and has_eval
    return SFTConfig(
        output_dir=str(Path(out_dir) / "checkpoints"),
        max_length=cfg.max_length,
        packing=cfg.packing,
        packing_strategy="bfd",
        num_train_epochs=cfg.epochs,
        max_steps=cfg.max_steps,
        per_device_train_batch_size=cfg.batch_size,
        per_device_eval_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.gradient_accumulation_steps,
        learning_rate=cfg.cpt_learning_rate if stage == "cpt" else cfg.learning_rate,
        lr_scheduler_type="cosine",
        warmup_steps=cfg.warmup_ratio,  # a float in [0, 1) is a ratio of the total steps
        weight_decay=cfg.weight_decay,
        gradient_checkpointing=cfg.gradient_checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False},
        logging_steps=cfg.logging_steps,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=cfg.eval_steps,
        save_strategy="steps",
        save_steps=cfg.save_steps,
        save_total_limit=2,
        load_best_model_at_end=early,
        metric_for_best_model="eval_loss" if early else None,
        include_num_input_tokens_seen="non_padding",
        report_to="none",
        seed=seed,
        bf16=device == "cuda",
        use_cpu=device == "cpu",
        dataloader_num_workers=0,
    )


def final_eval_loss(trainer) -> float:
    """The validation loss of the trained model: the one the trainer logged at its last step, else a new evaluation.

    With a step-based eval strategy the trainer evaluates at its last step itself; evaluating again would
    be a second pass over the whole validation set. Not where the best checkpoint was loaded at the end.
    """
    if not trainer.args.load_best_model_at_end:
        for entry in reversed(trainer.state.log_history):
            if "eval_loss" in entry and entry.get("step") == trainer.state.global_step:
                return entry["eval_loss"]
    return trainer.evaluate()["eval_loss"]


def last_checkpoint(out_dir: Path) -> str | None:
    """The newest checkpoint directory of a stage, or None."""
    from transformers.trainer_utils import get_last_checkpoint

    directory = Path(out_dir) / "checkpoints"
    return get_last_checkpoint(str(directory)) if directory.is_dir() else None


def train_stage(stage: str, model, tokenizer, train_ds, eval_ds, out_dir: Path, cfg: Train, seed: int, device: str = "cpu",
                resume: bool = False, callbacks: list | None = None) -> StageResult:
    """Train one stage (cpt, sft or audience) and save its PEFT adapter into out_dir/adapter.

    With `resume`, training continues from the stage's newest checkpoint (if any). A model
    that is already a PeftModel (continuing from an earlier stage) gets no new adapter.
    """
    from peft import LoraConfig, PeftModel
    from transformers import EarlyStoppingCallback
    from trl import SFTTrainer

    peft_config = None
    if not isinstance(model, PeftModel):
        peft_config = LoraConfig(
            r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
            target_modules=cfg.target_modules, task_type="CAUSAL_LM",
        )
    args = training_args(stage, out_dir, cfg, seed, device, eval_ds is not None)
    callbacks = list(callbacks or [])
    if args.load_best_model_at_end:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=cfg.early_stopping_patience))
    trainer = SFTTrainer(
        model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
        processing_class=tokenizer, peft_config=peft_config, callbacks=callbacks,
    )
    checkpoint = last_checkpoint(out_dir) if resume else None
    resumed_from = int(checkpoint.rsplit("-", 1)[-1]) if checkpoint else 0
    if checkpoint:
        log.info("%s: resuming from %s", stage, checkpoint)
    padding = padding_fraction(trainer)
    output = trainer.train(resume_from_checkpoint=checkpoint)
    eval_loss = final_eval_loss(trainer) if eval_ds is not None else None
    adapter_dir = Path(out_dir) / "adapter"
    trainer.save_model(str(adapter_dir))
    tokenizer.save_pretrained(str(adapter_dir))
    return StageResult(
        stage=stage,
        adapter_dir=str(adapter_dir),
        global_step=trainer.state.global_step,
        resumed_from_step=resumed_from,
        train_loss=output.training_loss,
        eval_loss=eval_loss,
        train_examples=len(train_ds),
        eval_examples=len(eval_ds) if eval_ds is not None else 0,
        padding_fraction=padding,
        tokens_seen=int(trainer.state.num_input_tokens_seen or 0),
        train_seconds=float(output.metrics.get("train_runtime", 0.0)),
    )
