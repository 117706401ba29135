"""Twitch VOD chat parsers: TwitchDownloader/tcd JSON, GQL comments, tcd and TwitchDownloader text logs, raw IRC logs."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from twitch_files import VOD, comment, write_tcd_json, write_twitchdownloader

from chatclone.errors import SourceError
from chatclone.sources.twitch import (parse_irc_line, parse_twitch, parse_twitch_irc, parse_twitch_json, parse_twitch_text,
                                      read_twitch_video, vod_id)

TWITCH = Path(__file__).resolve().parents[1] / "data" / "twitch"


def parse(path: Path, **kwargs):
    skipped = Counter()
    return list(parse_twitch(path, skipped, **kwargs)), skipped


# --- the real samples ------------------------------------------------------------------------


def test_tcd_docs_comment_is_one_message_with_its_emote():
    sample = json.loads((TWITCH / "tcd_docs_example_v5_comment.json").read_text(encoding="utf-8"))
    expected = 1 if sample["message"]["body"].strip() else 0

    events, _ = parse(TWITCH / "tcd_docs_example_v5_comment.json")

    assert len(events) == expected
    (e,) = events
    assert (e.message_id, e.t_s, e.author_id, e.author_name, e.text, e.kind) == (sample["_id"], 0.768, "61408597", "Aivoh", "LIVE lirikH", "text")
    assert e.emotes == ("lirikH",) and e.ts_usec == 1514135136568000


def test_tcd_docs_comment_names_its_vod():
    video = read_twitch_video(TWITCH / "tcd_docs_example_v5_comment.json")
    assert video.video_id == "v212237951" and video.url == "https://www.twitch.tv/videos/212237951"


def test_gql_replay_edges_parse_like_v5_comments(tmp_path):
    edge = json.loads((TWITCH / "cdfork_gql_replay-comment-basic.json").read_text(encoding="utf-8"))["raw"]
    path = tmp_path / "v550000001.json"
    path.write_text(json.dumps([edge, edge["node"] | {"id": "message-2"}]))
    expected = sum(bool("".join(f["text"] for f in n["message"]["fragments"]).strip()) for n in (edge["node"], edge["node"]))

    events, _ = parse(path)

    assert len(events) == expected == 2
    assert [(e.message_id, e.t_s, e.author_id, e.author_name, e.text) for e in events] == [
        ("message-1", 1.0, "user-1", "FixtureUser", "hello"), ("message-2", 1.0, "user-1", "FixtureUser", "hello")]
    assert events[0].emotes == () and read_twitch_video(path).video_id == "v550000001"


def test_raw_irc_samples_keep_privmsg_and_skip_moderation_and_bare_notices(tmp_path):
    raws = [json.loads(p.read_text(encoding="utf-8"))["raw"] for p in sorted(TWITCH.glob("cdfork_irc-*.json"))]
    path = tmp_path / "v77.log"
    path.write_text("".join(raws), encoding="utf-8")
    commands = [next(t for t in raw.split() if not t.startswith(("@", ":"))) for raw in raws]  # "@tags :source COMMAND #channel :text"
    expected = commands.count("PRIVMSG")

    events, skipped = parse(path)

    assert len(events) == expected == 1
    (e,) = events
    assert (e.message_id, e.author_id, e.author_name, e.text, e.emotes, e.t_s, e.ts_usec) == (
        "abc123", "12345", "TestUser", "Kappa hello", ("Kappa",), 0.0, 1_700_000_000_000_000)
    assert skipped == {"CLEARCHAT": 1, "CLEARMSG": 1, "USERNOTICE giftsubbasematch": 1}


def test_irc_tags_are_unescaped():
    raw = json.loads((TWITCH / "cdfork_irc-usernotice-gift-sub-base-match.json").read_text(encoding="utf-8"))["raw"]
    irc = parse_irc_line(raw)
    assert (irc.command, irc.tags["msg-param-advertiser-name"], irc.tags["system-msg"], irc.trailing) == (
        "USERNOTICE", "Example Sponsor", "Gift match", "Five gifts matched")


# --- TwitchDownloader and tcd JSON ----------------------------------------------------------


def test_emote_fragments_keep_the_names_in_the_text_and_list_them(tmp_path):
    path = write_twitchdownloader(tmp_path / "chat.json", [comment(0, "hi chat LUL LUL what is up Kappa", emotes=("LUL", "Kappa"))])
    (e,), _ = parse(path)
    assert e.text == "hi chat LUL LUL what is up Kappa" and e.emotes == ("LUL", "Kappa")


def test_emotes_come_from_emoticon_ranges_where_fragments_do_not_say(tmp_path):
    c = comment(0, "PogChamp that was close", emotes=("PogChamp",))
    c["message"]["fragments"] = [{"text": c["message"]["body"], "emoticon": None}]
    (e,), _ = parse(write_twitchdownloader(tmp_path / "chat.json", [c]))
    assert e.emotes == ("PogChamp",)


def test_a_message_without_a_body_is_its_fragments_joined(tmp_path):
    c = comment(0, "nice KEKW", emotes=("KEKW",))
    del c["message"]["body"]
    (e,), _ = parse(write_twitchdownloader(tmp_path / "chat.json", [c]))
    assert (e.text, e.emotes) == ("nice KEKW", ("KEKW",))


def test_bits_make_a_paid_message_in_bits(tmp_path):
    path = write_twitchdownloader(tmp_path / "chat.json", [comment(0, "Cheer100 keep it up", bits=100), comment(1, "plain")])
    events, _ = parse(path)
    assert [(e.kind, e.amount, e.currency) for e in events] == [("paid", 100.0, "BITS"), ("text", None, None)]


def test_sub_notices_with_a_message_are_memberships_and_other_notices_are_skipped(tmp_path):
    comments = [comment(0, "5 months already!", notice="resub"), comment(1, "", notice="sub"), comment(2, "raiders!", notice="raid"),
                comment(3, "look at this", notice="highlighted-message"), comment(4, "   ")]
    events, skipped = parse(write_twitchdownloader(tmp_path / "chat.json", comments))
    assert [(e.text, e.kind) for e in events] == [("5 months already!", "membership"), ("look at this", "text")]
    assert skipped == {"sub": 1, "raid": 1, "empty": 1}


def test_badges_mark_the_broadcaster_and_moderators(tmp_path):
    comments = [comment(0, "hi all", badges=("broadcaster",)), comment(1, "rules pls", badges=("moderator", "subscriber"))]
    events, _ = parse(write_twitchdownloader(tmp_path / "chat.json", comments))
    assert [(e.is_owner, e.is_moderator) for e in events] == [(True, False), (False, True)]


def test_comments_left_on_the_vod_after_the_stream_are_skipped(tmp_path):
    events, skipped = parse(write_twitchdownloader(tmp_path / "chat.json", [comment(0, "late", source="comment"), comment(1, "live", source="chat")]))
    assert [e.text for e in events] == ["live"] and skipped == {"vod_comment": 1}


def test_twitchdownloader_metadata_names_the_vod_streamer_and_game(tmp_path):
    video = read_twitch_video(write_twitchdownloader(tmp_path / "whatever.json", [comment(0, "hi")], game="Minecraft"))
    assert video.video_id == f"v{VOD}" and video.tool == "twitchdownloader"
    assert (video.title, video.channel, video.channel_id, str(video.upload_date), video.duration_s) == (
        "just chatting with chat", "Mika", "900", "2024-03-01", 7200.0)
    assert video.categories == ["Minecraft", "Just Chatting"] and video.url == f"https://www.twitch.tv/videos/{VOD}"


def test_video_after_the_comments_is_read_from_the_end_of_the_file(tmp_path):
    path = write_tcd_json(tmp_path / "x.json", [comment(i, f"message {i}") for i in range(50)], video_id="555666777", title="late video")
    assert path.read_text().rstrip().endswith("}\n}") and path.read_text().index('"video"') > path.read_text().index('"comments"')
    video = read_twitch_video(path)
    assert (video.video_id, video.title, video.channel, video.duration_s, video.tool) == ("v555666777", "late video", "Mika", 7205.0, "tcd")
    assert len(parse(path)[0]) == 50


def test_video_after_the_comments_is_found_past_a_large_tail(tmp_path):
    path = write_twitchdownloader(tmp_path / "x.json", [comment(0, "hi")], video_last=True, embedded_bytes=3 << 20, video_id="42424242")
    assert read_twitch_video(path).video_id == "v42424242"


def test_embedded_data_is_skipped(tmp_path):
    path = write_twitchdownloader(tmp_path / "x.json", [comment(i, f"m{i}") for i in range(3)], embedded_bytes=2 << 20)
    events, skipped = parse(path)
    assert [e.text for e in events] == ["m0", "m1", "m2"] and skipped == {}


def test_gzip_compressed_chat_parses_like_the_plain_file(tmp_path):
    comments = [comment(i, f"message {i} LUL", emotes=("LUL",)) for i in range(5)]
    plain = write_twitchdownloader(tmp_path / "a.json", comments)
    packed = write_twitchdownloader(tmp_path / "b.json.gz", comments, gz=True)
    assert parse(packed) == parse(plain) and read_twitch_video(packed) == read_twitch_video(plain)


def test_a_chat_downloader_list_is_read_by_its_parser(tmp_path):
    items = [{"message_id": "a1", "message_type": "text_message", "message": "hello from chat-downloader", "time_in_seconds": 3.5,
              "timestamp": 1700000000000000, "author": {"id": "7", "name": "viewer", "display_name": "Viewer"}}]
    path = tmp_path / "2000000002.json"
    path.write_text(json.dumps(items))
    (e,), _ = parse(path)
    assert (e.text, e.t_s, e.author_name) == ("hello from chat-downloader", 3.5, "Viewer")
    assert read_twitch_video(path)[:2] == ("v2000000002", "chat-downloader")


@pytest.mark.parametrize("doc, problem", [
    ({"guild": {"id": "1"}, "messages": []}, "not a Twitch chat JSON (no 'comments'; its first key is 'guild')"),
    ({"streamer": {"name": "x"}}, "not a Twitch chat JSON (no 'comments' list)"),
    ({"comments": {"a": 1}}, "'comments' is an object, expected a list"),
    ("just a string", "not a Twitch chat JSON (it is a string, expected an object or a list)"),
    ([{"text": "hi"}], "comment 0: no content_offset_seconds: not a Twitch VOD comment"),
])
def test_json_that_is_not_twitch_chat_is_refused_in_one_line(tmp_path, doc, problem):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(SourceError) as e:
        parse(path)
    assert str(e.value) == f"{path}: {problem}"


def test_a_malformed_comment_names_its_index(tmp_path):
    bad = comment(1, "x")
    bad["content_offset_seconds"] = "soon"
    with pytest.raises(SourceError, match=r"comment 1: content_offset_seconds is str, expected int or float$"):
        parse(write_twitchdownloader(tmp_path / "c.json", [comment(0, "ok"), bad]))


def test_truncated_json_raises_source_error_with_the_byte_offset(tmp_path):
    whole = write_twitchdownloader(tmp_path / "c.json", [comment(i, f"message {i}") for i in range(20)]).read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(SourceError, match=r"invalid JSON near byte [\d,]+: "):
        parse(cut)


@pytest.mark.parametrize("gz", [False, True])
def test_json_nested_too_deep_is_refused_before_it_is_parsed(tmp_path, gz):
    deep = comment(0, "x")
    deep["message"]["user_badges"] = "DEEP"
    path = write_twitchdownloader(tmp_path / ("c.json.gz" if gz else "c.json"), [deep], gz=gz)
    raw = gzip.decompress(path.read_bytes()) if gz else path.read_bytes()
    raw = raw.replace(b'"DEEP"', b"[" * 5000 + b"]" * 5000)
    path.write_bytes(gzip.compress(raw) if gz else raw)
    with pytest.raises(SourceError, match=rf"^{re.escape(str(path))}: JSON nested deeper than 256 levels between bytes "):
        parse(path)


@pytest.mark.parametrize("value, expected", [("212237951", "v212237951"), ("v212237951", "v212237951"), (212237951, "v212237951"),
                                             ("AwkwardHelplessSalamanderSwiftRage", "AwkwardHelplessSalamanderSwiftRage"),
                                             ("", None), (None, None), (True, None), ("a b", None)])
def test_vod_ids_are_yt_dlp_ids(value, expected):
    assert vod_id(value) == expected


# --- text logs ------------------------------------------------------------------------------


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_tcd_default_lines_with_multi_word_names_and_long_offsets(tmp_path):
    path = write_lines(tmp_path / "212237951.txt",
                       "[0:00:12] <Aivoh> LIVE lirikH",
                       "[1:02:03] <Cool Guy 99> what game is next?",
                       "[1 day, 0:00:05] <日本の名前> まだ起きてる？",
                       "",
                       "[0:10:00] <x> a <b> c")
    events, _ = parse(path)
    assert [(e.t_s, e.author_name, e.text) for e in events] == [
        (12, "Aivoh", "LIVE lirikH"), (3723, "Cool Guy 99", "what game is next?"), (86405, "日本の名前", "まだ起きてる？"), (600, "x", "a <b> c")]
    assert [e.message_id for e in events] == ["1", "2", "3", "5"] and events[1].author_id == "cool guy 99" and events[0].emotes == ()
    assert read_twitch_video(path)[:2] == ("v212237951", "tcd")


def test_tcd_irc_lines_give_badges_and_actions(tmp_path):
    path = write_lines(tmp_path / "v9.log", "[0:00:01] <~Mika> welcome in", "[0:00:02] <@Modder> be nice", "[0:00:03] <%Sub> hi",
                       "[0:00:04] *Sub waves at everyone]")
    events, _ = parse(path)
    assert [(e.author_name, e.text, e.is_owner, e.is_moderator) for e in events] == [
        ("Mika", "welcome in", True, False), ("Modder", "be nice", False, True), ("Sub", "hi", False, False), ("Sub", "waves at everyone", False, False)]


def test_twitchdownloader_text_with_relative_times(tmp_path):
    path = write_lines(tmp_path / "[3-1-24] Mika - chat 2000000009.txt", "[0:00:07] Viewer One: hello: there", "[25:00:00] late: still here")
    events, _ = parse(path)
    assert [(e.t_s, e.author_name, e.text) for e in events] == [(7, "Viewer One", "hello: there"), (90000, "late", "still here")]
    assert read_twitch_video(path)[:2] == ("v2000000009", "twitchdownloader")


def test_a_malformed_line_is_a_one_line_error_naming_file_and_line(tmp_path):
    path = write_lines(tmp_path / "1.txt", "[0:00:01] <a> fine", "this is not chat")
    with pytest.raises(SourceError) as e:
        list(parse_twitch_text(path, Counter()))
    assert str(e.value) == f"{path}: line 2: not a Twitch chat log line (expected '[0:00:12] <name> message' or '[0:00:12] name: message')"


def test_absolute_utc_timestamps_are_refused(tmp_path):
    path = write_lines(tmp_path / "1.txt", "[2024-03-01 20:00:01 UTC] Viewer: hi")
    with pytest.raises(SourceError, match="line 1: UTC timestamps do not place messages in the VOD"):
        parse(path)


def test_text_that_is_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "1.txt"
    path.write_bytes(b"[0:00:01] <a> fine\n[0:00:02] <b> caf\xe9\n")
    with pytest.raises(SourceError, match="line 2: not UTF-8 text"):
        parse(path)


# --- raw IRC logs ---------------------------------------------------------------------------


def irc(ts: int, command: str = "PRIVMSG", text: str | None = "hi", **tags) -> str:
    tags = {"display-name": "Viewer", "user-id": "5", "id": f"m{ts}", "tmi-sent-ts": str(ts)} | tags
    tail = f" :{text}" if text is not None else ""
    return "@" + ";".join(f"{k}={v}" for k, v in tags.items()) + f" :viewer!viewer@viewer.tmi.twitch.tv {command} #mika{tail}"


def test_irc_log_times_count_from_the_vod_start_or_the_first_message(tmp_path):
    path = write_lines(tmp_path / "v1.log", ":tmi.twitch.tv ROOMSTATE #mika", irc(1_700_000_010_000), irc(1_700_000_012_500))
    skipped = Counter()
    assert [e.t_s for e in parse_twitch_irc(path, skipped)] == [0.0, 2.5]
    assert [e.t_s for e in parse_twitch_irc(path, Counter(), start_ms=1_700_000_000_000)] == [10.0, 12.5]
    assert skipped == {"ROOMSTATE": 1}


def test_irc_cheers_subs_and_actions(tmp_path):
    path = write_lines(tmp_path / "v1.log",
                       irc(1, text="Cheer50 gg", bits="50"),
                       irc(2, "USERNOTICE", text="two years!", **{"msg-id": "resub"}),
                       irc(3, "USERNOTICE", text=None, **{"msg-id": "sub"}),
                       irc(4, text="\x01ACTION dances\x01", emotes="", badges="moderator/1,subscriber/12"))
    events, skipped = parse(path)
    assert [(e.kind, e.text, e.amount, e.is_moderator) for e in events] == [
        ("paid", "Cheer50 gg", 50.0, False), ("membership", "two years!", None, False), ("text", "dances", None, True)]
    assert skipped == {"USERNOTICE sub": 1}


def test_an_irc_message_without_tmi_sent_ts_is_an_error(tmp_path):
    path = write_lines(tmp_path / "v1.log", "@id=1 :a!a@a.tmi.twitch.tv PRIVMSG #mika :hi")
    with pytest.raises(SourceError, match="line 1: tmi-sent-ts tag is NoneType, expected str"):
        parse(path)


def test_empty_file_is_an_error(tmp_path):
    (tmp_path / "1.txt").write_bytes(b"\xef\xbb\xbf \n")
    with pytest.raises(SourceError, match="empty file"):
        parse(tmp_path / "1.txt")


def test_json_parser_refuses_a_text_log(tmp_path):
    path = write_lines(tmp_path / "1.txt", "[0:00:01] <a> hi")
    with pytest.raises(SourceError, match="comment 0: comment is int, expected dict$"):  # ijson reads "[0" before it fails
        list(parse_twitch_json(path, Counter()))
