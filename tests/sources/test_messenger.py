"""Facebook Messenger exports: the real samples, mojibake, skipped records, media, threads, E2EE format."""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from factories import parse_with_peak_memory

from chatclone.errors import SourceError
from chatclone.importer import import_file
from chatclone.sources import discover, messenger

MEDIA_KEYS = ("photos", "videos", "gifs", "audio_files", "files", "sticker", "share")


def _parse(path: Path) -> tuple[list, Counter]:
    skipped: Counter = Counter()
    return list(messenger.parse(path, skipped)), skipped


def _count(warehouse, sql: str = "SELECT count(*) FROM messages") -> int:
    return warehouse.con.execute(sql).fetchall()[0][0]


# --- real samples ---------------------------------------------------------------------------


def test_real_sample_loads_every_sent_message_with_content_or_media(shared_data, warehouse, tmp_path):
    path = shared_data / "chat-exports" / "messenger" / "2A_7M.json"
    doc = json.loads(path.read_text(encoding="utf-8-sig"))
    expected = sum(1 for m in doc["messages"] if not m.get("is_unsent") and (m.get("content") or any(m.get(k) for k in MEDIA_KEYS)))

    result = import_file(warehouse, "messenger", path, tmp_path / "q")

    assert result.status == "ok", result.error
    assert result.rows_added == expected == 7
    assert _count(warehouse) == expected


def test_real_sample_is_one_conversation_named_by_its_thread_path(shared_data):
    path = shared_data / "chat-exports" / "messenger" / "2A_7M.json"
    thread_path = json.loads(path.read_text(encoding="utf-8-sig"))["thread_path"]

    messages, _ = _parse(path)

    assert {m.conversation_id for m in messages} == {thread_path}
    assert {m.conversation_name for m in messages} == {"Alice"}


def test_real_sample_media_messages_get_attachment_kinds(shared_data):
    path = shared_data / "chat-exports" / "messenger" / "2A_7M.json"

    messages, _ = _parse(path)

    assert sorted(k for m in messages for k in m.attachments) == ["audio", "file", "image", "sticker"]


def test_copied_sample_without_thread_path_is_named_by_its_file(test_data):
    path = test_data / "messenger" / "chatminer_fbmessenger_testlog.json"

    messages, _ = _parse(path)

    assert [(m.author_name, m.text) for m in messages] == [("Allan Smith", "Hello John"), ("John Doe", "Hello Allan")]
    assert {m.conversation_id for m in messages} == {"chatminer_fbmessenger_testlog"}
    assert messages[0].message_id != messages[1].message_id  # same millisecond, different senders


# --- text encoding --------------------------------------------------------------------------


def test_mojibake_in_names_and_text_is_restored(write_messenger_export):
    path = write_messenger_export([{"sender_name": "José", "content": "qué tal 😍"}], title="Café crew")
    raw = path.read_text(encoding="ascii")
    assert "Jos\\u00c3\\u00a9" in raw
    assert "\\u00f0\\u009f\\u0098\\u008d" in raw  # the emoji as four latin-1 escapes

    [message], _ = _parse(path)

    assert message.author_name == "José"
    assert message.text == "qué tal 😍"
    assert message.conversation_name == "Café crew"


def test_proper_unicode_text_is_left_unchanged(write_messenger_export):
    text = "Zażółć gęślą jaźń, café, naïve ½ ü 😀"
    path = write_messenger_export([{"sender_name": "Zoë", "content": text}], mojibake=False)

    [message], _ = _parse(path)

    assert message.text == text
    assert message.author_name == "Zoë"


def test_fix_mojibake_leaves_ascii_and_non_mojibake_latin1_alone():
    assert messenger.fix_mojibake("plain ascii") == "plain ascii"
    assert messenger.fix_mojibake("déjà vu") == "déjà vu"
    assert messenger.fix_mojibake("d\u00c3\u00a9j\u00c3\u00a0 vu") == "déjà vu"


# --- what is skipped ------------------------------------------------------------------------


def test_unsent_calls_joins_and_reaction_notices_are_skipped_and_counted(write_messenger_export, warehouse, tmp_path):
    path = write_messenger_export([
        {"content": "oops", "is_unsent": True},
        {"content": "Alice started a call.", "type": "Call", "call_duration": 60},
        {"content": "Alice added Bob to the group.", "type": "Subscribe", "users": [{"name": "Bob"}]},
        {"sender_name": "Bob", "content": "Bob reacted 😍 to your message"},
        {"content": "a real message"},
    ])

    result = import_file(warehouse, "messenger", path, tmp_path / "q")

    assert result.skipped == {"unsent": 1, "system:Call": 1, "system:Subscribe": 1, "notice": 1}
    assert warehouse.con.execute("SELECT text FROM messages").fetchall() == [("a real message",)]


