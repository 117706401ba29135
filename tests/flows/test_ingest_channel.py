"""`ingest-channel` against a fake channel on 127.0.0.1: yt-dlp's own code downloads the files."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chatclone.warehouse import Warehouse
from chatclone.workspace import init_workspace
from fake_channel import EXTRACTORS_ENV, FakeSite, FakeVod
from flows.ingest_channel import ingest_channel

pytestmark = pytest.mark.integration
TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fake_extractors(monkeypatch):
    monkeypatch.setenv("CHATCLONE_YTDLP_EXTRACTORS", EXTRACTORS_ENV)


def channel_vods() -> list[FakeVod]:
    return [
        FakeVod("zatsu000001", "【雑談】morning free talk", tags=["zatsu"]),
        FakeVod("karaoke0002", "KARAOKE night 歌枠"),
        FakeVod("nochat00003", "minecraft build", chat_status=404),
        FakeVod("solo0000004", "drawing and chilling"),
    ]


def workspace(tmp_path: Path, site: FakeSite, youtube: str = "") -> str:
    """A workspace on the fake channel, with no pause between requests and the [youtube] `key = value` lines given."""
    ws = init_workspace(tmp_path / "ws", "mika", ["Mika"], [site.channel_url()])
    text = ws.config_path.read_text(encoding="utf-8")
    for line in ["sleep_seconds = 0", *youtube.splitlines()]:
        key = line.split("=")[0].strip()
        text, found = re.subn(rf"^{key} *=.*$", line.replace("\\", "\\\\"), text, flags=re.M)
        if not found:
            text = re.sub(r"^\[youtube\].*$", lambda m: m[0] + "\n" + line, text, count=1, flags=re.M)
    ws.config_path.write_text(text, encoding="utf-8")
    return str(ws.root)


def videos(ws: str) -> dict[str, tuple]:
    with Warehouse(Path(ws) / "warehouse.duckdb", read_only=True) as wh:
        rows = wh.con.execute("SELECT video_id, fetch_status, fetch_attempts, status, category FROM videos").fetchall()
    return {r[0]: r[1:] for r in rows}


def test_first_run_fetches_every_vod_loads_and_classifies_them(tmp_path):
    with FakeSite(channel_vods()) as site:
        ws = workspace(tmp_path, site)
        result = ingest_channel(ws)

    assert videos(ws) == {
        "zatsu000001": ("complete", 0, "loaded", "zatsu"),
        "karaoke0002": ("complete", 0, "loaded", "ignore"),
        "nochat00003": ("incomplete", 1, "loaded", "broken"),
        "solo0000004": ("complete", 0, "loaded", "solo"),
    }
    folder = Path(ws) / "raw" / "youtube" / "zatsu000001"
    assert sorted(p.name for p in folder.iterdir()) == ["zatsu000001.en.vtt", "zatsu000001.info.json", "zatsu000001.live_chat.json"]
    assert result["categories"] == {"zatsu": 1, "solo": 1, "ignore": 1, "broken": 1}
    assert "404" in next(r["error"] for r in result["vods"] if r["video_id"] == "nochat00003")
    with Warehouse(Path(ws) / "warehouse.duckdb", read_only=True) as wh:
        chat = dict(wh.con.execute("SELECT video_id, count(*) FROM chat GROUP BY ALL").fetchall())
        cues = dict(wh.con.execute("SELECT video_id, count(*) FROM cues WHERE source = 'auto' GROUP BY ALL").fetchall())
        transcripts = wh.con.execute("SELECT DISTINCT transcript_source FROM videos").fetchall()
    assert transcripts == [("auto",)]
    assert chat == {"zatsu000001": 3, "karaoke0002": 3, "solo0000004": 3}
    assert set(cues) == {"zatsu000001", "karaoke0002", "nochat00003", "solo0000004"}


def test_second_run_downloads_nothing_and_retries_only_the_broken_vod(tmp_path):
    with FakeSite(channel_vods()) as site:
        ws = workspace(tmp_path, site)
        ingest_channel(ws)
        before = len(site.file_requests())
        site.vods["nochat00003"].chat_status = 200  # the replay is back
        second = ingest_channel(ws)
        refetched = site.file_requests()[before:]
        third_before = len(site.file_requests())
        ingest_channel(ws)
        third = site.file_requests()[third_before:]

    assert [r["video_id"] for r in second["vods"]] == ["nochat00003"]
    assert refetched == ["/files/nochat00003.live_chat.json"]  # its captions were already there
    assert videos(ws)["nochat00003"] == ("complete", 0, "loaded", "solo")
    assert third == []


def test_vod_failing_max_failures_times_is_given_up_until_asked(tmp_path):
    with FakeSite(channel_vods()[2:3]) as site:
        ws = workspace(tmp_path, site, "max_failures = 2")
        ingest_channel(ws)
        ingest_channel(ws)
        assert videos(ws)["nochat00003"][:2] == ("failed", 2)
        before = len(site.file_requests())
        ingest_channel(ws)
        assert site.file_requests()[before:] == []
        ingest_channel(ws, retry_failed=True)
        assert site.file_requests()[before:] == ["/files/nochat00003.live_chat.json"]


def test_listing_an_unchanged_channel_stops_at_known_vods(tmp_path):
    vods = [FakeVod(f"vod{i:08d}", f"stream {i}") for i in range(120)]
    with FakeSite(vods, page_size=50) as site:
        ws = workspace(tmp_path, site, "stop_after_known = 5\nconcurrency = 4")
        ingest_channel(ws)
        assert len(site.listing_requests()) == 3
        site.add(FakeVod("newest00001", "【雑談】new one"))
        before_listing, before_files = len(site.listing_requests()), len(site.file_requests())
        result = ingest_channel(ws)

        assert len(site.listing_requests()) - before_listing == 1
        assert [r["video_id"] for r in result["vods"]] == ["newest00001"]
        assert len(site.file_requests()) - before_files == 2


def test_live_and_upcoming_streams_wait_for_their_vod(tmp_path):
    vods = [FakeVod("upcoming001", "starting soon", live_status="is_upcoming"), FakeVod("live0000002", "live now", live_status="is_live")]
    with FakeSite(vods) as site:
        ws = workspace(tmp_path, site)
        result = ingest_channel(ws)
        assert result["vods"] == [] and site.file_requests() == []


def test_cookies_are_sent_and_never_logged(tmp_path, caplog):
    secret = "s3cr3t-cookie-value-0123456789"
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(f"# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tSID\t{secret}\n", encoding="utf-8")
    with FakeSite(channel_vods()[:1]) as site:
        ws = workspace(tmp_path, site, f'cookies_file = "{cookies}"')
        with caplog.at_level("DEBUG"):
            ingest_channel(ws)
        assert site.cookies and all(f"SID={secret}" in c for c in site.cookies)
    assert secret not in caplog.text and str(cookies) not in caplog.text
    assert not [p for p in Path(ws).rglob("*") if p.is_file() and p != cookies and secret.encode() in p.read_bytes()]


def test_a_channel_that_cannot_be_listed_is_reported_and_the_others_go_on(tmp_path):
    with FakeSite(channel_vods()[:1]) as site:
        ws = workspace(tmp_path, site)
        result = ingest_channel(ws, channels=[f"{site.base}/nothing-here", site.channel_url()])
    assert len(result["listing_errors"]) == 1 and "nothing-here" in result["listing_errors"][0]
    assert [r["video_id"] for r in result["vods"]] == ["zatsu000001"]


def test_a_run_killed_midway_and_rerun_leaves_every_vod_complete_without_duplicates(tmp_path):
    vods = [FakeVod(f"kill{i:07d}", f"【雑談】stream {i}") for i in range(6)]
    env = {**os.environ, "CHATCLONE_YTDLP_EXTRACTORS": EXTRACTORS_ENV, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
           "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    with FakeSite(vods, delay_s=0.4) as site:
        ws = workspace(tmp_path, site)
        cmd = [sys.executable, "-m", "chatclone", "ingest", "youtube", "-w", ws]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 240
        while len(site.file_requests()) < 5 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert len(site.file_requests()) < 2 * len(vods), "the run finished before it could be killed"
        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr

    assert set(videos(ws).values()) == {("complete", 0, "loaded", "zatsu")} and len(videos(ws)) == len(vods)
    with Warehouse(Path(ws) / "warehouse.duckdb", read_only=True) as wh:
        dup_chat = wh.con.execute("SELECT video_id, message_id FROM chat GROUP BY ALL HAVING count(*) > 1").fetchall()
        dup_cues = wh.con.execute("SELECT video_id, start_s, text FROM cues GROUP BY ALL HAVING count(*) > 1").fetchall()
        chat = wh.con.execute("SELECT count(*) FROM chat").fetchall()[0][0]
    assert dup_chat == [] and dup_cues == [] and chat == 3 * len(vods)
    listed = subprocess.run([sys.executable, "-m", "chatclone", "videos", "--json", "-w", ws], env=env, capture_output=True, text=True, timeout=120)
    rows = json.loads(listed.stdout)
    assert len(rows) == len(vods) and {(r["category"], r["category_reason"]) for r in rows} == {("zatsu", "title matches '雑談' (zatsu)")}
    bad = subprocess.run([sys.executable, "-m", "chatclone", "videos", "--category", "nope", "-w", ws], env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "zatsu, solo, ignore, broken" in bad.stderr


def test_chat_downloader_fills_the_chat_where_yt_dlp_has_no_replay(tmp_path, monkeypatch):
    sample = TESTS / "data" / "youtube" / "chatdownloader_v0.1_output_zVCs9Cug_qM.json"
    asked = []

    def chat_downloader(url, out_path, cookies_file=None):  # the adapter's far side: YouTube itself
        asked.append(url)
        out_path.write_bytes(sample.read_bytes())
        return 10

    monkeypatch.setattr("chatclone.chat_downloader_fetch.fetch_chat", chat_downloader)
    with FakeSite([FakeVod("nolivechat1", "【雑談】replay missing", has_chat=False)]) as site:
        ws = workspace(tmp_path, site)
        ingest_channel(ws)
        assert asked == [f"{site.base}/watch/nolivechat1"]
    with Warehouse(Path(ws) / "warehouse.duckdb", read_only=True) as wh:
        row = wh.con.execute("SELECT fetch_status, chat_source, has_live_chat, category FROM videos").fetchall()
        chat = wh.con.execute("SELECT count(*) FROM chat").fetchall()[0][0]
    assert row == [("complete", "chat-downloader", True, "zatsu")] and chat == 10


def test_chat_downloader_failing_is_reported_not_fatal(tmp_path):
    with FakeSite([FakeVod("nolivechat2", "【雑談】replay missing", has_chat=False)]) as site:
        ws = workspace(tmp_path, site)
        result = ingest_channel(ws)  # the real chat-downloader: it does not know the site
    (vod,) = result["vods"]
    assert vod["fetch_status"] == "complete" and "chat-downloader" in vod["chat_error"] and "not supported" in vod["chat_error"]
    assert videos(ws)["nolivechat2"] == ("complete", 0, "loaded", "zatsu")
