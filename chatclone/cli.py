"""The `chatclone` command: a thin skin over the library and the Prefect flows.

Commands that do pipeline work run the flows in flows/ (the same code path as the
deployments); commands that only look (`sql`, `stats`, `videos`) run no flow and answer at once.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from chatclone.errors import ChatcloneError, WarehouseError
from chatclone.workspace import init_workspace, open_workspace, workspace_root

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None)
dataset_app = typer.Typer(no_args_is_help=True, help="Build the training datasets.")
app.add_typer(dataset_app, name="dataset")
ingest_app = typer.Typer(no_args_is_help=True, help="Fetch new VODs from the configured channels.")
app.add_typer(ingest_app, name="ingest")
out = Console()
err = Console(stderr=True)
_state = {"debug": bool(os.environ.get("CHATCLONE_DEBUG"))}

WorkspaceOpt = Annotated[
    Optional[Path],
    typer.Option("--workspace", "-w", help="persona workspace [default: $CHATCLONE_WORKSPACE or ./personas/default]", show_default=False),
]
FORMATS = ("discord", "messenger", "telegram", "twitch", "whatsapp", "youtube-dir")


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False) -> None:
    """chatclone: turn the way one person talks into a fine-tuned LLM double of them."""
    _state["debug"] = _state["debug"] or debug


@app.command()
def init(
    name: Annotated[str, typer.Argument(help="the persona's name")],
    speaker: Annotated[list[str], typer.Option("--speaker", "-s", help="a display name of the person (repeatable)")] = [],
    youtube: Annotated[list[str], typer.Option("--youtube", help="a YouTube channel URL (repeatable)")] = [],
    workspace: WorkspaceOpt = None,
) -> None:
    """Create a persona workspace with a persona.toml to edit.

    Example: chatclone init mika --speaker Mika --workspace personas/mika
    """
    ws = init_workspace(workspace_root(workspace), name, speaker or [name], youtube)
    out.print(f"created workspace {ws.root} (edit {ws.config_path})")


@app.command("import")
def import_(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=f"one of: {', '.join(FORMATS)}")],
    paths: Annotated[Optional[list[Path]], typer.Argument(help="files or folders [default: [[sources.exports]] of persona.toml]")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Load chat exports into the warehouse; broken files are quarantined and reported (exit 1).

    Importing a file again adds nothing. Example: chatclone import discord exports/
    """
    if fmt not in FORMATS:
        raise typer.BadParameter(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}", param_hint="FORMAT")
    ws = open_workspace(workspace_root(workspace))
    if paths:
        requests = [(fmt, [str(p) for p in paths])]
    else:
        from chatclone.pipeline import configured_requests

        requests = [(f, p) for f, p in configured_requests(str(ws.root)) if f == fmt]
        if not requests:
            raise ChatcloneError(f"{ws.config_path}: no [[sources.exports]] of format '{fmt}'; give PATH arguments")
    from flows.import_chats import import_chats

    results = import_chats(str(ws.root), requests)
    _print_imports(results)
    if any(r["status"] == "quarantined" for r in results):
        raise typer.Exit(1)


def _print_imports(results: list[dict]) -> None:
    table = Table("file", "status", "read", "added", "skipped", title="import")
    for r in results:
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(r["skipped"].items()))
        table.add_row(Path(r["path"]).name, r["status"], str(r["rows_read"]), str(r["rows_added"]), skipped)
    out.print(table)
    for r in results:
        if r["status"] == "quarantined":
            err.print(f"quarantined: {r['error']}", markup=False, highlight=False, soft_wrap=True)
    added = sum(r["rows_added"] for r in results)
    bad = sum(r["status"] == "quarantined" for r in results)
    videos = sum(r["source"] in ("youtube-dir", "twitch") for r in results)
    what = [f"{len(results) - videos} file(s)"] * (videos < len(results)) + [f"{videos} video(s)"] * (videos > 0)
    out.print(f"{' and '.join(what)}, {added} row(s) added, {bad} quarantined")