def test_message_without_content_or_media_is_skipped_as_empty(write_messenger_export):
    path = write_messenger_export([{"content": None}, {"content": "kept"}])

    messages, skipped = _parse(path)

    assert [m.text for m in messages] == ["kept"]
    assert skipped == {"empty": 1}


# --- media, shares, reactions ---------------------------------------------------------------


def test_media_become_attachment_kinds(write_messenger_export):
    path = write_messenger_export([{
        "content": None,
        "photos": [{"uri": "messages/inbox/bob/photos/1.jpg"}, {"uri": "messages/inbox/bob/photos/2.jpg"}],
        "videos": [{"uri": "messages/inbox/bob/videos/1.mp4"}],
        "gifs": [{"uri": "messages/inbox/bob/gifs/1.gif"}],
        "audio_files": [{"uri": "messages/inbox/bob/audio/1.mp4"}],
        "files": [{"uri": "messages/inbox/bob/files/cv.pdf"}],
        "sticker": {"uri": "messages/stickers_used/1.png"},
    }])

    [message], _ = _parse(path)

    assert Counter(message.attachments) == Counter(["image", "image", "video", "gif", "audio", "file", "sticker"])
    assert message.text == ""


def test_shared_link_is_appended_to_the_text(write_messenger_export):
    path = write_messenger_export([{"content": "look at this", "share": {"link": "https://example.com/article"}}])

    [message], _ = _parse(path)

    assert message.text == "look at this https://example.com/article"


def test_shared_link_already_in_the_text_is_not_repeated(write_messenger_export):
    path = write_messenger_export([{"content": "https://example.com/article", "share": {"link": "https://example.com/article"}}])

    [message], _ = _parse(path)

    assert message.text == "https://example.com/article"


def test_sent_a_link_notice_is_replaced_by_the_link(write_messenger_export):
    path = write_messenger_export([{"content": "Alice sent a link.", "share": {"link": "https://example.com/x"}}])

    [message], _ = _parse(path)

    assert message.text == "https://example.com/x"


def test_reactions_are_counted_on_the_message(write_messenger_export):
    path = write_messenger_export([{"content": "good news", "reactions": [{"reaction": "😍", "actor": "Bob"}, {"reaction": "👍", "actor": "Carol"}]}])

    [message], _ = _parse(path)

    assert message.reactions == 2


def test_timestamp_ms_becomes_naive_utc(write_messenger_export):
    path = write_messenger_export([{"timestamp_ms": 1415147732056}])

    [message], _ = _parse(path)

    assert message.ts == datetime.fromtimestamp(1415147732.056, tz=timezone.utc).replace(tzinfo=None)
    assert message.ts.tzinfo is None


# --- threads and conversation ids -----------------------------------------------------------


def test_thread_folder_with_two_files_is_one_conversation(write_messenger_export, warehouse, tmp_path):
    folder = "inbox/bob_abc123"
    write_messenger_export([{"content": "newer 1"}, {"content": "newer 2"}], f"{folder}/message_1.json", thread_path=folder)
    write_messenger_export([{"content": "older 1", "timestamp_ms": 1_600_000_000_000}], f"{folder}/message_2.json", thread_path=folder)

    files = discover("messenger", [tmp_path / "inbox"])
    results = [import_file(warehouse, "messenger", p, tmp_path / "q") for p in files]

    assert [p.name for p in files] == ["message_1.json", "message_2.json"]
    assert [r.status for r in results] == ["ok", "ok"]
    assert warehouse.con.execute("SELECT DISTINCT conversation_id FROM messages").fetchall() == [(folder,)]
    assert _count(warehouse) == 3


def test_files_without_thread_path_are_named_by_their_folder(write_messenger_export):
    first = write_messenger_export([{"content": "one"}], "carol_9/message_1.json", thread_path=None)
    second = write_messenger_export([{"content": "two"}], "carol_9/message_2.json", thread_path=None)

    ids = {m.conversation_id for path in (first, second) for m in _parse(path)[0]}

    assert ids == {"carol_9"}


def test_reimporting_a_redumped_file_adds_no_rows(write_messenger_export, warehouse, tmp_path):
    path = write_messenger_export([{"content": "hello"}, {"content": None, "photos": [{"uri": "p.jpg"}]}, {"content": "bye"}])
    import_file(warehouse, "messenger", path, tmp_path / "q")
    path.write_text(json.dumps(json.loads(path.read_text()), indent=None), encoding="utf-8")

    again = import_file(warehouse, "messenger", path, tmp_path / "q")

    assert again.status == "ok"
    assert (again.rows_read, again.rows_added) == (3, 0)
    assert _count(warehouse) == 3


# --- the newer end-to-end-encrypted export --------------------------------------------------


