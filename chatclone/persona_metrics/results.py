"""The saved results of `chatclone eval`, one folder per run: reports/eval/<run>/.

- eval.json: every metric and detail (what `chatclone compare` reads; nothing is recomputed);
- replies.jsonl: one held-out prompt a line, {"id", "messages", "real", "tuned", "base"}; `messages` are the
  context, OpenAI-style role/content, the last one the prompt (`chatclone blindtest` reads this file);
- scenarios.json and scenarios.md: the scenario transcripts, base and tuned side by side;
- eval.html: the report (chatclone/persona_metrics/report.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from chatclone.errors import ChatcloneError
from chatclone.persona_metrics.scenarios import write_transcripts

RESULTS = "eval.json"
REPLIES = "replies.jsonl"
REPLY_KEYS = ("id", "messages", "real", "tuned", "base")


def eval_dir(reports_dir: Path, run_name: str) -> Path:
    """The folder of a run's evaluation results: <reports>/eval/<run>."""
    return Path(reports_dir) / "eval" / run_name


def save(result: dict, directory: Path) -> dict[str, Path]:
    """Write eval.json (the result without its replies), replies.jsonl and the scenario transcripts; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"results": directory / RESULTS, "replies": directory / REPLIES}
    paths["results"].write_text(json.dumps({k: v for k, v in result.items() if k != "replies"}, indent=2, ensure_ascii=False), encoding="utf-8")
    with open(paths["replies"], "w", encoding="utf-8") as f:
        for row in result["replies"]:
            f.write(json.dumps({k: row[k] for k in REPLY_KEYS}, ensure_ascii=False) + "\n")
    paths["scenarios_json"], paths["scenarios_md"] = write_transcripts(result["run"], result["scenarios"], directory)
    return paths


def load(reports_dir: Path, run_name: str) -> dict:
    """The saved eval.json of run `run_name`; raises ChatcloneError when the run has not been evaluated."""
    path = eval_dir(reports_dir, run_name) / RESULTS
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ChatcloneError(f"{path}: run {run_name} has no saved evaluation; run `chatclone eval --run {run_name}` first") from None
    except json.JSONDecodeError as e:
        raise ChatcloneError(f"{path}: not valid JSON ({e.msg} at line {e.lineno}); run `chatclone eval --run {run_name}` again") from None


def read_replies(path: Path) -> list[dict]:
    """The rows of a replies.jsonl file."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
