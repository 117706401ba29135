"""How well mining found what a scripted stream's ground truth says: read precision and recall, answer boundaries.

A truth file (`ID.truth.json`, written by examples/demo/make_demo_channel.py) lists the messages the
streamer read aloud with the times of the read and of the answer, and the hive answers.
"""

from __future__ import annotations

import json
from pathlib import Path

from chatclone.warehouse import Warehouse


def load_truth(path: Path) -> dict:
    """The ground truth of a scripted stream: {"reads": [...], "hive": [...], ...}."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def evaluate(wh: Warehouse, video_id: str, truth: dict) -> dict:
    """Compare the mined reads and pairs of one VOD with its truth.

    Returns {"reads_true", "reads_found", "reads_correct", "precision", "recall",
    "answer_boundary_error_s" (mean of |start error| and |end error| over correctly found reads),
    "hive_true", "hive_found", "hive_matched" (hive pairs whose answer overlaps a true hive answer)}.
    """
    true_reads = {r["message_id"]: r for r in truth["reads"]}
    found = {m: (s, e) for m, s, e in wh.run("mined_read_answers", video_id=video_id)}
    correct = [m for m in found if m in true_reads]
    errors = []
    for m in correct:
        start, end = found[m]
        if start is not None:
            errors += [abs(start - true_reads[m]["answer_start_s"]), abs(end - true_reads[m]["answer_end_s"])]
    hive = wh.run("mined_hive_answers", video_id=video_id)
    matched = sum(any(s < h["answer_end_s"] and e > h["answer_start_s"] for h in truth.get("hive", [])) for s, e in hive)
    return {
        "reads_true": len(true_reads), "reads_found": len(found), "reads_correct": len(correct),
        "precision": len(correct) / len(found) if found else 0.0,
        "recall": len(correct) / len(true_reads) if true_reads else 0.0,
        "answer_boundary_error_s": sum(errors) / len(errors) if errors else None,
        "hive_true": len(truth.get("hive", [])), "hive_found": len(hive), "hive_matched": matched,
    }