def test_e2ee_camelcase_export_loads(write_json):
    path = write_json("bob_42.json", {
        "participants": ["Alice", "Bob"],
        "threadName": "Bob",
        "messages": [
            {"isUnsent": False, "media": [{"uri": "./media/photo_1.jpg"}, {"uri": "./media/clip.mp4"}],
             "reactions": [{"reaction": "❤", "actor": "Bob"}], "senderName": "Alice", "text": "Zdjęcie z wakacji 🏖", "timestamp": 1718000000000, "type": "text"},
            {"isUnsent": True, "media": [], "reactions": [], "senderName": "Bob", "text": "", "timestamp": 1718000001000, "type": "text"},
            {"isUnsent": False, "media": [], "reactions": [], "senderName": "Bob", "text": "ładne!", "timestamp": 1718000002000, "type": "text"},
        ],
    }, ensure_ascii=False)

    messages, skipped = _parse(path)

    assert [(m.author_name, m.text) for m in messages] == [("Alice", "Zdjęcie z wakacji 🏖"), ("Bob", "ładne!")]
    assert messages[0].attachments == ("image", "video")
    assert messages[0].reactions == 1
    assert messages[0].ts == datetime(2024, 6, 10, 6, 13, 20)
    assert messages[0].conversation_name == "Bob"
    assert messages[0].conversation_id == "bob_42"
    assert skipped == {"unsent": 1}


# --- broken input ---------------------------------------------------------------------------


def test_file_without_a_messages_list_is_not_a_messenger_export(write_json):
    path = write_json("message_1.json", {"title": "Bob", "thread_path": "inbox/bob"})

    with pytest.raises(SourceError, match="not a Messenger export"):
        _parse(path)


def test_malformed_message_raises_source_error_naming_file_and_message(write_messenger_export):
    path = write_messenger_export([{"content": "fine"}, {"timestamp_ms": "yesterday"}])

    with pytest.raises(SourceError) as caught:
        _parse(path)

    assert str(path) in str(caught.value)
    assert "message 1" in str(caught.value)


@pytest.mark.parametrize("ts_ms", [6.77680361916768e19, 1e300, -1e300])  # found by hypothesis: OSError (EOVERFLOW) on Linux
def test_timestamp_no_datetime_can_hold_raises_source_error_naming_the_message(write_messenger_export, ts_ms):
    path = write_messenger_export([{"content": "fine"}, {"timestamp_ms": ts_ms}])

    with pytest.raises(SourceError, match=r"message 1: .*timestamp \S+ ms is out of range"):
        _parse(path)


def test_media_uri_nested_past_the_recursion_limit_raises_source_error(write_messenger_export):
    path = write_messenger_export([{"content": None, "photos": [{"uri": "DEEP"}]}])
    depth = sys.getrecursionlimit() + 500
    path.write_text(path.read_text().replace('"DEEP"', "[" * depth + "]" * depth))

    with pytest.raises(SourceError, match="JSON nested deeper than 256 levels"):
        _parse(path)


# --- streaming ------------------------------------------------------------------------------


def test_parse_streams_a_100mb_export_in_bounded_memory(tmp_path):
    path = tmp_path / "inbox" / "big_1" / "message_1.json"
    path.parent.mkdir(parents=True)
    n_messages = 20_000
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"participants": [{"name": "Alice"}, {"name": "Bob"}], "messages": [')
        for i in range(n_messages):
            message = {"sender_name": "Alice" if i % 2 else "Bob", "timestamp_ms": 1_700_000_000_000 - i, "content": f"message {i} " + "x" * 5_000, "type": "Generic"}
            f.write(("," if i else "") + json.dumps(message))
        f.write('], "title": "Bob", "thread_path": "inbox/big_1"}')
    size = path.stat().st_size
    assert size > 90_000_000

    count, peak = parse_with_peak_memory(messenger.parse, path)

    assert count == n_messages
    assert peak < 20_000_000, f"peak {peak:,} bytes traced while parsing a {size:,}-byte file"


def test_a_discord_export_given_as_messenger_is_named_as_the_wrong_format(tmp_path):
    path = tmp_path / "export.json"
    path.write_text('{"channel": {"id": "1"}, "messages": [{"id": "1", "type": "Default", "content": "hi", "author": {"id": "2"}}]}')
    with pytest.raises(SourceError, match="not a Messenger export"):
        list(messenger.parse(path, Counter()))


def test_identical_messages_in_one_millisecond_stay_two_rows(write_messenger_export, warehouse, tmp_path):
    same = {"sender_name": "Bob", "timestamp_ms": 1700000000000, "content": "ha"}
    path = write_messenger_export([same, same, {**same, "timestamp_ms": 1700000000001}])
    first = import_file(warehouse, "messenger", path, tmp_path / "q")
    assert first.rows_added == 3
    path.write_text(path.read_text() + "\n")  # new bytes, same messages
    assert import_file(warehouse, "messenger", path, tmp_path / "q").rows_added == 0
