"""Training runs on disk: `models/<run>/run.json` says what a run trained and where its adapters are.

`models/latest` (a one-line text file) names the newest finished run, which `chat`, `eval`
and `export` use unless given `--run`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from chatclone.errors import ChatcloneError

LATEST = "latest"


@dataclass
class RunRecord:
    """One training run: its directory, base model, MLflow ids and the adapter of each stage."""

    name: str
    directory: str
    base_model: str  # the spec from config, e.g. bundled:smollm2-135m
    base_model_path: str  # what from_pretrained loads
    quantization: str
    stages: str = "sft"  # cpt | sft | both
    mlflow_run_id: str | None = None  # the parent run
    stage_run_ids: dict[str, str] = field(default_factory=dict)
    adapters: dict[str, str] = field(default_factory=dict)  # stage -> adapter directory
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def final_adapter(self) -> str:
        """The adapter of the last stage trained (sft over cpt; an audience run has only its own)."""
        for stage in ("audience", "sft", "cpt"):
            if stage in self.adapters:
                return self.adapters[stage]
        raise ChatcloneError(f"{self.directory}: this run has no trained adapter yet; run `chatclone train`")

    def save(self) -> None:
        """Write run.json into the run directory."""
        path = Path(self.directory) / "run.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")


def load_run(directory: Path) -> RunRecord:
    """Read a run's run.json; raise ChatcloneError if there is none."""
    path = Path(directory) / "run.json"
    try:
        return RunRecord(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ChatcloneError(f"{path}: no such training run") from None


def _latest_file(models_dir: Path, audience: bool) -> Path:
    # The audience model is a model of the chat, not of the person: it never becomes the persona's latest run.
    return Path(models_dir) / (LATEST + "-audience" if audience else LATEST)


def mark_latest(models_dir: Path, run: RunRecord) -> None:
    """Make `run` the one chat, eval and export use by default (the one `chat --audience` uses, for an audience run)."""
    _latest_file(models_dir, run.stages == "audience").write_text(run.name + "\n", encoding="utf-8")


def find_run(models_dir: Path, name: str | None = None, audience: bool = False) -> RunRecord:
    """The run called `name`, or the latest one (the latest audience run with `audience`); raise ChatcloneError if there is none."""
    models_dir = Path(models_dir)
    if name is None:
        latest = _latest_file(models_dir, audience)
        if not latest.exists():
            stage = " --stage audience" if audience else ""
            raise ChatcloneError(f"{models_dir}: no trained {'audience ' if audience else ''}model yet; run `chatclone train{stage}` first")
        name = latest.read_text(encoding="utf-8").strip()
    return load_run(models_dir / name)
