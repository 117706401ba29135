"""DiscordChatExporter JSON: real samples against an independent count, and the format's quirks."""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from factories import parse_with_peak_memory

from chatclone.errors import SourceError
from chatclone.importer import import_file
from chatclone.sources import discord

SHARED_DISCORD = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "chat-exports" / "discord"
SPEECH_TYPES = ("Default", "Reply")


def _sample_names() -> list[str]:
    # One test per real export; if the folder exists but holds none, the placeholder fails the test.
    names = sorted(p.name for p in SHARED_DISCORD.glob("*.json")) if SHARED_DISCORD.is_dir() else []
    return names or ["(no discord samples)"]


def _real_sample(shared_data: Path, name: str) -> Path:
    path = shared_data / "chat-exports" / "discord" / name
    assert path.is_file(), f"no DiscordChatExporter samples in {path.parent}"
    return path


def _speech_count(path: Path) -> int:
    """Independent count: messages of a speech type, read with plain json."""
    doc = json.loads(path.read_text(encoding="utf-8-sig"))
    return sum(1 for m in doc["messages"] if m.get("type", "Default") in SPEECH_TYPES)


def _rows_from(warehouse, path: Path) -> int:
    return warehouse.con.execute(
        "SELECT count(*) FROM messages JOIN imports USING (import_id) WHERE imports.path = ?", [str(path)]
    ).fetchall()[0][0]


def _parse(path: Path) -> tuple[list, Counter]:
    skipped: Counter = Counter()
    return list(discord.parse(path, skipped)), skipped


# --- real exports ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", _sample_names())
def test_real_export_loads_every_speech_message(shared_data, warehouse, tmp_path, name):
    path = _real_sample(shared_data, name)
    expected = _speech_count(path)

    result = import_file(warehouse, "discord", path, tmp_path / "q")

    assert result.status == "ok", result.error
    assert result.rows_added == expected
    assert _rows_from(warehouse, path) == expected


@pytest.mark.parametrize("name", _sample_names())
def test_reimporting_a_real_export_adds_no_rows(shared_data, warehouse, tmp_path, name):
    path = _real_sample(shared_data, name)
    import_file(warehouse, "discord", path, tmp_path / "q")

    again = import_file(warehouse, "discord", path, tmp_path / "q")

    assert again.status == "unchanged"
    assert again.rows_added == 0
    assert warehouse.con.execute("SELECT count(*) FROM messages").fetchall()[0][0] == _speech_count(path)


@pytest.mark.parametrize("name", _sample_names())
def test_reimporting_a_redumped_real_export_adds_no_rows(shared_data, warehouse, tmp_path, name):
    path = _real_sample(shared_data, name)
    import_file(warehouse, "discord", path, tmp_path / "q")
    redumped = tmp_path / name
    redumped.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8-sig")), indent=None, ensure_ascii=False), encoding="utf-8")
    assert redumped.read_bytes() != path.read_bytes()

    again = import_file(warehouse, "discord", redumped, tmp_path / "q")

    assert again.status == "ok", again.error
    assert again.rows_read == _speech_count(path)
    assert again.rows_added == 0
    assert warehouse.con.execute("SELECT count(*) FROM messages").fetchall()[0][0] == _speech_count(path)


# --- quirks of the format -------------------------------------------------------------------


def test_nickname_is_preferred_over_name(write_discord_export):
    path = write_discord_export([{"author": {"id": "3", "name": "not a plant", "nickname": "theplant"}}])

    [message], _ = _parse(path)

    assert message.author_name == "theplant"
    assert message.author_id == "3"


def test_name_is_used_when_there_is_no_nickname(write_discord_export):
    path = write_discord_export([{"author": {"id": "3", "name": "not a plant", "nickname": None}}])

    [message], _ = _parse(path)

    assert message.author_name == "not a plant"