@ingest_app.command("youtube")
def ingest_youtube(
    channel: Annotated[Optional[list[str]], typer.Option("--channel", help="a channel URL [default: youtube_channels of persona.toml]")] = None,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="also fetch VODs given up on after youtube.max_failures")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Fetch what is new on the channels (info.json, subtitles, live chat, audio if configured), load and classify it.

    Incremental: complete VODs are never fetched again; incomplete ones are retried. Exit 1 if a
    channel could not be listed or a VOD is left incomplete.
    """
    ws = open_workspace(workspace_root(workspace))
    if not (channel or ws.config.sources.youtube_channels):
        raise ChatcloneError(f"{ws.config_path}: no [sources] youtube_channels; add a channel URL or pass --channel")
    from flows.ingest_channel import ingest_channel

    result = ingest_channel(str(ws.root), channel or None, retry_failed)
    table = Table("video", "fetch", "import", "cues", "chat", "problem", title="ingest")
    for r in result["vods"]:
        table.add_row(r["video_id"], r["fetch_status"], r["status"], str(r["cues"]), str(r["chat"]), r["error"] or r["chat_error"] or "")
    out.print(table)
    for line in result["listing_errors"]:
        err.print(line, markup=False, highlight=False, soft_wrap=True)
    counts = ", ".join(f"{k} {v}" for k, v in result["categories"].items())
    out.print(f"{len(result['vods'])} VOD(s) fetched; videos: {counts}. See them with `chatclone videos`.")
    if result["listing_errors"] or any(r["fetch_status"] in ("incomplete", "failed") for r in result["vods"]):
        raise typer.Exit(1)


@app.command()
def transcribe(
    model: Annotated[Optional[str], typer.Option("--model", help="bundled:tiny.en, a faster-whisper model name or a local folder [default: [transcribe] model]")] = None,
    only_missing: Annotated[bool, typer.Option("--only-missing", help="only VODs without auto or manual subtitles")] = False,
    all_: Annotated[bool, typer.Option("--all", help="every VOD with audio, ignored ones too")] = False,
    video: Annotated[Optional[list[str]], typer.Option("--video", help="this VOD (repeatable)")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Re-transcribe VOD audio with faster-whisper into `whisper` cues and words (default: every VOD with audio not ignored).

    Audio already transcribed with the same model and settings is skipped. Corrupt audio is
    quarantined (exit 1) and the other VODs go on.
    """
    if sum([only_missing, all_, bool(video)]) > 1:
        raise typer.BadParameter("give at most one of --only-missing, --all, --video")
    ws = open_workspace(workspace_root(workspace))
    from flows.transcribe import transcribe as transcribe_flow

    mode = "only-missing" if only_missing else "all" if all_ else "default"
    result = transcribe_flow(str(ws.root), mode, video or None, model)
    table = Table("video", "status", "audio s", "x real time", "segments", "auto-subs WER", title="transcribe")
    for r in result["vods"]:
        speed = f"{r['duration_s'] / r['elapsed_s']:.1f}" if r["elapsed_s"] else ""
        wer = f"{r['wer']:.1%}" if r["wer"] is not None else ""
        table.add_row(r["video_id"], r["status"], f"{r['duration_s']:.0f}" if r["duration_s"] else "", speed, str(r["segments"]), wer)
    out.print(table)
    for r in result["vods"]:
        if r["status"] == "quarantined":
            err.print(f"quarantined: {r['error']}", markup=False, highlight=False, soft_wrap=True)
    done = sum(r["status"] == "transcribed" for r in result["vods"])
    out.print(f"{done} transcribed, {sum(r['status'] == 'cached' for r in result['vods'])} cached; "
              f"transcripts used for mining: {', '.join(f'{k} {v}' for k, v in result['transcripts'].items())}")
    if any(r["status"] == "quarantined" for r in result["vods"]):
        raise typer.Exit(1)


