"""The steps of `import` and `dataset build` as plain functions on a workspace root.

Each opens the warehouse for the duration of one step, so Prefect tasks (tasks/) can
call them with plain, serializable arguments. No Prefect here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from chatclone import audience, cleaning, datasets, importer, report, segmentation
from chatclone.errors import ChatcloneError, DatasetError, SourceError
from chatclone.sources import discover
from chatclone.warehouse import Warehouse
from chatclone.workspace import open_workspace

log = logging.getLogger(__name__)


def find_files(workspace: str, fmt: str, paths: list[str]) -> list[str]:
    """The files to import for one (format, paths) request; relative paths are taken as given."""
    return [str(p) for p in discover(fmt, [Path(p) for p in paths])]


def import_one(workspace: str, fmt: str, path: str, on_batch: Callable[[int], None] | None = None) -> dict:
    """Import one file into the workspace's warehouse; return ImportResult as a dict."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        return importer.import_file(wh, fmt, Path(path), ws.quarantine, on_batch=on_batch).as_dict()


def count_messages(workspace: str) -> int:
    """How many messages the warehouse holds (0 if there is no warehouse yet)."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        return wh.run("count_messages")[0][0]


def clean(workspace: str, on_batch: Callable[[int], None] | None = None) -> dict:
    """Rebuild clean_messages; return replacement counts by kind."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        return dict(cleaning.clean_all(wh, ws.config.cleaning, on_batch=on_batch))


def segment(workspace: str) -> None:
    """Rebuild conversations and turns from clean_messages; raise DatasetError if there are messages and none is the persona's."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        segmentation.segment(wh, ws.config)
        if wh.run("count_messages")[0][0] and not wh.run("count_target_messages")[0][0]:
            top = ", ".join(f"{name} ({n})" for name, _, n in wh.run("report_top_authors", limit=5)) or "none"
            names = ", ".join(s.name for s in ws.config.speakers)
            raise DatasetError(
                f"{ws.config_path}: no message by the target speakers ({names}); "
                f"set [[speakers]] name/ids/aliases — most frequent authors: {top}"
            )


def mine(workspace: str) -> dict[str, int]:
    """Mine the new or changed zatsu VODs' (chat -> answer) pairs into `pairs`; return row counts (chatclone.mining.mine)."""
    from chatclone import mining

    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        return mining.mine(wh, ws.config.mining)


def build_cpt(workspace: str) -> dict:
    """Write datasets/cpt*.jsonl from the solo VODs' transcripts; return its counts."""
    from chatclone import cpt

    ws = open_workspace(Path(workspace))
    cfg = ws.config
    with Warehouse(ws.warehouse_path) as wh:
        return cpt.build_cpt(wh, ws.datasets, cfg.export.cpt_document_tokens, split=(cfg.split.train, cfg.split.val, cfg.split.test), seed=cfg.seed,
                             pii=cfg.cleaning.scrub_pii, links=cfg.cleaning.placeholders)


def export(workspace: str) -> dict:
    """Write the SFT datasets into datasets/; return example counts per split."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        return datasets.export(wh, ws.config, ws.datasets)


def export_audience(workspace: str) -> dict:
    """Write the audience model's datasets (datasets/audience*.jsonl) from the VODs' chat; return their counts."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        return audience.export(wh, ws.config, ws.datasets)


