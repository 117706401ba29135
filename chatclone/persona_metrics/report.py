"""HTML reports of the persona metrics: one run (eval.html) and two runs compared; plots are inlined PNGs (matplotlib).

Each file stands alone: no script, no stylesheet or image to fetch, so it opens from MLflow's
artifact view or from disk alike.
"""

from __future__ import annotations

import base64
import io
import math
from datetime import datetime, timezone
from pathlib import Path

import jinja2

from chatclone.persona_metrics import compare
from chatclone.persona_metrics.style import FEATURES

COLORS = {"real": "#2b8a3e", "base": "#1c7ed6", "tuned": "#d9480f"}
NAMES = {"real": "the person", "base": "base", "tuned": "tuned"}
SAMPLE_REPLIES = 12


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png(fig) -> str:
    """A matplotlib figure as base64 PNG (for a data: URL); the figure is closed."""
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    _pyplot().close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _bars(ax, title: str, values: dict[str, float | None], top: float, chance: float | None = None) -> None:
    names = [n for n in ("real", "base", "tuned") if values.get(n) is not None]
    ax.bar([NAMES[n] for n in names], [values[n] for n in names], color=[COLORS[n] for n in names])
    for i, n in enumerate(names):
        ax.text(i, values[n], f"{values[n]:.2f}" if top <= 1 else f"{values[n]:.0f}", ha="center", va="bottom", fontsize=8)
    if chance is not None:
        ax.axhline(chance, color="#888", linestyle="--", linewidth=1, label="chance")
        ax.legend(fontsize=7, loc="upper left")
    ax.set_ylim(0, top * 1.12)
    ax.set_title(title, fontsize=10)


