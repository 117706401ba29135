"""Fine-tune the persona: CPT and/or SFT stages, held-out evaluation, all logged to MLflow.

    chatclone train --stage both --max-steps 30 --workspace personas/mika
"""

from __future__ import annotations

from prefect import flow

from chatclone.pipeline import STAGES
from chatclone.tracking import resolve_tracking_uri
from flows.evaluate_persona import evaluate_persona
from tasks.training import evaluate_audience_run, finish_training_run, start_training_run, train_stage


@flow(name="train-persona")
def train_persona(workspace: str, tracking_uri: str | None = None, stage: str | None = None, base_model: str | None = None,
                  max_steps: int | None = None, resume: bool = False) -> dict:
    """Train the configured stages in order (SFT on top of CPT), or the audience model, evaluate; return run, stages, metrics.

    `tracking_uri` defaults to $MLFLOW_TRACKING_URI, else the workspace's mlflow.db.
    """
    tracking_uri = tracking_uri or resolve_tracking_uri(workspace)
    run = start_training_run(workspace, tracking_uri, stage, base_model, max_steps)
    stages = [train_stage(workspace, tracking_uri, run["name"], s, resume, max_steps) for s in STAGES[run["stages"]]]
    if run["stages"] == "audience":
        metrics = evaluate_audience_run(workspace, tracking_uri, run["name"])
    else:
        metrics = evaluate_persona(workspace, tracking_uri, run["name"], after_training=True)
    finish_training_run(workspace, tracking_uri, run["name"])
    return {"run": run["name"], "mlflow_run_id": run["mlflow_run_id"], "stages": stages, "evaluation": metrics}