def write_report(workspace: str, export_counts: dict, cleaning_counts: dict) -> dict:
    """Write reports/dataset.json and .html; return the report figures and file paths."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        figures = report.collect(wh, ws.config, export_counts, cleaning_counts)
    json_path, html_path = report.write_report(figures, ws.datasets, ws.reports)
    public = {k: v for k, v in figures.items() if not k.startswith("_")}
    return {**public, "report_json": str(json_path), "report_html": str(html_path), "datasets": str(ws.datasets)}


def configured_requests(workspace: str) -> list[tuple[str, list[str]]]:
    """(format, [path]) for each [[sources.exports]] entry of persona.toml, paths made absolute."""
    ws = open_workspace(Path(workspace))
    return [(s.format, [str(ws.resolve(s.path))]) for s in ws.config.sources.exports]


# --- training -----------------------------------------------------------------------------

STAGES = {"cpt": ["cpt"], "sft": ["sft"], "both": ["cpt", "sft"], "audience": ["audience"]}
DATASET_STEMS = {"cpt": "cpt", "sft": "sft", "audience": "audience"}


def _train_settings(ws, base_model: str | None, max_steps: int | None):
    overrides = {k: v for k, v in {"base_model": base_model, "max_steps": max_steps}.items() if v is not None}
    return ws.config.train.model_copy(update=overrides)


def dataset_digest(workspace: str, stage: str = "sft") -> str:
    """A digest of the exported datasets of a stage (from datasets/manifest.json, or audience.manifest.json
    for the audience model); raise DatasetError if none."""
    import hashlib

    ws = open_workspace(Path(workspace))
    manifest = ws.datasets / (audience.MANIFEST if stage == "audience" else "manifest.json")
    if not manifest.exists():
        raise DatasetError(f"{manifest}: no datasets yet; run `chatclone dataset build`")
    return hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]


def start_training_run(workspace: str, tracking_uri: str, stage: str | None = None, base_model: str | None = None,
                       max_steps: int | None = None) -> dict:
    """Create (or reopen) the run for these datasets and settings; return its RunRecord as a dict.

    The run's name is a digest of the datasets, the [train] settings and the stages, so the
    same inputs give the same run (and a retry finds its checkpoints). Opens the MLflow
    parent run and logs every setting as a parameter.
    """
    import hashlib
    import json

    from chatclone import runs, tracking
    from chatclone.models import resolve_base_model
    from chatclone.training import pick_device, pick_quantization

    ws = open_workspace(Path(workspace))
    settings = _train_settings(ws, base_model, max_steps)
    stage = stage or settings.stage
    digest = dataset_digest(workspace, stage)
    key = json.dumps({"data": digest, "train": settings.model_dump(), "stage": stage, "seed": ws.config.seed}, sort_keys=True)
    name = f"{stage}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"
    directory = ws.models / name
    if (directory / "run.json").exists():
        return runs.load_run(directory).__dict__
    device = pick_device()
    quantization = pick_quantization(settings.quantization, device)
    base_path = resolve_base_model(settings.base_model, Path(settings.model_cache))
    mlf = tracking.client(tracking_uri)
    experiment = tracking.experiment_id(mlf, ws.config.name)
    parent = tracking.start_run(mlf, experiment, name, tags={"persona": ws.config.name, "stages": stage})
    params = tracking.flatten("train", settings.model_dump())
    params.update({"stages": stage, "device": device, "quantization_used": quantization, "dataset_digest": digest,
                   "seed": str(ws.config.seed), "base_model_path": base_path})
    tracking.log_params(mlf, parent, params)
    record = runs.RunRecord(name=name, directory=str(directory), base_model=settings.base_model, base_model_path=base_path,
                            quantization=quantization, stages=stage, mlflow_run_id=parent)
    record.save()
    return record.__dict__


def train_run_stage(workspace: str, tracking_uri: str, run_name: str, stage: str, resume: bool = False,
                    max_steps: int | None = None) -> dict:
    """Train one stage of a run (logged as a child MLflow run); return its StageResult as a dict.

    A stage whose adapter is already saved is not trained again. SFT starts from the CPT
    adapter when the run has one. Stage `cpt` without datasets/cpt.jsonl is skipped ({}).
    """
    from dataclasses import asdict

    from chatclone import runs, tracking, training
    from chatclone.models import add_word_tokens

    ws = open_workspace(Path(workspace))
    record = runs.load_run(ws.models / run_name)
    if stage in record.adapters:
        return {"stage": stage, "adapter_dir": record.adapters[stage], "cached": True}
    settings = _train_settings(ws, record.base_model, max_steps)
    device = training.pick_device()
    model, tokenizer = training.load_for_training(
        record.base_model_path, record.quantization, device,
        init_adapter=record.adapters.get("cpt") if stage == "sft" else None,
        gradient_checkpointing=settings.gradient_checkpointing,
    )
    if stage == "audience":
        add_word_tokens(model, tokenizer, audience.read_emotes(ws.datasets))
    if stage == "cpt":
        train_ds, eval_ds = training.cpt_datasets(tokenizer, ws.datasets, settings.max_length)
    else:
        train_ds, eval_ds = training.sft_datasets(tokenizer, ws.datasets, settings.max_length, stem=DATASET_STEMS[stage])
    if train_ds is None:
        return {}
    mlf = tracking.client(tracking_uri)
    experiment = mlf.get_run(record.mlflow_run_id).info.experiment_id
    child = record.stage_run_ids.get(stage) or tracking.start_run(mlf, experiment, f"{run_name}/{stage}", record.mlflow_run_id,
                                                                  tags={"persona": ws.config.name, "stage": stage})
    record.stage_run_ids[stage] = child
    record.save()
    prefix = DATASET_STEMS[stage]
    tracking.log_params(mlf, child, {**tracking.flatten("train", settings.model_dump()), "stage": stage, "quantization_used": record.quantization})
    for split, context in (("", "training"), (".val", "validation")):
        tracking.log_dataset(child, tracking_uri, ws.datasets / f"{prefix}{split}.jsonl", f"{prefix}{split or '.train'}", context)
    stage_dir = Path(record.directory) / stage
    result = training.train_stage(
        stage, model, tokenizer, train_ds, eval_ds, stage_dir, settings, ws.config.seed,
        device, resume=resume, callbacks=[tracking.MetricsCallback(mlf, child)],
    )
    mlf.log_metric(child, "padding_fraction", result.padding_fraction)
    mlf.log_metric(child, "train_tokens_per_second", result.tokens_per_second)
    if result.eval_loss is not None:
        mlf.log_metric(child, "final_eval_loss", result.eval_loss, step=result.global_step)
    config_copy = stage_dir / "persona.redacted.json"
    config_copy.write_text(tracking.redacted_config_text(ws.config_path), encoding="utf-8")
    tracking.log_artifacts(mlf, child, [
        ("adapter", Path(result.adapter_dir)), ("config", config_copy),
        ("reports", ws.reports / "dataset.json"), ("reports", ws.reports / "dataset.html"),
    ])
    version = tracking.register_adapter(mlf, child, ws.config.name, stage)
    mlf.set_terminated(child)
    record.adapters[stage] = result.adapter_dir
    record.save()
    return {**asdict(result), "mlflow_run_id": child, "model_version": version}


def evaluate_run(workspace: str, tracking_uri: str, run_name: str | None = None, split: str = "test") -> dict:
    """Held-out perplexity of the persona's turns, base vs tuned; logged to the run's MLflow run."""
    from chatclone import runs, tracking
    from chatclone.evaluation import compare_base_and_tuned
    from chatclone.training import pick_device

    ws = open_workspace(Path(workspace))
    record = runs.find_run(ws.models, run_name)
    result = compare_base_and_tuned(record, ws.config, ws.datasets, split=split, device=pick_device())
    if record.mlflow_run_id:
        mlf = tracking.client(tracking_uri)
        for key in ("perplexity_base", "perplexity_tuned", "eval_tokens"):
            mlf.log_metric(record.mlflow_run_id, key, float(result[key]))
    record.metrics.update({k: float(result[k]) for k in ("perplexity_base", "perplexity_tuned")})
    record.save()
    return result


def evaluate_persona_run(workspace: str, tracking_uri: str, run_name: str | None = None, split: str = "test",
                         perplexity: dict | None = None, after_training: bool = False, on_progress=None) -> dict:
    """Persona metrics of a run (reply ranking, style, authorship, scenarios), base vs tuned, with `perplexity`'s numbers merged in.

    Saves reports/eval/<run>/ (eval.json, replies.jsonl, scenarios.json and .md, eval.html), logs every
    metric and those files (artifact folder `eval`) to the run's MLflow run; returns the flat metrics
    with run, split, dataset sizes, seconds and file paths. With `after_training` it returns {} when
    [eval] after_training is off. Raises DatasetError when there is nothing to evaluate.
    `on_progress` is passed to `suite.evaluate_persona`.
    """
    from chatclone import runs, tracking
    from chatclone.persona_metrics import report, results, suite
    from chatclone.training import pick_device

    ws = open_workspace(Path(workspace))
    if after_training and not ws.config.eval.after_training:
        return {}
    record = runs.find_run(ws.models, run_name)
    result = suite.evaluate_persona(record, ws.config, ws.datasets, split=split, device=pick_device(), on_progress=on_progress)
    result["metrics"].update({k: float(v) for k, v in (perplexity or {}).items() if k.startswith("perplexity_")})
    result["metrics"].update(_blindtest_metrics(ws.root, record.name))
    directory = results.eval_dir(ws.reports, record.name)
    files = results.save(result, directory)
    files["html"] = report.write_eval_report(result, directory / "eval.html")
    if record.mlflow_run_id:
        mlf = tracking.client(tracking_uri)
        tracking.log_metrics(mlf, record.mlflow_run_id, result["metrics"])
        tracking.log_artifacts(mlf, record.mlflow_run_id, [("eval", path) for path in files.values()])
    record.metrics.update(result["metrics"])
    record.save()
    return {**result["metrics"], "run": record.name, "split": result["split"], "dataset": result["dataset"],
            "seconds": round(result["seconds"]["total"], 1), "files": {k: str(v) for k, v in files.items()}}


def _blindtest_metrics(workspace_root: Path, run_name: str) -> dict[str, float]:
    """The run's blind-test score (`chatclone blindtest`) once people have answered it, else {}."""
    from chatclone.blindtest import summary

    try:
        found = summary(workspace_root, run_name)
    except ChatcloneError as e:  # a damaged answer log must not cost the other metrics
        log.warning("blind test left out: %s", e)
        return {}
    if not found.get("answers"):
        return {}
    return {"blindtest_answers": float(found["answers"]), "blindtest_share_correct": float(found["share_correct"])}


