"""Telegram Desktop exports: the real samples, text entities, media, service entries, full-account exports, broken files."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from factories import parse_with_peak_memory

from chatclone.errors import SourceError
from chatclone.importer import import_file
from chatclone.sources import PATTERNS, discover, telegram
from chatclone.warehouse import Warehouse

MEDIA_KEYS = ("photo", "file", "media_type")
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"
_T0 = datetime(2024, 5, 1, 12, 0, 0)
DROP = "<drop this key>"


def _parse(path: Path) -> tuple[list, Counter]:
    skipped: Counter = Counter()
    return list(telegram.parse(path, skipped)), skipped


def _count(warehouse, sql: str = "SELECT count(*) FROM messages") -> int:
    return warehouse.con.execute(sql).fetchall()[0][0]


def _speech_count(chat: dict) -> int:
    """Messages of a chat object that should load: not service entries, with text or media."""
    def has_text(text) -> bool:
        if isinstance(text, list):
            text = "".join(part if isinstance(part, str) else part["text"] for part in text)
        return bool(text.strip())

    return sum(1 for m in chat["messages"] if m.get("type", "message") == "message" and (has_text(m.get("text", "")) or any(k in m for k in MEDIA_KEYS)))


def _message(i: int, **fields) -> dict:
    """A Telegram Desktop message entry (id i+1, from Alice), `fields` laid over it; a field given as DROP is left out."""
    ts = _T0 + timedelta(minutes=i)
    message = {
        "id": i + 1,
        "type": "message",
        "date": ts.isoformat(),
        "date_unixtime": str(int(ts.replace(tzinfo=timezone.utc).timestamp())),
        "from": "Alice",
        "from_id": "user111",
        "text": f"message {i}",
        "text_entities": [{"type": "plain", "text": f"message {i}"}],
    }
    message.update(fields)
    return {k: v for k, v in message.items() if v != DROP}


def _chat(messages: list[dict], name: str | None = "Bob", kind: str = "personal_chat", chat_id: int = 222) -> dict:
    chat = {"name": name, "type": kind, "id": chat_id, "messages": [_message(i, **m) for i, m in enumerate(messages)]}
    return {k: v for k, v in chat.items() if v is not None}


@pytest.fixture
def write_telegram_export(write_json):
    """write_telegram_export(messages, relpath="ChatExport_2024-05-01/result.json", **chat) -> Path: a single-chat result.json.

    Each message is a partial dict laid over a default text message (see _message); `chat` is
    passed to _chat (name, kind, chat_id). Written with indent=1 like Telegram Desktop.
    """

    def write(messages: list[dict], relpath: str = "ChatExport_2024-05-01/result.json", **chat) -> Path:
        return write_json(relpath, _chat(messages, **chat), indent=1, ensure_ascii=False)

    return write


def _full_export(*chats: dict, left: tuple[dict, ...] = ()) -> dict:
    return {
        "about": "Here is the data you requested.",
        "personal_information": {"user_id": 111, "first_name": "Alice", "phone_number": "+00 000 000 0000"},
        "contacts": {"about": "contacts", "list": [{"first_name": "Bob", "date": "2020-01-01T00:00:00"}]},
        "chats": {"about": "This page lists all chats from this export.", "list": list(chats)},
        "left_chats": {"about": "chats you left", "list": list(left)},
    }


# --- real samples ---------------------------------------------------------------------------


def test_real_sample_loads_every_message_with_text_or_media_and_no_service_entry(shared_data, warehouse, tmp_path):
    path = shared_data / "chat-exports" / "telegram" / "DM_2A_7M.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    expected = _speech_count(doc)

    result = import_file(warehouse, "telegram", path, tmp_path / "q")

    assert result.status == "ok", result.error
    assert result.rows_added == expected == 6
    assert result.skipped == {"service:joined_telegram": 1, "service:phone_call": 1}
    assert _count(warehouse, "SELECT count(DISTINCT conversation_id) FROM messages") == 1


def test_real_sample_takes_unixtime_as_utc_and_date_as_written(shared_data):
    messages, _ = _parse(shared_data / "chat-exports" / "telegram" / "DM_2A_7M.json")
    by_id = {m.message_id: m for m in messages}

    assert by_id["700000000:3645"].ts == datetime(2022, 3, 8, 13, 7, 42)  # only `date`
    assert by_id["700000000:3662"].ts == datetime(2022, 5, 9, 22, 23, 53)  # date_unixtime 1652135033
    assert by_id["700000000:3644"].text == "https://google.com 👀"
    assert [m.attachments for m in messages if m.attachments] == [("image",), ("image",)]  # photos not included
    assert {(m.conversation_id, m.conversation_name) for m in messages} == {("telegram:700000000", "Bob")}


@pytest.mark.parametrize("name", ["tg2md_telegram_channel_result.json", "chatminer_telegram_single_export.json"])
def test_copied_single_chat_samples_load_every_speech_message(test_data, name):
    path = test_data / "telegram" / name
    expected = _speech_count(json.loads(path.read_text(encoding="utf-8")))

    messages, skipped = _parse(path)

    assert len(messages) == expected > 0
    assert sum(skipped.values()) == sum(1 for m in json.loads(path.read_text())["messages"] if m.get("type") == "service")


def test_copied_full_account_sample_loads_every_chat(test_data):
    path = test_data / "telegram" / "chatminer_telegram_batch_export.json"
    doc = json.loads(path.read_text(encoding="utf-8"))

    messages, _ = _parse(path)

    assert len(messages) == sum(_speech_count(chat) for chat in doc["chats"]["list"]) == 2
    assert [(m.author_name, m.text) for m in messages] == [("Author 1", "Minimal Message"), ("Author 2", "Link:https://telegram.org/")]
    assert {m.conversation_name for m in messages} == {"Chatname"}
    assert len({m.message_id for m in messages}) == 2  # no ids in the file: numbered by place


def test_2020_channel_sample_has_int_author_ids_media_and_edits(test_data):
    messages, skipped = _parse(test_data / "telegram" / "tg2md_telegram_channel_result.json")
    by_id = {m.message_id: m for m in messages}

    assert skipped == {"service:create_channel": 1}
    assert {m.author_id for m in messages} == {"9882011936"}
    assert by_id["9882011936:3"].attachments == ("image",) and by_id["9882011936:3"].text == ""
    assert by_id["9882011936:4"].text == "photo with text"
    assert by_id["9882011936:7"].attachments == ("audio",)  # voice_message
    assert by_id["9882011936:8"].attachments == ("audio",)  # audio_file
    assert by_id["9882011936:5"].edited_ts == datetime(2020, 11, 12, 13, 3, 0)
    assert by_id["9882011936:14"].text == "text link (http://example.com/)\n\nexample.com\n\nexample@example.com"
    assert by_id["9882011936:9"].text == "italic in text\n\nitalic on whole line"


# --- text -----------------------------------------------------------------------------------


def test_text_as_a_list_of_strings_and_entities_is_joined(write_telegram_export):
    path = write_telegram_export([{
        "text": [
            {"type": "bold", "text": "look"}, " at ",
            {"type": "text_link", "text": "this page\n", "href": "https://example.com/a"}, "and ",
            {"type": "text_link", "text": "https://example.com/b", "href": "https://example.com/b"}, " ",
            {"type": "link", "text": "https://example.com/c"}, " ",
            {"type": "mention", "text": "@bobby"}, " ",
            {"type": "mention_name", "text": "Carol", "user_id": 333}, " ",
            {"type": "custom_emoji", "text": "😀", "document_id": "5"},
        ],
    }])

    [message], _ = _parse(path)

    assert message.text == "look at this page (https://example.com/a)\nand https://example.com/b https://example.com/c @bobby Carol 😀"
    assert message.mentions == ("bobby", "Carol")


def test_text_entities_are_not_counted_twice(write_telegram_export):
    path = write_telegram_export([
        {"text": ["hi ", {"type": "bold", "text": "there"}], "text_entities": [{"type": "plain", "text": "hi "}, {"type": "bold", "text": "there"}]},
        {"text": DROP, "text_entities": [{"type": "plain", "text": "only "}, {"type": "italic", "text": "entities"}]},
    ])

    messages, _ = _parse(path)

    assert [m.text for m in messages] == ["hi there", "only entities"]


def test_empty_message_without_media_is_skipped_as_empty(write_telegram_export):
    path = write_telegram_export([{"text": "", "text_entities": []}, {"text": ["  "]}, {"text": "kept"}])

    messages, skipped = _parse(path)

    assert [m.text for m in messages] == ["kept"]
    assert skipped == {"empty": 2}


# --- what is skipped ------------------------------------------------------------------------


def test_service_entries_are_skipped_and_counted_by_action(write_telegram_export, warehouse, tmp_path):
    path = write_telegram_export([
        {"type": "service", "from": DROP, "from_id": DROP, "actor": "Alice", "actor_id": "user111", "action": "phone_call", "duration_seconds": 56, "text": ""},
        {"type": "service", "from": DROP, "from_id": DROP, "actor": "Bob", "actor_id": "user222", "action": "pin_message", "message_id": 1, "text": ""},
        {"type": "service", "from": DROP, "from_id": DROP, "actor": "Bob", "actor_id": "user222", "action": "pin_message", "message_id": 1, "text": ""},
        {"type": "service", "from": DROP, "from_id": DROP, "text": ""},
        {"text": "a real message"},
    ])

    result = import_file(warehouse, "telegram", path, tmp_path / "q")

    assert result.skipped == {"service:phone_call": 1, "service:pin_message": 2, "service:unknown": 1}
    assert warehouse.con.execute("SELECT text FROM messages").fetchall() == [("a real message",)]


# --- media ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "kinds"), [
    ({"photo": "photos/photo_1@01-05-2024_12-00-00.jpg", "width": 1280, "height": 960}, ("image",)),
    ({"photo": NOT_INCLUDED}, ("image",)),
    ({"file": "stickers/sticker.webp", "media_type": "sticker", "sticker_emoji": "😂"}, ("sticker",)),
    ({"file": NOT_INCLUDED, "media_type": "animation", "mime_type": "video/mp4"}, ("gif",)),
    ({"file": "voice_messages/audio_1.ogg", "media_type": "voice_message", "duration_seconds": 3}, ("audio",)),
    ({"file": "files/song.mp3", "media_type": "audio_file", "performer": "X"}, ("audio",)),
    ({"file": "video_files/clip.mp4", "media_type": "video_file"}, ("video",)),
    ({"file": "round_video_messages/round.mp4", "media_type": "video_message"}, ("video",)),
    ({"file": "files/report.pdf", "mime_type": "application/pdf"}, ("file",)),
    ({"media_type": "sticker", "sticker_emoji": "👍"}, ("sticker",)),  # the file itself not even named
])
def test_media_become_attachment_kinds(write_telegram_export, fields, kinds):
    path = write_telegram_export([{"text": "", "text_entities": [], **fields}])

    [message], skipped = _parse(path)

    assert message.attachments == kinds
    assert message.text == ""
    assert not skipped


# --- authors, ids, times --------------------------------------------------------------------


def test_deleted_account_with_null_from_keeps_its_id(write_telegram_export):
    path = write_telegram_export([{"from": None, "from_id": "user999"}, {"from": None, "from_id": DROP}])
    assert '"from": null' in path.read_text()

    messages, _ = _parse(path)

    assert [(m.author_id, m.author_name) for m in messages] == [("user999", "Deleted Account"), ("Deleted Account", "Deleted Account")]


def test_int_from_id_of_the_2020_format_becomes_a_string(write_telegram_export):
    path = write_telegram_export([{"from_id": 9882011936, "from": "test channel"}])

    [message], _ = _parse(path)

    assert message.author_id == "9882011936"
    assert message.author_name == "test channel"


def test_channel_posts_keep_the_channel_id(write_telegram_export):
    path = write_telegram_export([{"from": "News", "from_id": "channel1500"}], kind="public_channel", name="News", chat_id=1500)

    [message], _ = _parse(path)

    assert (message.author_id, message.conversation_id, message.conversation_name) == ("channel1500", "telegram:1500", "News")


def test_date_unixtime_is_preferred_and_taken_as_utc(write_telegram_export):
    path = write_telegram_export([
        {"date": "2024-05-01T14:00:00", "date_unixtime": "1714564800"},  # the exporter's local time was UTC+2
        {"date": "2024-05-01T14:00:00", "date_unixtime": DROP},
    ])

    messages, _ = _parse(path)

    assert [m.ts for m in messages] == [datetime(2024, 5, 1, 12, 0, 0), datetime(2024, 5, 1, 14, 0, 0)]


def test_edited_message_gets_edited_ts(write_telegram_export):
    path = write_telegram_export([
        {"edited": "2024-05-01T14:05:00", "edited_unixtime": "1714565100"},
        {"edited": "2020-11-12T13:03:00"},
        {},
    ])

    messages, _ = _parse(path)

    assert [m.edited_ts for m in messages] == [datetime(2024, 5, 1, 12, 5, 0), datetime(2020, 11, 12, 13, 3, 0), None]


def test_reply_points_at_the_replied_message_id(write_telegram_export):
    path = write_telegram_export([
        {}, {"reply_to_message_id": 1}, {"reply_to_message_id": 2, "reply_to_peer_id": "channel222"},
        {"reply_to_message_id": 77, "reply_to_peer_id": "channel5"},
    ], chat_id=222)

    messages, _ = _parse(path)

    assert [m.message_id for m in messages] == ["222:1", "222:2", "222:3", "222:4"]
    assert [m.reply_to for m in messages] == [None, "222:1", "222:2", None]  # a reply into another chat has no row here


def test_reactions_are_summed(write_telegram_export):
    path = write_telegram_export([
        {"reactions": [{"type": "emoji", "count": 3, "emoji": "👍", "recent": [{"from": "Bob", "from_id": "user222", "date": "2024-05-01T12:01:00"}]},
                       {"type": "custom_emoji", "count": 2, "document_id": "5368324170671202286"}]},
        {"reactions": []},
    ])

    messages, _ = _parse(path)

    assert [m.reactions for m in messages] == [5, 0]


def test_forwarded_message_is_kept_as_the_forwarders(write_telegram_export):
    path = write_telegram_export([{"forwarded_from": "Some Channel", "text": "read this"}])

    [message], _ = _parse(path)

    assert (message.author_name, message.text) == ("Alice", "read this")


# --- chats and full-account exports ---------------------------------------------------------


def test_full_account_export_gives_each_chat_its_own_conversation(write_json, warehouse, tmp_path):
    doc = _full_export(
        _chat([{"text": "hi bob"}, {"text": "bye bob", "reply_to_message_id": 1}], name="Bob", chat_id=222),
        _chat([{"text": "note to self"}], name=None, kind="saved_messages", chat_id=111),
        _chat([{"text": "hi group"}, {"type": "service", "action": "invite_members", "text": ""}], name="Friends", kind="private_supergroup", chat_id=333),
        left=(_chat([{"text": "old group"}], name="Old", kind="private_group", chat_id=444),),
    )
    path = write_json("result.json", doc, indent=1)

    result = import_file(warehouse, "telegram", path, tmp_path / "q")
    rows = warehouse.con.execute("SELECT conversation_id, conversation_name, message_id, reply_to, text FROM messages ORDER BY conversation_id, message_id").fetchall()

    assert result.status == "ok" and result.skipped == {"service:invite_members": 1}
    assert rows == [
        ("telegram:111", "saved_messages", "111:1", None, "note to self"),
        ("telegram:222", "Bob", "222:1", None, "hi bob"),
        ("telegram:222", "Bob", "222:2", "222:1", "bye bob"),
        ("telegram:333", "Friends", "333:1", None, "hi group"),
        ("telegram:444", "Old", "444:1", None, "old group"),
    ]


def test_full_account_export_without_chats_is_valid_and_empty(write_json):
    path = write_json("result.json", _full_export(), indent=1)

    assert _parse(path) == ([], Counter())


def test_name_and_type_after_messages_are_found(write_json):
    # json.dumps(sort_keys=True) puts "messages" before "name" and "type"; "id" stays first.
    single = write_json("single/result.json", _chat([{"text": "hello"}], name="Bob", chat_id=222), sort_keys=True)
    full = write_json("full/result.json", _full_export(
        _chat([{"text": "one"}], name="Bob", chat_id=222),
        _chat([{"text": "two"}], name=None, kind="saved_messages", chat_id=111),
        _chat([{"text": "three"}], name="Carol", chat_id=333),
    ), sort_keys=True)

    [one], _ = _parse(single)
    messages, _ = _parse(full)

    assert (one.conversation_id, one.conversation_name) == ("telegram:222", "Bob")
    assert [(m.conversation_id, m.conversation_name, m.text) for m in messages] == [
        ("telegram:222", "Bob", "one"), ("telegram:111", "saved_messages", "two"), ("telegram:333", "Carol", "three"),
    ]


def test_chat_whose_id_comes_last_is_found(write_json):
    chat = _chat([{"text": "hello"}], name="Bob", chat_id=222)
    path = write_json("result.json", {"messages": chat["messages"], "name": "Bob", "type": "personal_chat", "id": 222})

    [message], _ = _parse(path)

    assert (message.conversation_id, message.message_id) == ("telegram:222", "222:1")


def test_chat_without_id_or_name_is_named_by_its_folder_and_file(write_json):
    path = write_json("ChatExport_2024/result.json", {"messages": [_message(0, id=DROP)]})

    [message], _ = _parse(path)

    assert (message.conversation_id, message.message_id) == ("telegram:ChatExport_2024/result", "ChatExport_2024/result:#0")


def test_discover_finds_result_json_in_export_folders(write_telegram_export, tmp_path):
    write_telegram_export([{}], "exports/ChatExport_2024-05-01/result.json")
    write_telegram_export([{}], "exports/DataExport_2024-05-02/result.json")
    (tmp_path / "exports" / "DataExport_2024-05-02" / "lists").mkdir()
    (tmp_path / "exports" / "DataExport_2024-05-02" / "lists" / "chats.json").write_text("{}")

    files = discover("telegram", [tmp_path / "exports"])

    assert PATTERNS["telegram"] == "result.json"
    assert [f.parent.name for f in files] == ["ChatExport_2024-05-01", "DataExport_2024-05-02"]


def test_reimporting_a_redumped_file_adds_no_rows(write_telegram_export, warehouse, tmp_path):
    path = write_telegram_export([{"text": "hello"}, {"text": "", "photo": NOT_INCLUDED}, {"text": "bye"}])
    first = import_file(warehouse, "telegram", path, tmp_path / "q")
    path.write_text(json.dumps(json.loads(path.read_text()), indent=None), encoding="utf-8")

    again = import_file(warehouse, "telegram", path, tmp_path / "q")

    assert first.rows_added == 3
    assert again.status == "ok"
    assert (again.rows_read, again.rows_added) == (3, 0)
    assert _count(warehouse) == 3


# --- broken input ---------------------------------------------------------------------------


def test_truncated_export_raises_source_error_and_is_quarantined(write_telegram_export, warehouse, tmp_path):
    path = write_telegram_export([{"text": "one"}, {"text": "two"}])
    path.write_bytes(path.read_bytes()[:-40])

    with pytest.raises(SourceError, match="invalid JSON near byte") as caught:
        _parse(path)
    result = import_file(warehouse, "telegram", path, tmp_path / "q")

    assert "\n" not in str(caught.value) and str(path) in str(caught.value)
    assert result.status == "quarantined" and _count(warehouse) == 0


@pytest.mark.parametrize(("doc", "problem"), [
    ({"title": "not telegram", "items": [1, 2]}, "no 'messages' list and no 'chats' list"),
    ([{"date": "2024-01-01T00:00:00", "text": "hi"}], "no 'messages' list and no 'chats' list"),
    ({"channel": {"id": "1"}, "messages": [{"id": "1", "type": "Default", "timestamp": "2024-01-01T00:00:00+00:00", "content": "hi", "author": {"id": "2"}}]},
     "its messages have no date"),
    ({"participants": [{"name": "Alice"}], "messages": [{"sender_name": "Alice", "timestamp_ms": 1700000000000, "content": "hi"}]}, "its messages have no date"),
])
def test_other_json_is_not_a_telegram_export(write_json, doc, problem):
    path = write_json("result.json", doc)

    with pytest.raises(SourceError, match="not a Telegram export") as caught:
        _parse(path)

    assert problem in str(caught.value)


def test_malformed_message_raises_source_error_naming_chat_and_message(write_telegram_export):
    path = write_telegram_export([{"text": "fine"}, {"date_unixtime": "yesterday"}], name="Bob")

    with pytest.raises(SourceError) as caught:
        _parse(path)

    assert str(path) in str(caught.value)
    assert "message 1: malformed" in str(caught.value) and "in chat 'Bob'" in str(caught.value)


# --- streaming ------------------------------------------------------------------------------


@pytest.mark.parametrize(("head", "tail"), [
    ('{"about": "x", "chats": {"about": "y", "list": [{"id": 222, "messages": [', '], "name": "Bob", "type": "personal_chat"}]}, "left_chats": {"about": "z", "list": []}}'),
    ('{"id": 222, "messages": [', '], "name": "Bob", "type": "personal_chat"}'),
], ids=["inside a full export", "single chat"])
def test_parse_streams_a_100mb_chat_in_bounded_memory(tmp_path, head, tail):
    # The chat's name and type come after its messages: both the main reader and the one
    # that reads ahead for the name must stream.
    path = tmp_path / "result.json"
    n_messages = 20_000
    with open(path, "w", encoding="utf-8") as f:
        f.write(head)
        for i in range(n_messages):
            f.write(("," if i else "") + json.dumps(_message(i, text=[f"message {i} ", {"type": "bold", "text": "x" * 5_000}])))
        f.write(tail)
    size = path.stat().st_size
    assert size > 90_000_000

    count, peak = parse_with_peak_memory(telegram.parse, path)

    assert count == n_messages
    assert peak < 20_000_000, f"peak {peak:,} bytes traced while parsing a {size:,}-byte file"


# --- the CLI --------------------------------------------------------------------------------


@pytest.mark.integration
def test_cli_imports_a_telegram_export(write_telegram_export, tmp_path, chatclone):
    path = write_telegram_export([{"text": "hello from telegram"}, {"type": "service", "action": "phone_call", "text": ""}, {"text": "", "photo": NOT_INCLUDED}])
    workspace = tmp_path / "ws"
    assert chatclone("init", "alice", "--speaker", "Alice", "--workspace", str(workspace)).returncode == 0
    proc = chatclone("import", "telegram", str(path), "--workspace", str(workspace))

    assert proc.returncode == 0, proc.stderr
    assert "1 file(s), 2 row(s) added" in proc.stdout
    with Warehouse(workspace / "warehouse.duckdb") as wh:
        rows = wh.con.execute("SELECT source, conversation_id, author_name, text, attachments FROM messages ORDER BY message_id").fetchall()
    assert rows == [("telegram", "telegram:222", "Alice", "hello from telegram", []), ("telegram", "telegram:222", "Alice", "", ["image"])]
