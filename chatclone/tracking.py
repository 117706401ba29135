"""MLflow bookkeeping of training runs: a parent run per pipeline run, a child run per stage.

Everything goes through an explicit MlflowClient and run ids, so it works the same from
Prefect tasks in any thread. The tracking URI defaults to a SQLite file in the workspace.
"""

from __future__ import annotations

import os
import re
import time
import tomllib
from pathlib import Path

from transformers import TrainerCallback

SECRET_KEY = re.compile(r"token|secret|password|passwd|cookie|api[_-]?key|credential", re.I)


def default_tracking_uri(workspace_root: Path) -> str:
    """sqlite:///<workspace>/mlflow.db, the default when MLFLOW_TRACKING_URI is not set."""
    return f"sqlite:///{Path(workspace_root).resolve() / 'mlflow.db'}"


def resolve_tracking_uri(workspace_root: Path | str) -> str:
    """$MLFLOW_TRACKING_URI, else the workspace's SQLite file."""
    return os.environ.get("MLFLOW_TRACKING_URI") or default_tracking_uri(Path(workspace_root))


def client(uri: str):
    """An MlflowClient on `uri` (tracking and model registry)."""
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def experiment_id(mlf, persona: str) -> str:
    """The id of the persona's experiment (one per persona), created if needed."""
    name = f"chatclone/{persona}"
    found = mlf.get_experiment_by_name(name)
    return found.experiment_id if found else mlf.create_experiment(name)


def start_run(mlf, experiment: str, name: str, parent_run_id: str | None = None, tags: dict | None = None) -> str:
    """Create a run (a child of `parent_run_id` if given); return its id."""
    tags = dict(tags or {})
    if parent_run_id:
        tags["mlflow.parentRunId"] = parent_run_id
    return mlf.create_run(experiment, run_name=name, tags=tags).info.run_id


def flatten(prefix: str, data: dict) -> dict[str, str]:
    """Nested dict as MLflow params: {'train.lora_r': '16', ...} (values as strings, 500 chars max)."""
    out = {}
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.update(flatten(name, value))
        else:
            out[name] = str(value)[:500]
    return out


def log_params(mlf, run_id: str, params: dict[str, str]) -> None:
    """Log params in batches (MLflow takes at most 100 per call)."""
    from mlflow.entities import Param

    items = [Param(k, v) for k, v in params.items()]
    for i in range(0, len(items), 100):
        mlf.log_batch(run_id, params=items[i : i + 100])


def log_metrics(mlf, run_id: str, metrics: dict[str, float], step: int = 0) -> None:
    """Log metrics in batches (MLflow takes at most 1000 per call), all with the same timestamp and `step`."""
    from mlflow.entities import Metric

    now_ms = int(time.time() * 1000)
    items = [Metric(k, float(v), now_ms, step) for k, v in metrics.items()]
    for i in range(0, len(items), 1000):
        mlf.log_batch(run_id, metrics=items[i : i + 1000])


def redact(data: dict) -> dict:
    """A copy of a config dict with every secret-looking key's value replaced by '***'."""
    return {
        k: redact(v) if isinstance(v, dict) else ("***" if SECRET_KEY.search(k) else v)
        for k, v in data.items()
    }


def redacted_config_text(config_path: Path) -> str:
    """persona.toml with secret-looking keys removed, as TOML-ish text for an artifact."""
    import json

    data = redact(tomllib.loads(Path(config_path).read_text(encoding="utf-8")))
    return "# persona.toml as trained (secret-looking values redacted)\n" + json.dumps(data, indent=2, ensure_ascii=False)


def log_dataset(run_id: str, uri: str, path: Path, name: str, context: str) -> str | None:
    """Log a jsonl dataset file as an MLflow dataset input (with its digest); return the digest."""
    import mlflow
    import pandas as pd

    if not Path(path).exists() or Path(path).stat().st_size == 0:
        return None
    frame = pd.read_json(path, lines=True)
    frame = frame.astype(str)  # nested chat messages: MLflow's schema inference wants scalars
    dataset = mlflow.data.from_pandas(frame, source=str(path), name=name)
    mlflow.set_tracking_uri(uri)
    with mlflow.start_run(run_id=run_id):
        mlflow.log_input(dataset, context=context)
    return dataset.digest


def log_artifacts(mlf, run_id: str, items: list[tuple[str, Path]]) -> None:
    """Log each (artifact path, file or directory) that exists; directories go in whole."""
    for artifact_path, local in items:
        if Path(local).is_dir():
            mlf.log_artifacts(run_id, str(local), artifact_path)
        elif Path(local).exists():
            mlf.log_artifact(run_id, str(local), artifact_path)


def register_adapter(mlf, run_id: str, persona: str, stage: str, adapter_artifact_path: str = "adapter") -> str:
    """Register the run's adapter artifact as a version of the model `<persona>-adapter` (`<persona>-audience-adapter`
    for the audience model); return the version."""
    name = f"{persona}-audience-adapter" if stage == "audience" else f"{persona}-adapter"
    if not mlf.search_registered_models(filter_string=f"name = '{name}'"):
        mlf.create_registered_model(name, tags={"persona": persona})
    source = f"{mlf.get_run(run_id).info.artifact_uri}/{adapter_artifact_path}"
    version = mlf.create_model_version(name, source, run_id=run_id, tags={"persona": persona, "stage": stage})
    return version.version


class MetricsCallback(TrainerCallback):
    """Log the trainer's logs (loss, eval loss, learning rate, ...) plus tokens/s to an MLflow run."""

    def __init__(self, mlf, run_id: str):
        self.mlf, self.run_id = mlf, run_id
        self._last = (time.monotonic(), 0)

    def on_log(self, args, state, control, logs=None, **kwargs):
        from mlflow.entities import Metric

        now_ms = int(time.time() * 1000)
        metrics = [Metric(k, float(v), now_ms, state.global_step) for k, v in (logs or {}).items() if isinstance(v, (int, float))]
        seen = state.num_input_tokens_seen or 0
        last_time, last_seen = self._last
        elapsed = time.monotonic() - last_time
        if seen > last_seen and elapsed > 0:
            metrics.append(Metric("tokens_per_second", (seen - last_seen) / elapsed, now_ms, state.global_step))
            self._last = (time.monotonic(), seen)
        if metrics:
            self.mlf.log_batch(self.run_id, metrics=metrics)