@app.command()
def videos(
    category: Annotated[Optional[str], typer.Option("--category", "-c", help="only zatsu, solo, ignore or broken")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON list")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """List the VODs with their category, the reason for it, and their fetch and import status."""
    from chatclone.config import CATEGORIES
    from chatclone.warehouse import load_sql

    if category is not None and category not in CATEGORIES:
        raise typer.BadParameter(f"choose one of {', '.join(CATEGORIES)}", param_hint="--category")
    with _open_for_reading(workspace) as wh:
        cursor = wh.execute(load_sql("list_videos"), {"category": category}, origin="sql/list_videos.sql")
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, r)) for r in cursor.fetchall()]
    if as_json:
        sys.stdout.write(json.dumps(rows, default=str, ensure_ascii=False) + "\n")
        return
    table = Table("video", "date", "title", "category", "reason", "fetch", "import", "transcript", title="videos")
    for r in rows:
        table.add_row(r["video_id"], str(r["upload_date"] or ""), (r["title"] or "")[:48], r["category"], r["category_reason"] or "",
                      r["fetch_status"] or "-", r["status"] or "-", r["transcript_source"] or "-")
    out.print(table)


@dataset_app.command("build")
def dataset_build(workspace: WorkspaceOpt = None) -> None:
    """Clean, segment and export the SFT datasets; write reports/dataset.{json,html}.

    Example: chatclone dataset build --workspace personas/mika
    """
    ws = open_workspace(workspace_root(workspace))
    from flows.build_dataset import build_dataset

    _print_build(build_dataset(str(ws.root)))


def _print_build(result: dict) -> None:
    ex = result["examples"]
    out.print(
        f"examples: train {ex.get('train_examples', 0)}, val {ex.get('val_examples', 0)}, test {ex.get('test_examples', 0)}; "
        f"PII scrubbed: {sum(result['pii_scrubbed'].values())}"
    )
    mined, cpt = result.get("mining"), result.get("cpt")
    if mined and mined.get("speech_words"):
        out.print(f"zatsu mining: {mined['reads']} messages read aloud, {mined['read']} read pairs, {mined['hive']} hive pairs "
                  f"from {mined['vods']} VOD(s) ({mined['vods_mined']} new or changed, mined now)")
    if cpt and cpt.get("videos"):
        docs = cpt["documents"]
        out.print(f"CPT corpus: {cpt['videos']} solo VOD(s), {sum(docs.values())} documents ({cpt['words']} words)")
    crowd = result.get("audience")
    if crowd and crowd.get("vods"):
        messages = sum(v for k, v in crowd.items() if k.endswith("_examples"))
        out.print(f"audience model data: {messages} chat messages in context from {crowd['vods']} VOD(s), {crowd['emotes']} emotes as tokens "
                  "(chatclone train --stage audience)")
    out.print(f"datasets: {result['datasets']}")
    out.print(f"report:   {result['report_html']}")


@app.command()
def demo(
    train: Annotated[bool, typer.Option("--train/--no-train", help="also run the short CPU training")] = True,
    workspace: WorkspaceOpt = None,
) -> None:
    """Run the whole pipeline on the bundled demo persona, offline (workspace ./personas/demo)."""
    root = Path(workspace) if workspace else Path("personas/demo")
    from flows.demo import demo as demo_flow

    result = demo_flow(str(root), tracking_uri(root), train)
    _print_imports(result["imports"])
    _print_build(result["dataset"])
    if train:
        _print_training(result["training"], root)
        out.print(f"you: {result['sample']['message']}")
        out.print(f"double: {result['sample']['reply']}", markup=False, highlight=False)
        out.print(f"talk to it: chatclone chat --workspace {root}")
    out.print(f"demo workspace: {root}")


@app.command()
def train(
    stage: Annotated[Optional[str], typer.Option(help="cpt, sft, both, or audience (a model of the stream's chat) [default: [train] stage]")] = None,
    base_model: Annotated[Optional[str], typer.Option(help="bundled:smollm2-135m, a Hugging Face id or a local dir")] = None,
    max_steps: Annotated[Optional[int], typer.Option(help="stop after this many optimizer steps")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="continue from the last checkpoint of an interrupted run")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Fine-tune the persona (LoRA, or QLoRA on CUDA) on the built datasets; log the run to MLflow.

    Example: chatclone train --stage sft --max-steps 30
    """
    if stage is not None and stage not in ("cpt", "sft", "both", "audience"):
        raise typer.BadParameter("choose cpt, sft, both or audience", param_hint="--stage")
    ws = open_workspace(workspace_root(workspace))
    from flows.train_persona import train_persona

    result = train_persona(str(ws.root), tracking_uri(ws.root), stage, base_model, max_steps, resume)
    _print_training(result, ws.root)


def _print_training(result: dict, root: Path) -> None:
    for s in result["stages"]:
        if s and not s.get("cached"):
            out.print(f"{s['stage']}: {s['global_step']} steps, eval loss {s['eval_loss']}, adapter {s['adapter_dir']}")
    ev = result["evaluation"]
    if "perplexity_tuned_context" in ev:
        out.print(f"perplexity per word of held-out chat ({ev['split']}, {ev['examples']} messages): base {ev['perplexity_base_context']:.1f} "
                  f"-> audience model {ev['perplexity_tuned_context']:.1f} with context, {ev['perplexity_tuned_no_context']:.1f} without")
    elif "style_score_tuned" in ev:
        _print_persona_metrics(ev)
    else:
        out.print(f"perplexity on held-out persona turns ({ev['split']}): base {ev['perplexity_base']:.2f} -> tuned {ev['perplexity_tuned']:.2f}")
    out.print(f"run {result['run']}; MLflow: mlflow ui --backend-store-uri {tracking_uri(root)}")


def _open_for_reading(workspace: Path | None):
    from chatclone.warehouse import Warehouse

    ws = open_workspace(workspace_root(workspace))
    if not ws.warehouse_path.exists():
        raise WarehouseError(f"{ws.warehouse_path}: no warehouse yet; run `chatclone import` first")
    return Warehouse(ws.warehouse_path, read_only=True)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="a SQL query on the warehouse")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json")] = "table",
    workspace: WorkspaceOpt = None,
) -> None:
    """Run a read-only SQL query on the warehouse and print the result.

    Example: chatclone sql "SELECT author_name, count(*) FROM messages GROUP BY 1" --format csv
    """
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("choose table, csv or json", param_hint="--format")
    with _open_for_reading(workspace) as wh:
        cursor = wh.query(query)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "json":
        sys.stdout.write(json.dumps([dict(zip(columns, r)) for r in rows], default=str, ensure_ascii=False, indent=1) + "\n")
    else:
        table = Table(*columns)
        for r in rows:
            table.add_row(*("" if v is None else str(v) for v in r))
        out.print(table)


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Row counts of the warehouse: tables, conversations (exported), turns, pairs."""
    with _open_for_reading(workspace) as wh:
        tables = wh.table_counts()
        exported = wh.run("count_exported_conversations")[0][0]
    summary = {
        "messages": tables.get("messages", 0),
        "conversations": tables.get("conversations", 0),
        "conversations_exported": exported,
        "turns": tables.get("turns", 0),
        "pairs": tables.get("pairs", 0),
        "quarantined_files": tables.get("quarantine", 0),
        "tables": tables,
    }
    if as_json:
        sys.stdout.write(json.dumps(summary) + "\n")
        return
    table = Table("table", "rows", title="warehouse")
    for name, n in tables.items():
        table.add_row(name, str(n))
    out.print(table)
    out.print(f"conversations exported: {exported} of {summary['conversations']}")


RunOpt = Annotated[Optional[str], typer.Option("--run", metavar="NAME", help="a training run under models/ [default: the latest]", show_default=False)]


def tracking_uri(workspace_root: Path) -> str:
    """The MLflow tracking URI: $MLFLOW_TRACKING_URI, else the SQLite file mlflow.db in the workspace."""
    from chatclone.tracking import resolve_tracking_uri

    return resolve_tracking_uri(workspace_root)


@app.command("eval")
def eval_(
    run: Annotated[Optional[str], typer.Option("--run", "--run-id", metavar="NAME", help="a training run under models/ [default: the latest]",
                                               show_default=False)] = None,
    split: Annotated[str, typer.Option("--split", metavar="test|val", help="test or val; an empty test split falls back to val")] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Does the double sound like the person? Base model against the double on the held-out split.

    Perplexity of the person's turns; reply ranking (the real reply against [eval] distractors);
    a 0-100 style score; the share of generated replies an authorship classifier gives the person;
    the [eval] scenarios replayed. Everything is logged to the run's MLflow run and saved under
    reports/eval/RUN/ (eval.html, eval.json, replies.jsonl, scenarios.md).
    Example: chatclone eval --json
    """
    if split not in ("test", "val"):
        raise typer.BadParameter("choose test or val", param_hint="--split")
    ws = open_workspace(workspace_root(workspace))
    from chatclone.runs import find_run
    from flows.evaluate_persona import evaluate_persona

    find_run(ws.models, run)  # no run: a one-line error before a flow (and its server) starts

    result = evaluate_persona(str(ws.root), tracking_uri(ws.root), run, split)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    _print_persona_metrics(result)
    out.print(f"MLflow: mlflow ui --backend-store-uri {tracking_uri(ws.root)}")