def evaluate_audience_run(workspace: str, tracking_uri: str, run_name: str | None = None, limit: int | None = None) -> dict:
    """Held-out per-word perplexity of chat (the first `limit` messages, default all), base vs the audience model,
    with and without context; logged to MLflow."""
    from chatclone import runs, tracking
    from chatclone.training import pick_device

    ws = open_workspace(Path(workspace))
    record = runs.find_run(ws.models, run_name, audience=True)
    result = audience.evaluate(record, ws.config, ws.datasets, device=pick_device(), limit=limit)
    metrics = {k: float(v) for k, v in result.items() if k.startswith(("perplexity_", "context_gain"))}
    if record.mlflow_run_id:
        mlf = tracking.client(tracking_uri)
        for key, value in metrics.items():
            mlf.log_metric(record.mlflow_run_id, key, value)
    record.metrics.update(metrics)
    record.save()
    return result


def finish_training_run(workspace: str, tracking_uri: str, run_name: str) -> dict:
    """Mark the run as the latest and close its MLflow parent run; return the RunRecord as a dict."""
    from chatclone import runs, tracking

    ws = open_workspace(Path(workspace))
    record = runs.load_run(ws.models / run_name)
    runs.mark_latest(ws.models, record)
    if record.mlflow_run_id:
        tracking.client(tracking_uri).set_terminated(record.mlflow_run_id)
    return record.__dict__


