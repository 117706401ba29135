"""Two evaluated runs side by side, from their saved results (reports/eval/<run>/eval.json): nothing is recomputed."""

from __future__ import annotations

from pathlib import Path

from chatclone.persona_metrics import results

# (metric, label, which way is better: "higher", "lower" or None for context figures), in table order.
METRICS = (
    ("perplexity_tuned", "perplexity, tuned", "lower"),
    ("perplexity_base", "perplexity, base", "lower"),
    ("reply_rank_acc1_tuned", "reply ranking acc@1, tuned", "higher"),
    ("reply_rank_acc1_base", "reply ranking acc@1, base", "higher"),
    ("reply_rank_acc1_chance", "reply ranking acc@1, chance", None),
    ("reply_rank_mrr_tuned", "reply ranking MRR, tuned", "higher"),
    ("reply_rank_mrr_base", "reply ranking MRR, base", "higher"),
    ("reply_rank_mrr_chance", "reply ranking MRR, chance", None),
    ("style_score_tuned", "style score, tuned", "higher"),
    ("style_score_base", "style score, base", "higher"),
    ("style_score_real", "style score, the person's held-out replies", None),
    ("authorship_share_tuned", "authorship share, tuned", "higher"),
    ("authorship_share_base", "authorship share, base", "higher"),
    ("authorship_share_real", "authorship share, the person's held-out replies", None),
    ("authorship_accuracy", "authorship classifier balanced accuracy (held-out)", None),
    ("blindtest_share_correct", "blind test: share of real replies picked out", "lower"),
    ("blindtest_answers", "blind test: answers", None),
    ("eval_prompts", "held-out prompts", None),
    ("eval_train_examples", "training examples", None),
)
STYLE_FEATURE_PREFIX = "style_"


def label_of(key: str) -> str:
    """The table label of a metric (style feature scores read `style: length, tuned`)."""
    for name, label, _ in METRICS:
        if name == key:
            return label
    if key.startswith(STYLE_FEATURE_PREFIX):
        feature, _, side = key.removeprefix(STYLE_FEATURE_PREFIX).rpartition("_")
        return f"style: {feature.replace('_', ' ')}, {'the person' if side == 'real' else side}"
    return key.replace("_", " ")


def better_of(key: str) -> str | None:
    """"higher" or "lower" when that way is better for metric `key`, else None."""
    for name, _, way in METRICS:
        if name == key:
            return way
    if key.startswith(STYLE_FEATURE_PREFIX) and key.endswith(("_base", "_tuned")):
        return "higher"
    return None


def rows(a: dict, b: dict) -> list[dict]:
    """One row per metric of either run's `metrics`: {"key", "label", "a", "b", "delta", "verdict"} in METRICS order,
    then the style features; verdict is "better" or "worse" for b against a where a direction applies."""
    known = [name for name, _, _ in METRICS]
    keys = [k for k in known if k in a or k in b] + sorted((a.keys() | b.keys()) - set(known))
    out = []
    for key in keys:
        va, vb = a.get(key), b.get(key)
        delta = vb - va if va is not None and vb is not None else None
        way = better_of(key)
        verdict = ""
        if delta and way:
            verdict = "better" if (delta > 0) == (way == "higher") else "worse"
        out.append({"key": key, "label": label_of(key), "a": va, "b": vb, "delta": delta, "verdict": verdict})
    return out


def paired_scenarios(a: dict, b: dict) -> list[dict]:
    """The tuned models' scenario transcripts of two results, paired by scenario name and turn:
    [{"name", "turns": [{"user", "user_b", "a", "b"}]}]; "user_b" is set only where run B was asked something else."""
    found_b = {s["name"]: s["turns"] for s in b.get("scenarios", [])}
    names = [s["name"] for s in a.get("scenarios", [])] + [n for n in found_b if n not in {s["name"] for s in a.get("scenarios", [])}]
    found_a = {s["name"]: s["turns"] for s in a.get("scenarios", [])}
    paired = []
    for name in names:
        turns_a, turns_b = found_a.get(name, []), found_b.get(name, [])
        turns = []
        for i in range(max(len(turns_a), len(turns_b))):
            ta = turns_a[i] if i < len(turns_a) else {}
            tb = turns_b[i] if i < len(turns_b) else {}
            user = ta.get("user", tb.get("user", ""))
            turns.append({"user": user, "user_b": tb["user"] if tb.get("user", user) != user else None,
                          "a": ta.get("tuned"), "b": tb.get("tuned")})
        paired.append({"name": name, "turns": turns})
    return paired


def compare_runs(reports_dir: Path, run_a: str, run_b: str) -> dict:
    """{"a": eval.json of run_a, "b": eval.json of run_b, "rows": the metric rows}; raises ChatcloneError when one is not evaluated."""
    a, b = results.load(reports_dir, run_a), results.load(reports_dir, run_b)
    return {"a": a, "b": b, "rows": rows(a["metrics"], b["metrics"])}