def _print_persona_metrics(result: dict) -> None:
    """The eval table (base, tuned, the person, chance), the dataset sizes and where the report is."""
    def cell(key: str, fmt: str) -> str:
        return format(result[key], fmt) if result.get(key) is not None else ""

    table = Table("metric", "base", "tuned", "the person", "chance", title=f"eval {result['run']}")
    for prefix, label, fmt in (("perplexity", "perplexity (lower is better)", ".2f"), ("reply_rank_acc1", "reply ranking acc@1", ".2f"),
                               ("reply_rank_mrr", "reply ranking MRR", ".2f"), ("style_score", "style score (0-100)", ".0f"),
                               ("authorship_share", "authorship share", ".2f")):
        if f"{prefix}_tuned" in result:
            table.add_row(label, *(cell(f"{prefix}_{side}", fmt) for side in ("base", "tuned", "real", "chance")))
    out.print(table)
    if "dataset" not in result:
        out.print(f"{result['split']} split: {result['eval_examples']} examples, {result['eval_tokens']} persona tokens")
        return
    sizes = result["dataset"]
    out.print(f"{result['split']} split: {sizes['held_out_prompts']} held-out prompts from {sizes['held_out_examples']} examples; "
              f"trained on {sizes['train_examples']} examples ({sizes['train_persona_replies']} persona replies); "
              f"authorship classifier accuracy {cell('authorship_accuracy', '.2f')}; persona metrics took {result['seconds']:.0f} s")
    if result.get("blindtest_answers"):
        out.print(f"blind test: the real reply picked out in {result['blindtest_share_correct']:.0%} of {result['blindtest_answers']:.0f} answers")
    out.print(f"report: {result['files']['html']}")


