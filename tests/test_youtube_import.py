"""Importing a yt-dlp channel folder: videos, cues, words and chat rows; broken videos quarantined."""

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from chatclone.sources.subtitles import parse_vtt, parse_youtube_auto_vtt
from chatclone.sources.youtube_dir import discover_videos, read_info
from chatclone.sources.youtube_live_chat import parse_live_chat
from chatclone.warehouse import Warehouse
from chatclone.youtube_import import import_video

DATA = Path(__file__).parent / "data"
AUTO_VTT = DATA / "subtitles" / "vtttojson_meow_auto.en.vtt"
MANUAL_VTT = DATA / "subtitles" / "sample.vtt"
LIVE_CHAT = DATA / "youtube" / "live_chat.json"
FLAT, FOLDER, BROKEN = "flatVideo01", "ownFolder02", "brokenChat3"


def _info(video_id: str) -> str:
    return json.dumps({"id": video_id, "channel_id": "UC123", "channel": "Mika", "title": f"stream {video_id}",
                       "description": "hi", "upload_date": "20240131", "duration": 3600.5, "live_status": "was_live",
                       "tags": ["zatsu", "live"], "automatic_captions": {"en": [], "ja": []}, "subtitles": {}})


@pytest.fixture
def channel(tmp_path):
    root = tmp_path / "channel"
    root.mkdir()
    (root / f"{FLAT}.info.json").write_text(_info(FLAT))
    shutil.copy(AUTO_VTT, root / f"{FLAT}.en.vtt")
    shutil.copy(LIVE_CHAT, root / f"{FLAT}.live_chat.json")
    (root / f"{FLAT}.m4a").write_bytes(b"")
    (root / FOLDER).mkdir()
    shutil.copy(MANUAL_VTT, root / FOLDER / f"{FOLDER}.en.vtt")
    (root / f"{BROKEN}.info.json").write_text(_info(BROKEN))
    lines = LIVE_CHAT.read_text(encoding="utf-8").splitlines()
    (root / f"{BROKEN}.live_chat.json").write_text("\n".join([*lines[:3], '{"replayChatItemAction": {"actions": [', *lines[3:]]) + "\n")
    return root


def _import_all(wh, root, quarantine):
    return {v.video_id: import_video(wh, v, quarantine) for v in discover_videos(root)}


def _counts(wh):
    return {t: wh.con.execute(f"SELECT source, count(*) FROM {t} GROUP BY ALL ORDER BY ALL").fetchall() for t in ("cues", "words")} | {
        "chat": wh.con.execute("SELECT video_id, count(*) FROM chat GROUP BY ALL ORDER BY ALL").fetchall(),
        "videos": wh.con.execute("SELECT video_id, status, attempts FROM videos ORDER BY ALL").fetchall()}


def test_discover_groups_flat_and_foldered_files_by_video(channel):
    videos = {v.video_id: v for v in discover_videos(channel)}
    assert set(videos) == {FLAT, FOLDER, BROKEN}
    assert videos[FLAT].info.name == f"{FLAT}.info.json" and videos[FLAT].audio.name == f"{FLAT}.m4a"
    assert videos[FLAT].subtitles == [("en", channel / f"{FLAT}.en.vtt")]
    assert videos[FOLDER].info is None and videos[FOLDER].subtitles == [("en", channel / FOLDER / f"{FOLDER}.en.vtt")]


def test_read_info_takes_the_videos_columns(channel):
    info = read_info(channel / f"{FLAT}.info.json")
    assert (info.video_id, info.channel, info.upload_date.isoformat(), info.duration_s, info.tags) == (FLAT, "Mika", "2024-01-31", 3600.5, ["zatsu", "live"])
    assert info.auto_langs == {"en", "ja"} and info.manual_langs == set()


def test_import_loads_rows_equal_to_what_the_parsers_yield(channel, tmp_path):
    auto_cues, auto_words = parse_youtube_auto_vtt(AUTO_VTT)
    chat = list(parse_live_chat(LIVE_CHAT, Counter()))
    with Warehouse(tmp_path / "w.duckdb") as wh:
        _import_all(wh, channel, tmp_path / "q")
        assert wh.con.execute("SELECT source, count(*) FROM cues GROUP BY ALL ORDER BY ALL").fetchall() == [
            ("auto", len(auto_cues)), ("manual", len(list(parse_vtt(MANUAL_VTT))))]
        assert wh.con.execute("SELECT source, count(*) FROM words GROUP BY ALL").fetchall() == [("auto", len(auto_words))]
        assert wh.con.execute("SELECT video_id, count(*) FROM chat GROUP BY ALL").fetchall() == [(FLAT, len(chat))]