def sample_reply(workspace: str, message: str, run_name: str | None = None) -> str:
    """One reply of the double (the latest run, or `run_name`) to `message`."""
    from chatclone.runs import find_run
    from chatclone.serving import load_persona
    from chatclone.training import pick_device

    ws = open_workspace(Path(workspace))
    return load_persona(find_run(ws.models, run_name), ws.config, device=pick_device()).reply(message)


# --- YouTube channel folders --------------------------------------------------------------


def find_videos(workspace: str, paths: list[str]) -> list[dict]:
    """The videos of the channel folders `paths`, as VideoFiles dicts; raise SourceError for a folder without any."""
    from chatclone.sources.youtube_dir import discover_videos

    videos = []
    for path in paths:
        found = discover_videos(Path(path))
        if not found:
            raise SourceError(path, "no yt-dlp video files (ID.info.json, ID.LANG.vtt, ID.live_chat.json) in this folder")
        videos += [v.as_dict() for v in found]
    return videos


def import_youtube_video(workspace: str, video: dict) -> dict:
    """Import one video of a channel folder; return a result with the keys of a chat file's ImportResult.

    `path` is the video's folder joined with its id; a broken video comes back as 'quarantined'.
    """
    from chatclone import youtube_import
    from chatclone.sources.youtube_dir import VideoFiles

    files = VideoFiles.from_dict(video)
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        r = youtube_import.import_video(wh, files, ws.quarantine)
    first = next((p for p in (files.info, files.live_chat, files.audio, *(p for _, p in files.subtitles)) if p), None)
    path = (first.parent if first else Path(".")) / files.video_id
    rows = r["cues"] + r["words"] + r["chat"]
    status = {"loaded": "ok", "unchanged": "unchanged"}.get(r["status"], "quarantined")
    return {"path": str(path), "source": youtube_import.SOURCE, "status": status, "rows_read": rows,
            "rows_added": rows, "skipped": r["skipped"], "error": r["error"]}


# --- Twitch VOD chat ----------------------------------------------------------------------


def find_twitch_files(workspace: str, paths: list[str]) -> list[str]:
    """The Twitch chat files (JSON, text and IRC logs) of files and folders `paths`; raise SourceError for a folder without any."""
    from chatclone.twitch_import import find_chat_files

    return [str(p) for p in find_chat_files(Path(p) for p in paths)]


def import_twitch_file(workspace: str, path: str) -> dict:
    """Import one Twitch VOD's chat file; return a result with the keys of a chat file's ImportResult (and its video_id).

    A broken file comes back as 'quarantined'.
    """
    from chatclone import twitch_import

    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        r = twitch_import.import_chat_file(wh, Path(path), ws.quarantine)
    status = {"loaded": "ok", "unchanged": "unchanged"}.get(r["status"], "quarantined")
    return {"path": r["path"], "source": twitch_import.SOURCE, "status": status, "rows_read": r["chat"],
            "rows_added": r["chat"], "skipped": r["skipped"], "error": r["error"], "video_id": r["video_id"]}
