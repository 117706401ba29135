"""Benchmark: how well zatsu mining finds the reads and answers of scripted streams, whisper vs auto-subs.

    .venv/bin/python benchmarks/mining_quality.py [--stream DIR ...]

Each scripted stream (by default the demo's examples/demo/raw/youtube/mikaZatsu01 and the test-only
tests/data/youtube_scripted/*) is a folder as yt-dlp leaves it plus `ID.truth.json`, its ground
truth. For each stream and each transcript — Whisper (bundled tiny.en on the audio) and the
auto-subs text (lower case, unpunctuated) — it loads the folder into a fresh workspace, mines it and
prints read precision and recall and the mean answer-boundary error (seconds). Goal with whisper:
precision >= 0.9, recall >= 0.8.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_STREAMS = [REPO / "examples" / "demo" / "raw" / "youtube" / "mikaZatsu01", *sorted((REPO / "tests" / "data" / "youtube_scripted").glob("*"))]


def measure(stream: Path, source: str, root: Path) -> dict:
    """Mine one scripted stream with one transcript source ('whisper' or 'auto'); return chatclone.mining_eval.evaluate's figures."""
    from chatclone import ingest, pipeline, transcription
    from chatclone.mining_eval import evaluate, load_truth
    from chatclone.sources.youtube_dir import discover_videos
    from chatclone.warehouse import Warehouse
    from chatclone.workspace import init_workspace

    ws = init_workspace(root / f"{stream.name}-{source}", "bench", ["Mika"])
    with open(ws.config_path, "a", encoding="utf-8") as f:
        f.write(f'\n[transcribe]\nprefer = ["{source}"]\n')
    (video,) = [v for v in discover_videos(stream) if v.video_id == stream.name]
    pipeline.import_youtube_video(str(ws.root), video.as_dict())
    ingest.classify(str(ws.root))
    if source == "whisper":
        for vod in transcription.plan(str(ws.root), "all"):
            transcription.transcribe_video(str(ws.root), vod)
    transcription.choose_transcripts(str(ws.root))
    pipeline.mine(str(ws.root))
    with Warehouse(ws.warehouse_path, read_only=True) as wh:
        return evaluate(wh, video.video_id, load_truth(stream / f"{video.video_id}.truth.json"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stream", type=Path, action="append", help="a scripted stream folder (repeatable)")
    args = parser.parse_args(argv)
    streams = args.stream or [s for s in DEFAULT_STREAMS if s.is_dir()]
    if not streams:
        sys.exit("no scripted stream found (run examples/demo/make_demo_channel.py)")
    root = Path(tempfile.mkdtemp(prefix="chatclone-bench-mining-"))
    rows = []
    try:
        for stream in streams:
            for source in ("whisper", "auto"):
                r = measure(stream, source, root)
                rows.append((stream.name, source, r))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("| stream | transcript | reads true | found | correct | precision | recall | answer boundary error s | hive true / found / matching |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, source, r in rows:
        boundary = f"{r['answer_boundary_error_s']:.2f}" if r["answer_boundary_error_s"] is not None else "–"
        print(f"| {name} | {source} | {r['reads_true']} | {r['reads_found']} | {r['reads_correct']} | {r['precision']:.2f} | "
              f"{r['recall']:.2f} | {boundary} | {r['hive_true']} / {r['hive_found']} / {r['hive_matched']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
