import json
from pathlib import Path

import pytest

from chatclone.tracking import default_tracking_uri
from chatclone.warehouse import Warehouse
from flows.demo import demo

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "personas" / "demo"
    return root, demo(str(root), default_tracking_uri(root), train=False)


def test_demo_imports_every_bundled_file_and_quarantines_only_the_broken_vod(demo_run):
    _, result = demo_run
    assert len(result["imports"]) == 7
    assert {Path(r["path"]).name: r["status"] for r in result["imports"] if r["status"] != "ok"} == {"mikaBroken4": "quarantined"}


def test_demo_channel_is_classified_transcribed_and_mined(demo_run):
    root, result = demo_run
    with Warehouse(root / "warehouse.duckdb", read_only=True) as wh:
        categories = dict(wh.execute("SELECT video_id, category FROM videos").fetchall())
        sources = dict(wh.execute("SELECT video_id, transcript_source FROM videos").fetchall())
    assert categories == {"mikaZatsu01": "zatsu", "mikaSolo002": "solo", "mikaKaraok3": "ignore", "mikaBroken4": "broken"}
    assert sources["mikaZatsu01"] == "whisper" and sources["mikaSolo002"] == "whisper"
    assert {r["video_id"] for r in result["transcripts"]["vods"] if r["status"] == "transcribed"} == {"mikaZatsu01", "mikaSolo002"}
    mined = result["dataset"]["mining"]
    assert mined["reads"] >= 7 and mined["read"] >= 7 and mined["hive"] >= 1
    cpt = [json.loads(line) for line in (root / "datasets" / "cpt.jsonl").read_text(encoding="utf-8").splitlines()]
    assert cpt and {d["video_id"] for d in cpt} == {"mikaSolo002"}
    sft = (root / "datasets" / "sft.jsonl").read_text(encoding="utf-8")
    assert "chat: @yuki_snow: what did you eat today?" in sft
    pairs = {p["method"]: p for p in result["dataset"]["pairs"]}
    assert pairs["read"]["pairs"] == mined["read"] and pairs["hive"]["mean_score"] < pairs["read"]["min_score"]
    assert "Zatsu pairs" in (root / "reports" / "dataset.html").read_text(encoding="utf-8")


def test_demo_builds_all_splits_and_the_report(demo_run):
    root, result = demo_run
    examples = result["dataset"]["examples"]
    assert all(examples.get(f"{s}_examples", 0) > 0 for s in ("train", "val", "test"))
    for name in ("sft.jsonl", "sft.val.jsonl", "sft.test.jsonl", "sft.sharegpt.jsonl", "sft.alpaca.jsonl", "manifest.json"):
        assert (root / "datasets" / name).exists(), name
    assert (root / "reports" / "dataset.html").exists()


def test_demo_exercises_every_filter(demo_run):
    _, result = demo_run
    message_drops = result["dataset"]["message_filters"]
    assert {"bot", "single_ping", "non_response", "ender"} <= message_drops.keys()
    assert "low_quality" in {c["reason"] for c in result["dataset"]["conversation_filters"]}


def test_demo_messenger_mojibake_is_fixed(demo_run):
    root, _ = demo_run
    with Warehouse(root / "warehouse.duckdb", read_only=True) as wh:
        names = {n for (n,) in wh.execute("SELECT DISTINCT author_name FROM messages WHERE source = 'messenger'").fetchall()}
    assert "Zoë Yukimura" in names
    assert not any("Ã" in n for n in names)


def test_demo_exports_no_fake_pii(demo_run):
    root, _ = demo_run
    text = "".join(p.read_text(encoding="utf-8") for p in (root / "datasets").glob("*.jsonl"))
    for secret in ("mika.demo@example.com", "10.0.0.12", "sk-demo0123456789abcdefghij"):
        assert secret not in text
    assert "<email>" in text


def test_rerunning_the_demo_adds_nothing(demo_run):
    root, first = demo_run
    again = demo(str(root), default_tracking_uri(root), train=False)
    assert {r["status"] for r in again["imports"]} == {"unchanged", "quarantined"}
    assert {r["status"] for r in again["transcripts"]["vods"]} == {"cached"}
    assert json.dumps(again["dataset"]["examples"], sort_keys=True) == json.dumps(first["dataset"]["examples"], sort_keys=True)


@pytest.mark.slow
def test_demo_trains_a_double_that_beats_the_base_model(tmp_path):
    root = tmp_path / "personas" / "demo"
    result = demo(str(root), default_tracking_uri(root))
    evaluation = result["training"]["evaluation"]
    assert evaluation["perplexity_tuned"] < evaluation["perplexity_base"]
    assert evaluation["reply_rank_mrr_tuned"] > evaluation["reply_rank_mrr_base"]
    assert evaluation["authorship_share_tuned"] > evaluation["authorship_share_base"]
    assert evaluation["style_score_tuned"] > evaluation["style_score_base"]
    assert result["sample"]["reply"].strip()
