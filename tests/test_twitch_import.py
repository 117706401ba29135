"""Importing Twitch VOD chat files: the videos row, chat rows, idempotence, quarantine, siblings, mining and the CLI."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from twitch_files import VOD, comment, write_twitchdownloader

from chatclone.classify import classify_videos
from chatclone.config import Classify, Mining
from chatclone.errors import SourceError
from chatclone.mining import mine
from chatclone.sources.twitch import parse_twitch
from chatclone.twitch_import import find_chat_files, import_chat_file
from chatclone.warehouse import Warehouse

VIDEO_ID = f"v{VOD}"
CHAT_COLUMNS = "message_id, t_s, ts_usec, author_id, author_name, text, kind, amount, currency, is_owner, is_moderator, emotes, words"


@pytest.fixture
def wh(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        yield wh


def chat_rows(wh, video_id: str = VIDEO_ID) -> list[tuple]:
    return wh.con.execute(f"SELECT {CHAT_COLUMNS} FROM chat WHERE video_id = ? ORDER BY t_s, message_id", [video_id]).fetchall()


def video_row(wh, video_id: str = VIDEO_ID) -> dict:
    cursor = wh.con.execute("SELECT * FROM videos WHERE video_id = ?", [video_id])
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone()))


def stream(n: int = 6) -> list[dict]:
    return [comment(i, f"message number {i} LUL", emotes=("LUL",), user=f"viewer{i % 3}") for i in range(n)] + [
        comment(n, "Cheer100 for the stream", bits=100), comment(n + 1, "", notice="sub")]


def test_a_twitchdownloader_file_becomes_a_videos_row_and_its_chat(wh, tmp_path):
    path = write_twitchdownloader(tmp_path / "chat.json", stream())
    expected = list(parse_twitch(path, Counter()))

    result = import_chat_file(wh, path, tmp_path / "q")

    assert result | {"skipped": None} == {"path": str(path), "video_id": VIDEO_ID, "status": "loaded", "chat": len(expected),
                                          "skipped": None, "error": None, "quarantined": None}
    assert result["skipped"] == {"sub": 1}
    rows = chat_rows(wh)
    assert [r[0] for r in rows] == [e.message_id for e in expected]
    assert rows[0][5:7] == ("message number 0 LUL", "text") and rows[0][11] == ["LUL"] and "lul" in rows[0][12]
    assert rows[-1][6:9] == ("paid", 100.0, "BITS") and rows[-1][11] == []
    video = video_row(wh)
    assert {k: video[k] for k in ("title", "channel", "channel_id", "duration_s", "categories", "url", "status", "chat_source",
                                  "chat_clock", "has_live_chat", "has_audio", "attempts")} == {
        "title": "just chatting with chat", "channel": "Mika", "channel_id": "900", "duration_s": 7200.0, "categories": ["Just Chatting"],
        "url": f"https://www.twitch.tv/videos/{VOD}", "status": "loaded", "chat_source": "twitchdownloader", "chat_clock": "offset",
        "has_live_chat": True, "has_audio": False, "attempts": 0}
    assert str(video["upload_date"]) == "2024-03-01"


def test_importing_the_same_file_twice_leaves_the_same_rows(wh, tmp_path):
    path = write_twitchdownloader(tmp_path / "chat.json", stream())
    import_chat_file(wh, path, tmp_path / "q")
    before = chat_rows(wh), wh.con.execute("SELECT count(*) FROM videos").fetchall()

    again = import_chat_file(wh, path, tmp_path / "q")

    assert again["status"] == "unchanged" and again["chat"] == 0
    assert (chat_rows(wh), wh.con.execute("SELECT count(*) FROM videos").fetchall()) == before


def test_a_changed_file_replaces_the_chat(wh, tmp_path):
    path = write_twitchdownloader(tmp_path / "chat.json", stream(6))
    import_chat_file(wh, path, tmp_path / "q")
    write_twitchdownloader(path, [comment(0, "only this one now")])

    result = import_chat_file(wh, path, tmp_path / "q")

    assert result["status"] == "loaded" and [r[5] for r in chat_rows(wh)] == ["only this one now"]


def test_a_broken_file_is_quarantined_and_its_new_vod_marked_broken(wh, tmp_path):
    good = write_twitchdownloader(tmp_path / "chat.json", stream()).read_bytes()
    path = tmp_path / "broken" / f"{VOD}.json"
    path.parent.mkdir()
    path.write_bytes(good[: len(good) // 2])

    result = import_chat_file(wh, path, tmp_path / "q")

    assert result["status"] == "broken" and result["error"].startswith(f"{path}: invalid JSON near byte")
    assert chat_rows(wh) == [] and (video_row(wh)["status"], video_row(wh)["attempts"]) == ("broken", 1)
    assert wh.con.execute("SELECT path, source FROM quarantine").fetchall() == [(str(path), "twitch")]
    assert len(list((tmp_path / "q").iterdir())) == 1


def test_a_broken_file_does_not_spoil_a_vod_that_loaded(wh, tmp_path):
    path = write_twitchdownloader(tmp_path / "chat.json", stream())
    import_chat_file(wh, path, tmp_path / "q")
    before = chat_rows(wh)
    path.write_bytes(path.read_bytes()[:-300])

    result = import_chat_file(wh, path, tmp_path / "q")

    assert result["status"] == "broken" and chat_rows(wh) == before
    assert (video_row(wh)["status"], video_row(wh)["attempts"]) == ("loaded", 0)


def test_a_file_without_a_vod_id_is_quarantined(wh, tmp_path):
    path = tmp_path / "chat log.txt"
    path.write_text("[0:00:01] <a> hi\n")
    result = import_chat_file(wh, path, tmp_path / "q")
    assert result["status"] == "broken" and result["video_id"] is None
    assert result["error"] == f"{path}: no Twitch VOD id in the file or its name; name it after the VOD (e.g. 1234567890.json)"
    assert wh.con.execute("SELECT count(*) FROM videos").fetchall() == [(0,)]


def test_audio_and_info_json_beside_the_chat_are_recorded(wh, tmp_path):
    folder = tmp_path / "vods"
    write_twitchdownloader(folder / f"{VOD}.json", stream(), title="no keywords here")
    (folder / f"{VIDEO_ID}.m4a").write_bytes(b"not really audio")
    (folder / f"{VIDEO_ID}.info.json").write_text(json.dumps({"id": VIDEO_ID, "title": "yt-dlp title", "tags": ["talk"],
                                                              "categories": ["Just Chatting"], "live_status": "was_live"}))
    import_chat_file(wh, folder / f"{VOD}.json", tmp_path / "q")

    video = video_row(wh)
    assert video["audio_path"] == str((folder / f"{VIDEO_ID}.m4a").resolve()) and video["has_audio"] is True
    assert (video["title"], video["tags"], video["live_status"]) == ("no keywords here", ["talk"], "was_live")
    assert wh.run("videos_with_audio") == [(VIDEO_ID, video["audio_path"], False, "unclassified", 7200.0)]

    (folder / f"{VIDEO_ID}.m4a").write_bytes(b"a longer file, downloaded again")
    assert import_chat_file(wh, folder / f"{VOD}.json", tmp_path / "q")["status"] == "loaded"  # the audio is part of the digest


def test_an_irc_log_is_timed_from_the_stream_start_in_info_json(wh, tmp_path):
    start = 1_700_000_000
    (tmp_path / f"{VIDEO_ID}.info.json").write_text(json.dumps({"id": VIDEO_ID, "title": "irc stream", "timestamp": start}))
    line = "@display-name=A;user-id=1;id=x{0};tmi-sent-ts={1} :a!a@a.tmi.twitch.tv PRIVMSG #mika :hello {0}\n"
    (tmp_path / f"{VOD}.log").write_text(line.format(1, start * 1000 + 90_000) + line.format(2, start * 1000 + 95_500))

    import_chat_file(wh, tmp_path / f"{VOD}.log", tmp_path / "q")

    assert [(r[1], r[5]) for r in chat_rows(wh)] == [(90.0, "hello 1"), (95.5, "hello 2")]
    assert (video_row(wh)["chat_clock"], video_row(wh)["title"]) == ("wall", "irc stream")


def test_a_folder_without_chat_files_is_an_error(tmp_path):
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(SourceError, match=r"no Twitch chat files \(\*\.json, \*\.json\.gz, \*\.txt, \*\.log\) in this folder$"):
        find_chat_files([tmp_path])


def test_folders_give_one_chat_file_per_vod_json_first_then_irc_logs(tmp_path):
    for name in (f"{VOD}.json", f"{VOD}.txt", f"{VIDEO_ID}.log", "555555555.txt", "v555555555.log", "sub/666666666.json.gz",
                 f"{VIDEO_ID}.info.json", "x.live_chat.json", f"{VIDEO_ID}.m4a", "notes.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in find_chat_files([tmp_path])] == [f"{VOD}.json", "sub/666666666.json.gz", "v555555555.log"]


# --- mining a Twitch VOD --------------------------------------------------------------------


def test_a_twitch_just_chatting_vod_is_classified_zatsu_and_mined_for_a_read(wh, tmp_path):
    """Chat asks something; the streamer reads it aloud and answers: mining pairs them as on a YouTube stream."""
    path = write_twitchdownloader(tmp_path / "chat.json", [
        comment(0, "hi chat LUL", emotes=("LUL",), user="early_bird"),
        comment(5, "what did you eat today", user="Yuki", offset=5.0),
        comment(6, "KEKW", emotes=("KEKW",), user="lurker", offset=6.0),
    ], title="cozy evening stream", game="Just Chatting")
    import_chat_file(wh, path, tmp_path / "q")
    t = 10.0
    for word in "Yuki says what did you eat today? Hmm, I had ramen with extra egg, it was so good.".split():
        wh.con.execute("INSERT INTO words (video_id, start_s, end_s, word, source) VALUES (?, ?, ?, ?, 'whisper')", [VIDEO_ID, t, t + 0.3, word])
        t += 0.35
    wh.con.execute("INSERT INTO cues (video_id, start_s, end_s, text, source) VALUES (?, 10, ?, 'speech', 'whisper')", [VIDEO_ID, t])
    wh.run("choose_transcripts", prefer=["whisper", "manual", "auto"])

    classify_videos(wh, Classify(), tmp_path / "no_overrides.toml")
    counts = mine(wh, Mining())

    assert wh.con.execute("SELECT category, category_reason FROM videos").fetchall() == [("zatsu", "category matches 'just chatting' (zatsu)")]
    assert counts["read"] == 1
    assert wh.con.execute("SELECT method, prompt, response FROM pairs").fetchall() == [
        ("read", "chat: Yuki: what did you eat today", "Hmm, I had ramen with extra egg, it was so good.")]


# --- the command line -----------------------------------------------------------------------


def test_chatclone_import_twitch_loads_the_vod(tmp_path, chatclone):
    ws = tmp_path / "ws"
    assert chatclone("init", "mika", "--speaker", "Mika", "--workspace", str(ws)).returncode == 0
    path = write_twitchdownloader(tmp_path / f"{VOD}.json", stream(4))

    proc = chatclone("import", "twitch", str(path), "--workspace", str(ws))

    assert proc.returncode == 0, proc.stderr
    assert f"{VOD}.json" in proc.stdout and "1 video(s), 5 row(s) added, 0 quarantined" in proc.stdout
    with Warehouse(ws / "warehouse.duckdb", read_only=True) as wh:
        assert wh.con.execute("SELECT video_id, title, category, status FROM videos").fetchall() == [
            (VIDEO_ID, "just chatting with chat", "zatsu", "loaded")]
        assert wh.con.execute("SELECT count(*), count(*) FILTER (kind = 'paid') FROM chat").fetchall() == [(5, 1)]

    folder = write_twitchdownloader(ws / "raw" / "twitch" / "2000000005.json", stream(2), video_id="2000000005").parent
    with open(ws / "persona.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[[sources.exports]]\nformat = "twitch"\npath = "{folder.relative_to(ws).as_posix()}"\n')

    proc = chatclone("import", "twitch", "--workspace", str(ws))

    assert proc.returncode == 0, proc.stderr
    with Warehouse(ws / "warehouse.duckdb", read_only=True) as wh:
        assert wh.con.execute("SELECT video_id, count(*) FROM chat GROUP BY 1 ORDER BY 1").fetchall() == [(VIDEO_ID, 5), ("v2000000005", 3)]