@app.command()
def compare(
    run_a: Annotated[str, typer.Argument(metavar="RUN_A", help="a run evaluated with `chatclone eval`")],
    run_b: Annotated[str, typer.Argument(metavar="RUN_B", help="another one")],
    html: Annotated[Optional[Path], typer.Option("--html", metavar="PATH", help="the HTML report [default: reports/eval/compare-RUN_A-vs-RUN_B.html]",
                                                 show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the metric rows as one JSON object")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Two evaluated runs side by side: every metric, and an HTML report with their scenario transcripts.

    Reads the runs' saved evaluations (reports/eval/RUN/eval.json); nothing is recomputed.
    Example: chatclone compare sft-1a2b3c4d5e sft-6f7a8b9c0d --html compare.html
    """
    from chatclone.persona_metrics import compare as comparing
    from chatclone.persona_metrics.report import write_compare_report

    ws = open_workspace(workspace_root(workspace))
    comparison = comparing.compare_runs(ws.reports, run_a, run_b)
    path = write_compare_report(comparison, html or ws.reports / "eval" / f"compare-{run_a}-vs-{run_b}.html")
    if as_json:
        sys.stdout.write(json.dumps({"a": run_a, "b": run_b, "rows": comparison["rows"], "html": str(path)}) + "\n")
        return
    table = Table("metric", f"A: {run_a}", f"B: {run_b}", "B - A", title="compare")
    for row in comparison["rows"]:
        style = {"better": "green", "worse": "red"}.get(row["verdict"], "")
        table.add_row(row["label"], _number(row["a"]), _number(row["b"]),
                      f"[{style}]{row['delta']:+.3g}[/]" if row["delta"] is not None and style else ("" if row["delta"] is None else f"{row['delta']:+.3g}"))
    out.print(table)
    out.print(f"report: {path}")


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f}" if abs(value) >= 1000 or float(value).is_integer() else f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"


@app.command()
def chat(
    run: RunOpt = None,
    once: Annotated[Optional[str], typer.Option("--once", metavar="MESSAGE", help="print the reply to MESSAGE and exit")] = None,
    audience: Annotated[bool, typer.Option("--audience", help="talk to the audience model: you are the streamer, it writes chat lines")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Talk to the double in the terminal; /reset forgets the conversation, /quit or Ctrl-D leaves.

    Sampling follows [generation] in persona.toml. Example: chatclone chat --once "what are you up to?"
    With --audience, each line is what the streamer says and [audience] lines chat messages answer.
    """
    ws = open_workspace(workspace_root(workspace))
    from chatclone.serving import run_repl
    from chatclone.serving.personas import load_audience, load_workspace_persona
    from chatclone.training import pick_device

    err.print(f"loading {ws.config.name}{' (audience)' if audience else ''} ...", style="dim", highlight=False)
    if audience:
        from chatclone.audience import chat_lines
        from chatclone.serving.repl import run_audience_repl

        persona, settings = load_audience(ws, run, device=pick_device()), ws.config.audience
        if once is not None:
            sys.stdout.write("".join(f"{line}\n" for line in chat_lines(persona, once, [], settings.lines, context_lines=settings.context_lines)))
            return
        run_audience_repl(persona, settings.lines, settings.context_lines, output=out)
        return
    persona = load_workspace_persona(ws, run, device=pick_device())
    if once is not None:
        sys.stdout.write(persona.reply(once) + "\n")
        return
    run_repl(persona, output=out)


@app.command()
def serve(
    workspaces: Annotated[Optional[list[Path]], typer.Option("--workspace", "-w", help="a persona workspace to serve (repeat for several) "
                                                             "[default: $CHATCLONE_WORKSPACE or ./personas/default]", show_default=False)] = None,
    host: Annotated[Optional[str], typer.Option(help="address to listen on [default: [serve] host, 127.0.0.1]", show_default=False)] = None,
    port: Annotated[Optional[int], typer.Option(help="port [default: [serve] port, 8000]", show_default=False)] = None,
) -> None:
    """Serve the personas' latest runs over an OpenAI-compatible API (model = persona name).

    Bearer key: the environment variable named by [serve] api_key_env, where set. Example:
    chatclone serve -w personas/mika -w personas/rin --port 8000, then any OpenAI client with
    base_url http://127.0.0.1:8000/v1 and model "mika".
    """
    import uvicorn

    from chatclone.serving.api import create_app
    from chatclone.serving.personas import load_personas
    from chatclone.training import pick_device

    spaces = [open_workspace(workspace_root(w)) for w in (workspaces or [None])]
    settings = spaces[0].config.serve
    err.print(f"loading {', '.join(ws.config.name for ws in spaces)} ...", style="dim", highlight=False)
    personas = load_personas(spaces, device=pick_device())
    api_key = os.environ.get(settings.api_key_env) or None
    host, port = host or settings.host, port or settings.port
    err.print(f"serving {', '.join(personas)} at http://{host}:{port}/v1" + (f" (bearer key from ${settings.api_key_env})" if api_key else ""),
              highlight=False)
    uvicorn.run(create_app(personas, api_key, settings.max_waiting), host=host, port=port, log_level="warning")


@app.command()
def blindtest(
    run: RunOpt = None,
    host: Annotated[str, typer.Option(help="loopback address to listen on: 127.0.0.1, ::1 or localhost")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8765,
    workspace: WorkspaceOpt = None,
) -> None:
    """Can you tell? A local page shows a held-out prompt and two replies, the person's real one and the double's, in random order; people click the one they think is real.

    Needs the run's replies from `chatclone eval`. Answers go to blindtest/answers.jsonl in the workspace; the page
    and `chatclone eval` show the share guessed right (50% means nobody can tell). No accounts; loopback only.
    Example: chatclone blindtest --port 8765, then open http://127.0.0.1:8765/
    """
    from chatclone.blindtest import BlindTest, check_loopback, resolve_run

    check_loopback(host)
    ws = open_workspace(workspace_root(workspace))
    test = BlindTest(ws.root, resolve_run(ws.root, run))
    import uvicorn

    from chatclone.serving.blindtest_app import check_port, create_app

    check_port(host, port)
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
    out.print(f"blind test of run {test.run} ({len(test.items)} prompts): open {url}  (Ctrl-C stops)", highlight=False)
    uvicorn.run(create_app(test, ws.config.name), host=host, port=port, log_level="warning")


bot_app = typer.Typer(no_args_is_help=True, help="Run the double as a chat bot.")
app.add_typer(bot_app, name="bot")


@bot_app.command("discord")
def bot_discord(
    workspaces: Annotated[Optional[list[Path]], typer.Option("--workspace", "-w", metavar="DIR", help="a persona workspace to answer as (repeat for several; "
                                                             "/persona switches) [default: $CHATCLONE_WORKSPACE or ./personas/default]",
                                                             show_default=False)] = None,
    token_env: Annotated[Optional[str], typer.Option("--token-env", metavar="NAME", help="environment variable holding the bot token "
                                                     "[default: [bot] token_env, DISCORD_TOKEN]", show_default=False)] = None,
) -> None:
    """Answer as the personas on Discord: in DMs, when mentioned, and in threads opened with /thread.

    The token comes from $DISCORD_TOKEN (or --token-env) or [bot] secrets_file, never from
    persona.toml. Settings: [bot] of the first workspace, which also keeps bot/permissions.json.
    Example: DISCORD_TOKEN=... chatclone bot discord -w personas/mika -w personas/rin
    """
    from chatclone.serving.bot_config import resolve_token
    from chatclone.serving.discord_bot import run_bot
    from chatclone.serving.personas import load_personas
    from chatclone.training import pick_device

    spaces = [open_workspace(workspace_root(w)) for w in (workspaces or [None])]
    settings = spaces[0].config.bot
    if token_env:
        settings = settings.model_copy(update={"token_env": token_env})
    token = resolve_token(settings, os.environ, spaces[0].root)  # before loading models: a missing token fails fast
    err.print(f"loading {', '.join(ws.config.name for ws in spaces)} ...", style="dim", highlight=False)
    personas = load_personas(spaces, device=pick_device())
    err.print(f"connecting to Discord as {', '.join(personas)} (Ctrl-C stops)", style="dim", highlight=False)
    run_bot(personas, settings, token, spaces[0].resolve(settings.state_dir))


@app.command()
def export(
    merge: Annotated[bool, typer.Option("--merge", help="fold the adapter into the base model: a plain transformers model")] = False,
    run: RunOpt = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="output directory [default: models/RUN/merged]", show_default=False)] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the double as a standalone model and print where it is.

    --merge saves the base model with the adapter merged in (safetensors + tokenizer), which
    loads with AutoModelForCausalLM.from_pretrained. Example: chatclone export --merge --out exports/mika
    """
    if not merge:
        raise ChatcloneError("export needs --merge (the one export so far: the base model with the adapter merged in)")
    ws = open_workspace(workspace_root(workspace))
    from chatclone.merging import merge_adapter, merged_dir
    from chatclone.runs import find_run

    record = find_run(ws.models, run)
    typer.echo(str(merge_adapter(record, out_dir or merged_dir(record))))


# Nothing leaves the machine unless the user configures it: Prefect's anonymous usage
# telemetry is off unless the user turns it on explicitly. The temporary (ephemeral) server sets
# up its database on a first run; on a slow 2-core machine that took over Prefect's 20 s limit,
# and `make demo` on a fresh machine failed with "Timed out ... ephemeral Prefect API server".
PREFECT_DEFAULTS = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
                    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}


# glibc returns large freed blocks to the OS at once; CPU training allocates tensors of a
# new size every step (padding-free packing), so each step page-faults gigabytes afresh
# (2-23 s a step here instead of a steady ~2 s). glibc reads these only at start-up.
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "4294967296", "MALLOC_TRIM_THRESHOLD_": "68719476736", "MALLOC_TOP_PAD_": "1073741824"}


def _reexec_with_malloc_settings() -> None:
    if sys.platform != "linux" or os.environ.get("CHATCLONE_MALLOC_SET"):
        return
    env = {**os.environ, **MALLOC_ENV, "CHATCLONE_MALLOC_SET": "1"}
    os.execve(sys.executable, [sys.executable, "-m", "chatclone", *sys.argv[1:]], env)


def main() -> None:
    """Entry point of the console script: one-line errors, tracebacks only with --debug."""
    _reexec_with_malloc_settings()
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    # bitsandbytes warns on import that an optional CPU kernel package is missing; not ours to fix.
    logging.getLogger("bitsandbytes").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"transformers\.")
    try:
        app()
    except ChatcloneError as e:
        if _state["debug"]:
            raise
        err.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(e.exit_code)
