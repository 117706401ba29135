"""The `transcribe` flow on a channel folder: whisper cues and words, cache, quarantine, transcript choice."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chatclone.warehouse import Warehouse
from chatclone.workspace import init_workspace
from flows.import_chats import import_chats
from flows.transcribe import transcribe

pytestmark = pytest.mark.integration
TESTS = Path(__file__).resolve().parents[1]
JFK = TESTS / "data" / "audio" / "jfk.flac"
AUTO_VTT = TESTS / "data" / "subtitles" / "youtube_dl.vtt"


def info(video_id: str, title: str) -> str:
    return json.dumps({"id": video_id, "title": title, "live_status": "was_live", "automatic_captions": {"en": []}, "subtitles": {}})


@pytest.fixture
def channel(tmp_path):
    """Three VODs with audio: one with auto-subs, one without, one whose audio is corrupt."""
    root = tmp_path / "channel"
    for video_id, title in [("withsubs001", "free talk"), ("nosubs00002", "drawing"), ("corrupt0003", "zatsu")]:
        (root / video_id).mkdir(parents=True)
        (root / video_id / f"{video_id}.info.json").write_text(info(video_id, title))
        shutil.copy(JFK, root / video_id / f"{video_id}.flac")
    shutil.copy(AUTO_VTT, root / "withsubs001" / "withsubs001.en.vtt")
    (root / "corrupt0003" / "corrupt0003.flac").write_bytes(b"fLaC" + b"\0" * 100)
    return root


@pytest.fixture
def workspace(tmp_path, channel):
    ws = init_workspace(tmp_path / "ws", "mika", ["Mika"])
    import_chats(str(ws.root), [("youtube-dir", [str(channel)])])
    return str(ws.root)


def rows(ws: str, sql: str) -> list[tuple]:
    with Warehouse(Path(ws) / "warehouse.duckdb", read_only=True) as wh:
        return wh.con.execute(sql).fetchall()


def test_transcribes_each_vod_quarantines_the_corrupt_one_and_prefers_whisper(workspace, channel):
    result = transcribe(workspace)

    status = {r["video_id"]: r["status"] for r in result["vods"]}
    assert status == {"withsubs001": "transcribed", "nosubs00002": "transcribed", "corrupt0003": "quarantined"}
    quarantined = next(r for r in result["vods"] if r["status"] == "quarantined")
    assert "corrupt0003.flac" in quarantined["error"] and "cannot decode audio" in quarantined["error"]
    assert rows(workspace, "SELECT path, source FROM quarantine") == [(str(channel / "corrupt0003" / "corrupt0003.flac"), "whisper")]
    words = rows(workspace, "SELECT video_id, word, start_s, end_s, probability FROM words WHERE source = 'whisper' AND word LIKE 'Americans%'")
    assert {w[0] for w in words} == {"withsubs001", "nosubs00002"} and all(s <= 1.8 <= e and p > 0 for _, _, s, e, p in words)
    assert rows(workspace, "SELECT video_id, transcript_source FROM videos ORDER BY video_id") == [
        ("corrupt0003", None), ("nosubs00002", "whisper"), ("withsubs001", "whisper")]
    wer = dict(rows(workspace, "SELECT video_id, whisper_wer FROM videos"))
    assert wer["nosubs00002"] is None and wer["withsubs001"] > 0.9  # its auto-subs are another recording's
    text = " ".join(t for (t,) in rows(workspace, "SELECT text FROM transcript_cues WHERE video_id = 'nosubs00002' ORDER BY start_s"))
    assert "my fellow Americans" in text


def test_rerun_transcribes_nothing_and_changed_audio_is_redone(workspace, channel):
    transcribe(workspace)
    again = transcribe(workspace)
    assert sorted(r["status"] for r in again["vods"]) == ["cached", "cached", "quarantined"]

    with open(channel / "nosubs00002" / "nosubs00002.flac", "ab") as f:
        f.write(b"\0")  # same speech, different bytes: a different file
    third = transcribe(workspace, video_ids=["nosubs00002"])
    assert [r["status"] for r in third["vods"]] == ["transcribed"]
    assert rows(workspace, "SELECT count(*) FROM transcriptions") == [(2,)]


def test_only_missing_takes_the_vods_without_subtitles(workspace):
    result = transcribe(workspace, mode="only-missing")
    assert sorted(r["video_id"] for r in result["vods"]) == ["corrupt0003", "nosubs00002"]


def test_preference_for_auto_subs_is_honoured(workspace):
    config = Path(workspace) / "persona.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[transcribe]\nprefer = ["auto", "whisper"]\n', encoding="utf-8")
    transcribe(workspace)
    assert dict(rows(workspace, "SELECT video_id, transcript_source FROM videos")) == {
        "withsubs001": "auto", "nosubs00002": "whisper", "corrupt0003": None}


def test_cli_reports_the_quarantined_audio_and_exits_1(workspace, tmp_path):
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.run([sys.executable, "-m", "chatclone", "transcribe", "-w", workspace], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.startswith("quarantined:")][0].count("corrupt0003.flac") == 1
    assert "2 transcribed, 0 cached" in proc.stdout