def test_system_messages_are_not_loaded_and_are_counted_as_skipped(write_discord_export, warehouse, tmp_path):
    system = ["ChannelNameChange", "Call", "GuildMemberJoin", "ChannelPinnedMessage", "ThreadCreated", "Call"]
    path = write_discord_export([{"type": kind, "content": f"{kind} notice"} for kind in system] + [{"content": "real speech"}])

    result = import_file(warehouse, "discord", path, tmp_path / "q")

    assert result.skipped == {"system:ChannelNameChange": 1, "system:Call": 2, "system:GuildMemberJoin": 1, "system:ChannelPinnedMessage": 1, "system:ThreadCreated": 1}
    assert warehouse.con.execute("SELECT text FROM messages").fetchall() == [("real speech",)]


def test_reply_message_is_loaded_with_reply_to_from_its_reference(write_discord_export):
    path = write_discord_export([
        {"id": "500", "content": "question?"},
        {"id": "501", "type": "Reply", "content": "answer", "reference": {"messageId": "500", "channelId": "1", "guildId": None}},
    ])

    messages, _ = _parse(path)

    assert [(m.message_id, m.reply_to) for m in messages] == [("500", None), ("501", "500")]


def test_attachments_and_stickers_become_placeholder_kinds(write_discord_export):
    files = ["cat.PNG", "dance.gif", "clip.mp4", "voice-message.ogg", "notes.pdf", "photo.jpeg", "noextension"]
    path = write_discord_export([{
        "content": "",
        "attachments": [{"id": str(i), "url": f"https://cdn.example/{f}", "fileName": f, "fileSizeBytes": 1} for i, f in enumerate(files)],
        "stickers": [{"id": "1", "name": "wave", "format": "Apng", "sourceUrl": "https://cdn.example/s.png"}],
    }])

    [message], _ = _parse(path)

    assert message.attachments == ("image", "gif", "video", "audio", "file", "image", "file", "sticker")


def test_message_with_only_a_sticker_is_loaded(write_discord_export):
    path = write_discord_export([{"content": "", "stickers": [{"id": "1", "name": "wave"}]}])

    [message], skipped = _parse(path)

    assert message.attachments == ("sticker",)
    assert not skipped


def test_message_without_text_or_attachments_is_skipped_as_empty(write_discord_export):
    path = write_discord_export([{"content": "   "}, {"content": "kept"}])

    messages, skipped = _parse(path)

    assert [m.text for m in messages] == ["kept"]
    assert skipped == {"empty": 1}


def test_is_bot_is_taken_from_the_author(write_discord_export):
    path = write_discord_export([
        {"author": {"id": "1", "name": "human", "isBot": False}},
        {"author": {"id": "2", "name": "robot", "isBot": True}},
        {"author": {"id": "3", "name": "unsure"}},
    ])

    messages, _ = _parse(path)

    assert [m.is_bot for m in messages] == [False, True, False]


def test_offset_timestamps_are_stored_as_naive_utc(write_discord_export, warehouse, tmp_path):
    path = write_discord_export([{"timestamp": "2023-06-01T12:30:00.250+02:00", "timestampEdited": "2023-06-01T07:45:00-05:00"}])

    import_file(warehouse, "discord", path, tmp_path / "q")

    assert warehouse.con.execute("SELECT ts, edited_ts FROM messages").fetchall() == [
        (datetime(2023, 6, 1, 10, 30, 0, 250000), datetime(2023, 6, 1, 12, 45))
    ]


def test_thread_export_uses_the_thread_channel_id_as_conversation_id(write_discord_export):
    thread = {"id": "1100000000000000001", "type": "GuildPublicThread", "categoryId": "1064990764406419508", "category": "general", "name": "a thread"}
    path = write_discord_export([{"content": "in the thread"}], channel=thread)

    [message], _ = _parse(path)

    assert message.conversation_id == "1100000000000000001"
    assert message.conversation_name == "Test Guild #a thread"


def test_direct_message_conversation_is_named_without_a_guild(write_discord_export):
    path = write_discord_export([{}], guild={"id": "0", "name": "Direct Messages"}, channel={"type": "DirectTextChat", "name": "bob"})

    [message], _ = _parse(path)

    assert message.conversation_name == "bob"


def test_reactions_are_summed_over_emoji(write_discord_export):
    path = write_discord_export([{"reactions": [{"emoji": {"id": "", "name": "👍"}, "count": 3}, {"emoji": {"id": "", "name": "😂"}, "count": 2}]}])

    [message], _ = _parse(path)

    assert message.reactions == 5


