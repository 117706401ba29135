"""The dataset report: reports/dataset.json (numbers) and reports/dataset.html (tables, plots, samples)."""

from __future__ import annotations

import base64
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import jinja2

from chatclone.config import PersonaConfig
from chatclone.warehouse import Warehouse

SAMPLE_CONVERSATIONS = 3


def _rows(wh: Warehouse, name: str, columns: list[str], **params) -> list[dict]:
    return [dict(zip(columns, r)) for r in wh.run(name, **params)]


def collect(wh: Warehouse, config: PersonaConfig, export_counts: dict, cleaning_counts: dict) -> dict:
    """Every figure of the report as a JSON-ready dict."""
    lengths = wh.run("report_turn_lengths")
    target = [n for is_target, n in lengths if is_target]
    others = [n for is_target, n in lengths if not is_target]
    return {
        "persona": config.name,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "sources": _rows(wh, "report_sources", ["source", "messages", "channels", "authors", "first_ts", "last_ts"]),
        "message_filters": {r["reason"]: r["n"] for r in _rows(wh, "report_message_drops", ["reason", "n"])},
        "conversation_filters": _rows(wh, "report_conversation_drops", ["reason", "conversations", "messages"]),
        "cleaning": {k: int(v) for k, v in sorted(cleaning_counts.items())},
        # chat exports are scrubbed while cleaning, mined stream pairs while exporting
        "pii_scrubbed": {k: int(cleaning_counts.get(k, 0)) + int(export_counts.get(f"scrubbed_{k}", 0))
                         for k in ("email", "phone", "ip", "secret", "invite")},
        "examples": {k: int(v) for k, v in sorted(export_counts.items()) if not k.startswith("scrubbed_")},
        "turns": {
            "target": len(target),
            "others": len(others),
            "target_mean_chars": round(sum(target) / len(target), 1) if target else 0,
            "others_mean_chars": round(sum(others) / len(others), 1) if others else 0,
        },
        "top_authors": _rows(wh, "report_top_authors", ["author_name", "author_id", "messages"], limit=10),
        "videos": _rows(wh, "report_videos", ["category", "videos", "transcripts"]),
        "pairs": _rows(wh, "report_pairs", ["method", "pairs", "mean_score", "min_score"]),
        "pair_samples": _rows(wh, "report_pair_samples", ["video_id", "method", "score", "prompt", "response"], limit=8),
        "_lengths": {"target": target, "others": others},
    }


def _histogram_png(lengths: dict[str, list[int]]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=110)
    top = max([1, *lengths["target"], *lengths["others"]])
    bins = [1]
    while bins[-1] <= top:  # powers of two up to just past the longest turn
        bins.append(bins[-1] * 2)
    for label, key, color in (("persona", "target", "#d9480f"), ("others", "others", "#1c7ed6")):
        if lengths[key]:
            ax.hist(lengths[key], bins=bins, alpha=0.6, label=f"{label} ({len(lengths[key])})", color=color)
    ax.set_xscale("log")
    ax.set_xlabel("turn length (characters, log scale)")
    ax.set_ylabel("turns")
    ax.legend()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _samples(datasets_dir: Path, n: int) -> list[list[dict]]:
    path = datasets_dir / "sft.jsonl"
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["messages"] for line, _ in zip(f, range(n))]


def write_report(report: dict, datasets_dir: Path, reports_dir: Path) -> tuple[Path, Path]:
    """Write dataset.json and dataset.html into `reports_dir`; return their paths."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    public = {k: v for k, v in report.items() if not k.startswith("_")}
    json_path = reports_dir / "dataset.json"
    json_path.write_text(json.dumps(public, indent=2, default=str), encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.PackageLoader("chatclone", "templates"), autoescape=True)
    html = env.get_template("dataset_report.html").render(
        r=public, histogram=_histogram_png(report["_lengths"]), samples=_samples(datasets_dir, SAMPLE_CONVERSATIONS)
    )
    html_path = reports_dir / "dataset.html"
    html_path.write_text(html, encoding="utf-8")
    return json_path, html_path
