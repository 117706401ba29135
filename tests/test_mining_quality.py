"""Mining on the test-only scripted stream (tests/data/youtube_scripted): reads against its ground truth."""

from __future__ import annotations

import pytest

from chatclone import ingest, pipeline, transcription
from chatclone.mining_eval import evaluate, load_truth
from chatclone.sources.youtube_dir import discover_videos
from chatclone.warehouse import Warehouse
from chatclone.workspace import init_workspace

pytestmark = pytest.mark.integration
VIDEO = "mikaZatsu05"


@pytest.fixture(params=["whisper", "auto"])
def mined(request, tmp_path, test_data):
    stream = test_data / "youtube_scripted" / VIDEO
    ws = init_workspace(tmp_path / "ws", "mika", ["Mika"])
    with open(ws.config_path, "a", encoding="utf-8") as f:
        f.write(f'\n[transcribe]\nprefer = ["{request.param}"]\n')
    (video,) = discover_videos(stream)
    pipeline.import_youtube_video(str(ws.root), video.as_dict())
    ingest.classify(str(ws.root))
    if request.param == "whisper":
        for vod in transcription.plan(str(ws.root), "all"):
            transcription.transcribe_video(str(ws.root), vod)
    transcription.choose_transcripts(str(ws.root))
    pipeline.mine(str(ws.root))
    with Warehouse(ws.warehouse_path, read_only=True) as wh:
        return request.param, evaluate(wh, VIDEO, load_truth(stream / f"{VIDEO}.truth.json"))


def test_reads_are_found_with_high_precision_and_recall(mined):
    source, figures = mined
    # Measured: whisper 1.00 / 0.86 (tiny.en drops one late read's audio), auto-subs 1.00 / 1.00.
    assert figures["precision"] >= 0.9 and figures["recall"] >= 0.8, (source, figures)
    assert figures["answer_boundary_error_s"] < 3.0, (source, figures)