def summary_png(metrics: dict) -> str:
    """Bars of the four headline metrics: ranking acc@1 and MRR (with chance), style score, authorship share."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(11, 3), dpi=100)
    m = metrics.get
    _bars(axes[0], "reply ranking acc@1", {"base": m("reply_rank_acc1_base"), "tuned": m("reply_rank_acc1_tuned")}, 1, m("reply_rank_acc1_chance"))
    _bars(axes[1], "reply ranking MRR", {"base": m("reply_rank_mrr_base"), "tuned": m("reply_rank_mrr_tuned")}, 1, m("reply_rank_mrr_chance"))
    _bars(axes[2], "style score (0-100)", {s: m(f"style_score_{s}") for s in ("real", "base", "tuned")}, 100)
    _bars(axes[3], "authorship share", {s: m(f"authorship_share_{s}") for s in ("real", "base", "tuned")}, 1)
    return png(fig)


def style_features_png(style: dict) -> str:
    """Grouped bars: each style feature's score for the person's held-out replies, base and tuned."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 3.2), dpi=100)
    width = 0.27
    for j, name in enumerate(("real", "base", "tuned")):
        scores = [style[name]["features"][f]["score"] for f in FEATURES]
        ax.bar([i + (j - 1) * width for i in range(len(FEATURES))], scores, width, label=NAMES[name], color=COLORS[name])
    ax.set_xticks(range(len(FEATURES)), [f.replace("_", " ") for f in FEATURES], fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("feature score")
    ax.legend(fontsize=8, ncols=3, loc="lower right")
    return png(fig)


def lengths_png(replies: list[dict]) -> str:
    """Histograms of reply length (characters, log scale): the person's held-out replies, base and tuned."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 3), dpi=100)
    lengths = {name: [max(1, len(r[name])) for r in replies] for name in ("real", "base", "tuned")}
    top = max(max(v) for v in lengths.values())
    bins = [2 ** (i / 2) for i in range(int(2 * math.log2(top)) + 3)]
    for name, values in lengths.items():
        ax.hist(values, bins=bins, histtype="step", linewidth=1.8, label=NAMES[name], color=COLORS[name])
    ax.set_xscale("log")
    ax.set_xlabel("reply length (characters, log scale)")
    ax.set_ylabel("replies")
    ax.legend(fontsize=8)
    return png(fig)


def authorship_png(probabilities: dict) -> str:
    """Histograms of the classifier's persona probability for the person's held-out replies, base and tuned."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 3), dpi=100)
    bins = [i / 10 for i in range(11)]
    for name in ("real", "base", "tuned"):
        ax.hist(probabilities[name], bins=bins, histtype="step", linewidth=1.8, label=NAMES[name], color=COLORS[name])
    ax.axvline(0.5, color="#888", linestyle="--", linewidth=1)
    ax.set_xlabel("probability the persona wrote it")
    ax.set_ylabel("replies")
    ax.legend(fontsize=8)
    return png(fig)


def compare_png(comparison: dict) -> str:
    """Bars of the tuned model's headline metrics, run A against run B."""
    plt = _pyplot()
    a, b = comparison["a"]["metrics"], comparison["b"]["metrics"]
    keys = [("reply_rank_acc1_tuned", "ranking acc@1", 1), ("reply_rank_mrr_tuned", "ranking MRR", 1),
            ("style_score_tuned", "style score / 100", 100), ("authorship_share_tuned", "authorship share", 1)]
    keys = [k for k in keys if k[0] in a or k[0] in b]
    fig, ax = plt.subplots(figsize=(8, 3), dpi=100)
    for j, (metrics, run, color) in enumerate(((a, comparison["a"]["run"], "#868e96"), (b, comparison["b"]["run"], "#d9480f"))):
        ax.bar([i + (j - 0.5) * 0.38 for i in range(len(keys))], [metrics.get(k, 0) / scale for k, _, scale in keys], 0.38, label=run, color=color)
    ax.set_xticks(range(len(keys)), [label for _, label, _ in keys], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    return png(fig)


def _missing(value) -> bool:
    """A metric left out of the run (None, or absent from the metrics dict)."""
    return value is None or isinstance(value, jinja2.Undefined)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("chatclone", "templates"), autoescape=True)
    env.filters["num"] = lambda v: "" if _missing(v) else (f"{v:.0f}" if abs(v) >= 1000 or float(v).is_integer() else f"{v:.3g}" if abs(v) < 1 else f"{v:.1f}")
    env.filters["signed"] = lambda v: "" if _missing(v) else f"{v:+.3g}"
    return env


def write_eval_report(result: dict, path: Path) -> Path:
    """Write the HTML report of one run's evaluation (`suite.evaluate_persona`'s result, perplexity merged in) to `path`."""
    metrics = result["metrics"]
    table = [{"label": compare.label_of(f"{prefix}_tuned").removesuffix(", tuned"), "base": metrics.get(f"{prefix}_base"),
              "tuned": metrics.get(f"{prefix}_tuned"), "real": metrics.get(f"{prefix}_real"), "chance": metrics.get(f"{prefix}_chance")}
             for prefix in ("perplexity", "reply_rank_acc1", "reply_rank_mrr", "style_score", "authorship_share")]
    html = _env().get_template("eval_report.html").render(
        r=result, m=metrics, table=table, generated=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        summary=summary_png(metrics), features=style_features_png(result["style"]) if result["style"] else None,
        lengths=lengths_png(result["replies"]), samples=result["replies"][:SAMPLE_REPLIES],
        authorship=authorship_png(result["authorship"]["probabilities"]) if result["authorship"] else None,
        feature_names=list(FEATURES),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def write_compare_report(comparison: dict, path: Path) -> Path:
    """Write the HTML report of two runs compared (`compare.compare_runs`'s result) to `path`: the metric table,
    a bar chart, the dataset sizes and the scenario transcripts of both tuned models side by side."""
    a, b = comparison["a"], comparison["b"]
    html = _env().get_template("eval_compare.html").render(
        a=a, b=b, rows=comparison["rows"], chart=compare_png(comparison), scenarios=compare.paired_scenarios(a, b),
        generated=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