def test_mentions_keep_the_display_names_of_mentioned_users(write_discord_export):
    path = write_discord_export([{
        "content": "hi @theplant and @mlomb",
        "mentions": [{"id": "3", "name": "not a plant", "nickname": "theplant"}, {"id": "1", "name": "mlomb", "nickname": None}],
    }])

    [message], _ = _parse(path)

    assert message.mentions == ("theplant", "mlomb")


def test_malformed_message_raises_source_error_naming_file_and_message(write_discord_export):
    path = write_discord_export([{"content": "fine"}, {"author": "not an object"}])

    with pytest.raises(SourceError) as caught:
        _parse(path)

    assert str(path) in str(caught.value)
    assert "message 1" in str(caught.value)


def test_file_without_a_channel_is_not_a_discord_export(write_json):
    path = write_json("export.json", {"messages": [{"id": "1", "type": "Default", "content": "hi"}]})

    with pytest.raises(SourceError, match="not a DiscordChatExporter JSON export"):
        _parse(path)


def _nest_deeper_than_the_recursion_limit(path: Path, placeholder: str) -> None:
    depth = sys.getrecursionlimit() + 500
    text = path.read_text(encoding="utf-8-sig")
    assert f'"{placeholder}"' in text
    path.write_text(text.replace(f'"{placeholder}"', "[" * depth + "]" * depth), encoding="utf-8")


def test_value_nested_past_the_recursion_limit_in_a_message_raises_source_error(write_discord_export):
    path = write_discord_export([{"author": {"id": "DEEP", "name": "alice"}}])
    _nest_deeper_than_the_recursion_limit(path, "DEEP")

    with pytest.raises(SourceError, match="JSON nested deeper than 256 levels"):
        _parse(path)


def test_channel_id_nested_past_the_recursion_limit_raises_source_error(write_discord_export):
    path = write_discord_export([{}], channel={"id": "DEEP"})
    _nest_deeper_than_the_recursion_limit(path, "DEEP")

    with pytest.raises(SourceError):
        _parse(path)


# --- streaming ------------------------------------------------------------------------------


def _write_big_export(path: Path, n_messages: int, padding: int, indented: bool) -> None:
    """A DiscordChatExporter export written message by message, never whole in memory.

    `indented` lays it out as DiscordChatExporter does (two-space indent), else on one line.
    """
    nl, pad = ("\n", "    ") if indented else ("", "")
    with open(path, "w", encoding="utf-8") as f:
        f.write('{%s  "guild": {"id": "1", "name": "Big Guild"},%s  "channel": {"id": "42", "type": "GuildTextChat", "name": "general"},%s  "messages": [%s' % (nl, nl, nl, nl))
        for i in range(n_messages):
            message = {
                "id": str(10**17 + i),
                "type": "Default",
                "timestamp": "2023-01-17T19:33:07.489+00:00",
                "content": f"message {i} " + "x" * padding,
                "author": {"id": str(i % 50), "name": f"user{i % 50}", "nickname": None, "isBot": False},
                "attachments": [],
                "stickers": [],
                "reactions": [],
                "mentions": [],
            }
            item = json.dumps(message, indent=2 if indented else None).replace("\n", "\n" + pad)
            f.write(("," + nl if i else "") + pad + item)
        f.write('%s  ],%s  "messageCount": %d%s}' % (nl, nl, n_messages, nl))


@pytest.mark.parametrize(
    ("n_messages", "padding", "indented"),
    [
        pytest.param(20_000, 5_000, True, id="20k-messages-100MB-indented"),
        pytest.param(20_000, 5_000, False, id="20k-messages-100MB-one-line"),
        pytest.param(200_000, 300, True, id="200k-messages-100MB-indented"),
    ],
)
def test_parse_streams_a_100mb_export_in_bounded_memory(tmp_path, n_messages, padding, indented):
    path = tmp_path / "big.json"
    _write_big_export(path, n_messages, padding, indented)
    size = path.stat().st_size
    assert size > 90_000_000

    count, peak = parse_with_peak_memory(discord.parse, path)

    assert count == n_messages
    assert peak < 20_000_000, f"peak {peak:,} bytes traced while parsing a {size:,}-byte file"
