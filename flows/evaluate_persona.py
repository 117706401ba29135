"""Evaluate a trained double: held-out perplexity, then the persona metrics (reply ranking, style, authorship, scenarios).

    chatclone eval --workspace personas/mika
"""

from __future__ import annotations

from prefect import flow

from chatclone.tracking import resolve_tracking_uri
from tasks.evaluation import persona_metrics
from tasks.training import evaluate_run


@flow(name="evaluate-persona")
def evaluate_persona(workspace: str, tracking_uri: str | None = None, run_name: str | None = None, split: str = "test",
                     after_training: bool = False) -> dict:
    """Perplexity and persona metrics of a run (default: the latest), base vs tuned; return them in one dict.

    `after_training` (set by the training flow) skips the persona metrics when [eval] after_training is off.
    """
    tracking_uri = tracking_uri or resolve_tracking_uri(workspace)
    perplexity = evaluate_run(workspace, tracking_uri, run_name, split)
    persona = persona_metrics(workspace, tracking_uri, perplexity["run"], split, perplexity, after_training)
    return {**perplexity, **persona}
