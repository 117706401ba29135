"""Tasks of `eval`: the persona metrics of a run (perplexity is tasks.training.evaluate_run)."""

from __future__ import annotations

from prefect import get_run_logger, task

from chatclone import pipeline
from tasks.progress import progress_bar


@task(name="persona-metrics")
def persona_metrics(workspace: str, tracking_uri: str, run_name: str, split: str = "test", perplexity: dict | None = None,
                    after_training: bool = False) -> dict:
    """Reply ranking, style score, authorship and scenarios, base vs tuned; saved under reports/eval/<run>/ and logged to MLflow."""
    with progress_bar("persona metrics: ranking, replies, scenarios (base, then tuned)") as advance:
        result = pipeline.evaluate_persona_run(workspace, tracking_uri, run_name, split, perplexity, after_training, on_progress=advance)
    log = get_run_logger()
    if not result:
        log.info("persona metrics: off after training ([eval] after_training = false)")
        return result
    nan = float("nan")
    log.info("reply ranking acc@1: base %.2f, tuned %.2f; style: base %.0f, tuned %.0f; authorship: base %.2f, tuned %.2f (%d prompts, %.0f s)",
             *(result.get(f"{metric}_{side}", nan) for metric in ("reply_rank_acc1", "style_score", "authorship_share") for side in ("base", "tuned")),
             result["dataset"]["held_out_prompts"], result["seconds"])
    return result
