"""Tasks of `train`: open the run, train each stage (resuming on retry), evaluate, finish."""

from __future__ import annotations

import hashlib
from pathlib import Path

from prefect import get_run_logger, task
from prefect.runtime import task_run

from chatclone import pipeline


@task(name="start-training-run")
def start_training_run(workspace: str, tracking_uri: str, stage: str | None, base_model: str | None, max_steps: int | None) -> dict:
    """Open (or reopen) the run for the current datasets and settings."""
    record = pipeline.start_training_run(workspace, tracking_uri, stage, base_model, max_steps)
    get_run_logger().info("run %s (base %s, quantization %s)", record["name"], record["base_model"], record["quantization"])
    return record


def _stage_cache_key(context, parameters) -> str | None:
    # The run name digests datasets + [train] settings. A cached result is only good while
    # its adapter is still on disk: no adapter, no key, so the stage trains.
    adapter = Path(parameters["workspace"]) / "models" / parameters["run_name"] / parameters["stage"] / "adapter" / "adapter_config.json"
    if not adapter.exists():
        return None
    key = f"{adapter.resolve()}|{adapter.stat().st_mtime_ns}|{parameters['max_steps']}"
    return "train-stage-" + hashlib.sha256(key.encode()).hexdigest()[:24]


@task(name="train-stage", retries=1, retry_delay_seconds=5, cache_key_fn=_stage_cache_key, persist_result=True)
def train_stage(workspace: str, tracking_uri: str, run_name: str, stage: str, resume: bool, max_steps: int | None) -> dict:
    """Train one stage; a retry of this task resumes from the stage's last checkpoint."""
    resume = resume or task_run.run_count > 1
    result = pipeline.train_run_stage(workspace, tracking_uri, run_name, stage, resume=resume, max_steps=max_steps)
    log = get_run_logger()
    if not result:
        log.info("%s: no data for this stage, skipped", stage)
    elif result.get("cached"):
        log.info("%s: already trained (%s)", stage, result["adapter_dir"])
    else:
        log.info("%s: %d steps, eval loss %s, padding %.1f%%", stage, result["global_step"], result["eval_loss"], 100 * result["padding_fraction"])
    return result


@task(name="evaluate-run")
def evaluate_run(workspace: str, tracking_uri: str, run_name: str | None, split: str = "test") -> dict:
    """Perplexity of the persona's held-out turns, base vs tuned."""
    result = pipeline.evaluate_run(workspace, tracking_uri, run_name, split)
    get_run_logger().info("perplexity: base %.2f, tuned %.2f", result["perplexity_base"], result["perplexity_tuned"])
    return result


@task(name="evaluate-audience-run")
def evaluate_audience_run(workspace: str, tracking_uri: str, run_name: str) -> dict:
    """Per-word perplexity of held-out chat, base vs the audience model, with and without context."""
    result = pipeline.evaluate_audience_run(workspace, tracking_uri, run_name)
    get_run_logger().info("chat perplexity per word: base %.1f, audience model %.1f with context, %.1f without",
                          result["perplexity_base_context"], result["perplexity_tuned_context"], result["perplexity_tuned_no_context"])
    return result


@task(name="finish-training-run")
def finish_training_run(workspace: str, tracking_uri: str, run_name: str) -> dict:
    """Make the run the latest and close its MLflow run."""
    return pipeline.finish_training_run(workspace, tracking_uri, run_name)


@task(name="sample-reply")
def sample_reply(workspace: str, message: str, run_name: str) -> str:
    """One reply of the trained double, to show what it sounds like."""
    return pipeline.sample_reply(workspace, message, run_name)