def test_import_sets_video_flags(channel, tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        _import_all(wh, channel, tmp_path / "q")
        rows = wh.con.execute("SELECT video_id, title, category, status, has_info, has_auto_subs, has_manual_subs, has_live_chat, has_audio "
                              "FROM videos ORDER BY video_id").fetchall()
    assert rows == [
        (BROKEN, f"stream {BROKEN}", "unclassified", "broken", True, False, False, True, False),
        (FLAT, f"stream {FLAT}", "unclassified", "loaded", True, True, False, True, True),
        (FOLDER, None, "unclassified", "loaded", False, False, True, False, False),
    ]


def test_reimport_skips_unchanged_videos_and_leaves_the_same_rows(channel, tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        _import_all(wh, channel, tmp_path / "q")
        first = _counts(wh)
        again = _import_all(wh, channel, tmp_path / "q")
        second = _counts(wh)
    assert {v: r["status"] for v, r in again.items()} == {FLAT: "unchanged", FOLDER: "unchanged", BROKEN: "broken"}
    assert first["cues"] == second["cues"] and first["words"] == second["words"] and first["chat"] == second["chat"]


def test_a_changed_file_reloads_its_video(channel, tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        _import_all(wh, channel, tmp_path / "q")
        lines = LIVE_CHAT.read_text(encoding="utf-8").splitlines()
        (channel / f"{FLAT}.live_chat.json").write_text("\n".join(lines[:1]) + "\n", encoding="utf-8")
        again = _import_all(wh, channel, tmp_path / "q")
        chat = wh.con.execute("SELECT count(*) FROM chat WHERE video_id = ?", [FLAT]).fetchall()[0][0]
    assert again[FLAT]["status"] == "loaded" and again[FOLDER]["status"] == "unchanged"
    assert chat == len(list(parse_live_chat(channel / f"{FLAT}.live_chat.json", Counter())))


def test_chat_captured_live_is_placed_by_wall_clock_against_the_stream_start(tmp_path):
    root = tmp_path / "live"
    root.mkdir()
    chat = list(parse_live_chat(LIVE_CHAT, Counter()))
    start = min(e.ts_usec for e in chat) / 1e6 - 100.0  # the first message came 100 s into the stream
    info = json.loads(_info(FLAT)) | {"release_timestamp": start}
    (root / f"{FLAT}.info.json").write_text(json.dumps(info))
    lines = [json.loads(line) | {"isLive": True} for line in LIVE_CHAT.read_text(encoding="utf-8").splitlines()]
    (root / f"{FLAT}.live_chat.json").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        _import_all(wh, root, tmp_path / "q")
        times = wh.con.execute("SELECT t_s FROM chat ORDER BY ts_usec").fetchall()
        clock = wh.con.execute("SELECT chat_source, chat_clock FROM videos").fetchall()
    assert times[0][0] == pytest.approx(100.0, abs=1e-3)
    assert [t for (t,) in times] == pytest.approx([(e.ts_usec / 1e6 - start) for e in sorted(chat, key=lambda e: e.ts_usec)], abs=1e-3)
    assert clock == [("yt-dlp", "wall")]


def test_broken_chat_marks_only_its_video_broken_and_quarantines_the_file(channel, tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        results = _import_all(wh, channel, tmp_path / "q")
        videos = wh.con.execute("SELECT video_id, status, attempts FROM videos ORDER BY video_id").fetchall()
        quarantined = wh.con.execute("SELECT path, source FROM quarantine").fetchall()
        broken_chat = wh.con.execute("SELECT count(*) FROM chat WHERE video_id = ?", [BROKEN]).fetchall()[0][0]
    assert videos == [(BROKEN, "broken", 1), (FLAT, "loaded", 0), (FOLDER, "loaded", 0)]
    assert results[BROKEN]["status"] == "broken" and "line 4" in results[BROKEN]["error"]
    assert quarantined == [(str(channel / f"{BROKEN}.live_chat.json"), "youtube-dir")] and broken_chat == 0
    assert [p.name for p in (tmp_path / "q").iterdir()] and all(p.name.endswith(f"{BROKEN}.live_chat.json") for p in (tmp_path / "q").iterdir())


def test_a_second_failed_import_counts_up_attempts(channel, tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        _import_all(wh, channel, tmp_path / "q")
        _import_all(wh, channel, tmp_path / "q")
        assert wh.con.execute("SELECT attempts FROM videos WHERE video_id = ?", [BROKEN]).fetchall() == [(2,)]


def test_cli_import_youtube_dir_reports_the_broken_video_and_exits_1(channel, tmp_path, chatclone):
    ws = tmp_path / "ws"
    assert chatclone("init", "mika", "--speaker", "Mika", "--workspace", str(ws)).returncode == 0
    proc = chatclone("import", "youtube-dir", str(channel), "-w", str(ws))
    assert proc.returncode == 1, proc.stderr
    quarantined = [line for line in proc.stderr.splitlines() if line.startswith("quarantined:")]
    assert len(quarantined) == 1 and f"{BROKEN}.live_chat.json" in quarantined[0]
    with Warehouse(ws / "warehouse.duckdb", read_only=True) as wh:
        assert wh.con.execute("SELECT status, count(*) FROM videos GROUP BY ALL ORDER BY ALL").fetchall() == [("broken", 1), ("loaded", 2)]
