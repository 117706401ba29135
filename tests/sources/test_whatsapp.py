"""WhatsApp exported chats: the real samples, date orders, clocks, iOS marks, system lines, media, zips, re-import."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from factories import parse_with_peak_memory

from chatclone.errors import SourceError
from chatclone.importer import import_file
from chatclone.sources import discover, whatsapp

LRM, NNBSP, NBSP = "\u200e", "\u202f", "\u00a0"
DATE_CHARS = set("0123456789/.-:, []apmAPM" + NNBSP + NBSP)


def _parse(path: Path) -> tuple[list, Counter]:
    skipped: Counter = Counter()
    return list(whatsapp.parse(path, skipped)), skipped


def _count(warehouse, sql: str = "SELECT count(*) FROM messages") -> int:
    return warehouse.con.execute(sql).fetchall()[0][0]


@pytest.fixture
def write_chat(tmp_path):
    """write_chat(lines, name="WhatsApp Chat with Alice.txt") -> Path: the lines, newline-terminated, as UTF-8."""

    def write(lines: list[str], name: str = "WhatsApp Chat with Alice.txt") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return path

    return write


def _speech_lines(path: Path) -> int:
    """Messages in an export, counted without the parser's regex: a line is one when it splits at
    `] ` (iOS) or the first ` - ` (Android) into a head of date and time characters only and a body
    whose text before its first colon names someone (no quote: system lines quote group names)."""
    n = 0
    for line in path.read_text(encoding="utf-8").split("\n"):
        line = line.lstrip(LRM)
        head, sep, body = line.partition("] ") if line.startswith("[") else line.partition(" - ")
        name, colon, _ = body.partition(":")
        stamped = bool(sep) and head.lstrip("[")[:1].isdigit() and set(head) <= DATE_CHARS
        n += stamped and bool(colon) and bool(name.strip()) and '"' not in name
    return n


# --- real samples ---------------------------------------------------------------------------


def test_real_sample_loads_every_message(shared_data, warehouse, tmp_path):
    path = shared_data / "chat-exports" / "whatsapp" / "2A_5M.txt"
    # 2A_5M: 2 authors, 5 messages, every line "d/m/yy, HH:MM - Name: text"; no system line.
    assert _speech_lines(path) == 5

    result = import_file(warehouse, "whatsapp", path, tmp_path / "q")

    assert result.status == "ok", result.error
    assert result.rows_added == 5
    assert _count(warehouse, "SELECT count(*) FROM messages WHERE source = 'whatsapp'") == 5


def test_real_sample_media_omitted_in_lower_case_is_a_placeholder(shared_data):
    messages, _ = _parse(shared_data / "chat-exports" / "whatsapp" / "2A_5M.txt")

    assert [(m.author_name, m.text, m.attachments) for m in messages][3] == ("B", "", ("file",))
    assert messages[-1].text == "This message should be reordered"  # written out of time order: kept as written
    assert messages[-1].ts == datetime(2021, 1, 1, 12, 2)


@pytest.mark.parametrize(("name", "expected"), [
    # 9 timestamped lines, 2 of them system lines ("created group", "You were added"): 7.
    ("chatminer_whatsapp_ddmmyy_24hrs.txt", 7),
    # The same chat written month-first with a 12-hour Spanish clock ("a. m."): 7.
    ("chatminer_whatsapp_mmddyyyy_12hrs.txt", 7),
    # 20 timestamped lines, 3 system lines (the encryption notice, "created group", "You were
    # added"): 17, the 17 authored messages chat-miner's own test/whatsapp/target.json lists.
    ("chatminer_whatsapp_testlog_mixed_formats.txt", 17),
])
def test_copied_samples_load_every_message_and_skip_system_lines(test_data, warehouse, tmp_path, name, expected):
    path = test_data / "whatsapp" / name
    assert _speech_lines(path) == expected

    result = import_file(warehouse, "whatsapp", path, tmp_path / "q")

    assert result.status == "ok", result.error
    assert result.rows_added == expected
    assert result.skipped["system"] == {7: 2, 17: 3}[expected]


def test_both_date_orders_of_the_same_chat_give_the_same_times(test_data):
    day_first, _ = _parse(test_data / "whatsapp" / "chatminer_whatsapp_ddmmyy_24hrs.txt")
    month_first, _ = _parse(test_data / "whatsapp" / "chatminer_whatsapp_mmddyyyy_12hrs.txt")

    assert [m.ts for m in day_first] == [m.ts for m in month_first]
    assert day_first[2].ts == datetime(2019, 1, 30, 20, 49)  # 30/01/19, 20:49 and 01/30/2019, 08:49 p. m.


def test_mixed_format_sample_reads_every_clock_and_separator(test_data):
    messages, _ = _parse(test_data / "whatsapp" / "chatminer_whatsapp_testlog_mixed_formats.txt")
    by_text = {m.text: m for m in messages}

    assert by_text["Hello world"].ts == datetime(2019, 9, 24, 23, 30)  # 9/24/2019 11:30 p.m., no comma
    assert by_text["Testing am"].ts == datetime(2019, 9, 24, 11, 30)
    assert by_text["Testing spacing in pm"].ts == datetime(2019, 12, 24, 23, 30)  # "p. m."
    assert by_text["Testing brackets"].ts == datetime(2022, 9, 10, 22, 37)  # [09/10/22 10:37:00 p.m.], month-first
    assert by_text["Testing date dashes"].ts == datetime(2022, 9, 10, 22, 37)  # 09-10-2022
    assert by_text["Testing dash - in message body"].ts == datetime(2021, 10, 24, 15, 21, 43)  # [10.24.21, 15:21:43]
    assert by_text["Testing emoji 🤓"].author_name in {"John Doe 🤓", "🤓"}
    assert f"Testing abnormal{NBSP}unicode" in by_text  # "p.\xa0m." as the clock


def test_name_colon_without_a_space_is_still_a_message(test_data):
    messages, _ = _parse(test_data / "whatsapp" / "chatminer_whatsapp_ddmmyy_24hrs.txt")

    assert (messages[1].author_name, messages[1].text) == ("John Doe", ".")


# --- date order, clocks and separators ------------------------------------------------------


def test_a_day_over_12_makes_the_file_day_first(write_chat):
    path = write_chat(["03/04/21, 10:00 - Alice: ambiguous", "13/04/21, 10:00 - Alice: decisive"])

    messages, _ = _parse(path)

    assert [m.ts.date() for m in messages] == [datetime(2021, 4, 3).date(), datetime(2021, 4, 13).date()]


def test_a_second_field_over_12_makes_the_file_month_first(write_chat):
    path = write_chat(["03/04/21, 10:00 - Alice: ambiguous", "04/13/21, 10:00 - Alice: decisive"])

    messages, _ = _parse(path)

    assert [m.ts.date() for m in messages] == [datetime(2021, 3, 4).date(), datetime(2021, 4, 13).date()]


def test_the_deciding_date_may_come_late_in_the_file(write_chat):
    lines = [f"0{1 + i % 9}/0{1 + i % 9}/21, 10:{i % 60:02d} - Alice: line {i}" for i in range(500)]
    path = write_chat(["01/02/21, 09:00 - Alice: first", *lines, "01/31/21, 10:00 - Alice: decisive"])

    messages, _ = _parse(path)

    assert messages[0].ts == datetime(2021, 1, 2, 9, 0)


@pytest.mark.parametrize(("clock", "month"), [("10:00", 4), ("10:00 am", 4), ("10:00 AM", 3), (f"10:00{NNBSP}AM", 3), ("10:00 a. m.", 4)])
def test_ambiguous_files_are_day_first_unless_the_clock_says_AM_PM_in_capitals(write_chat, clock, month):
    path = write_chat([f"03/04/21, {clock} - Alice: hello"])

    [message], _ = _parse(path)

    assert (message.ts.month, message.ts.hour) == (month, 10)


def test_dates_fitting_neither_order_raise_source_error_naming_the_line(write_chat):
    path = write_chat(["13/01/21, 10:00 - Alice: day-first", "01/13/21, 10:00 - Alice: month-first"])

    with pytest.raises(SourceError, match=r"line 2: impossible date or time '01/13/21, 10:00 -' \(this file reads dates day-first\)"):
        _parse(path)


@pytest.mark.parametrize(("stamp", "expected"), [
    ("31/12/21, 12:05 AM", datetime(2021, 12, 31, 0, 5)),
    ("31/12/21, 12:05 PM", datetime(2021, 12, 31, 12, 5)),
    ("31/12/21, 1:05 pm", datetime(2021, 12, 31, 13, 5)),
    (f"31/12/21, 1:05{NNBSP}PM", datetime(2021, 12, 31, 13, 5)),
    (f"31/12/21, 1:05{NBSP}p.m.", datetime(2021, 12, 31, 13, 5)),
    (f"31/12/21, 11:59 p.{NBSP}m.", datetime(2021, 12, 31, 23, 59)),
    ("31/12/21, 23:59", datetime(2021, 12, 31, 23, 59)),
    ("31/12/2021, 23:59", datetime(2021, 12, 31, 23, 59)),
    ("31.12.21, 23:59", datetime(2021, 12, 31, 23, 59)),
    ("31-12-2021 23:59", datetime(2021, 12, 31, 23, 59)),
    ("31.12.21, 23.59", datetime(2021, 12, 31, 23, 59)),
    ("2021-12-31 23:59", datetime(2021, 12, 31, 23, 59)),
    ("31/12/21, 23:59:58", datetime(2021, 12, 31, 23, 59, 58)),
])
def test_android_clocks_and_date_separators(write_chat, stamp, expected):
    path = write_chat([f"{stamp} - Alice: hello"])

    [message], _ = _parse(path)

    assert (message.ts, message.author_name, message.text) == (expected, "Alice", "hello")


# --- iOS --------------------------------------------------------------------------------------


def test_ios_brackets_with_marks_and_a_phone_number_author(write_chat):
    path = write_chat([
        f"{LRM}[31/01/21, 10:00:05] Alice: hi there",
        f"[1/2/21, 9:15:00{NNBSP}PM] \u202a+1 (555) 010-9999\u202c: hello {LRM}you",
    ])

    messages, skipped = _parse(path)

    assert [(m.ts, m.author_name, m.text) for m in messages] == [
        (datetime(2021, 1, 31, 10, 0, 5), "Alice", "hi there"),
        (datetime(2021, 2, 1, 21, 15), "+1 (555) 010-9999", "hello you"),
    ]
    assert skipped == {}


def test_ios_notices_under_an_author_are_system_lines(write_chat):
    path = write_chat([
        f"[31/01/21, 10:00:00] Alice: {LRM}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.",
        f"[31/01/21, 10:00:01] Friends: {LRM}Bob added Carol",
        "[31/01/21, 10:00:02] Bob: Messages to this group are now secured with end-to-end encryption.",
        f"[31/01/21, 10:00:03] Bob: {LRM}Missed voice call",
        "[31/01/21, 10:00:04] Carol: real words",
    ])

    messages, skipped = _parse(path)

    assert [m.text for m in messages] == ["real words"]
    assert skipped == {"system": 4}


# --- message structure ----------------------------------------------------------------------


def test_lines_without_a_timestamp_continue_the_message(write_chat):
    path = write_chat([
        "31/01/21, 10:00 - Alice: first line",
        "second line",
        "",
        "- a list item",
        "31/01/21, 10:01 - Bob: next",
    ])

    messages, _ = _parse(path)

    assert [m.text for m in messages] == ["first line\nsecond line\n\n- a list item", "next"]


def test_android_system_lines_are_counted_not_loaded(write_chat):
    path = write_chat([
        "31/01/21, 10:00 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.",
        '31/01/21, 10:00 - Alice created group "Trip: summer"',
        "31/01/21, 10:00 - Alice added Bob",
        '31/01/21, 10:01 - Bob changed the subject from "Trip" to "Trip: 2021"',
        "31/01/21, 10:02 - Your security code with Bob changed. Tap to learn more.",
        "31/01/21, 10:03 - Bob left",
        "31/01/21, 10:04 - Alice: the only message",
    ])

    messages, skipped = _parse(path)

    assert [(m.author_name, m.text) for m in messages] == [("Alice", "the only message")]
    assert skipped == {"system": 6}


def test_deleted_messages_are_skipped_and_counted(write_chat):
    path = write_chat([
        "31/01/21, 10:00 - Alice: This message was deleted",
        "31/01/21, 10:01 - Bob: You deleted this message",
        f"[31/01/21, 10:02:00] Bob: {LRM}This message was deleted.",
        "31/01/21, 10:03 - Alice: kept",
    ])

    messages, skipped = _parse(path)

    assert [m.text for m in messages] == ["kept"]
    assert skipped == {"deleted": 3}


def test_edited_suffix_is_removed_and_the_message_marked_edited(write_chat):
    path = write_chat(["31/01/21, 10:00 - Alice: fixed typo <This message was edited>", f"[31/01/21, 10:01:00] Bob: also {LRM}<This message was edited>"])

    messages, _ = _parse(path)

    assert [m.text for m in messages] == ["fixed typo", "also"]
    assert all(m.edited_ts == m.ts for m in messages)


def test_preamble_before_the_first_timestamp_is_counted(write_chat):
    path = write_chat(["exported by a helper app", "31/01/21, 10:00 - Alice: hi"])

    messages, skipped = _parse(path)

    assert len(messages) == 1 and skipped == {"preamble": 1}


# --- media ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "kind"), [
    ("<Media omitted>", "file"),
    ("image omitted", "image"),
    ("video omitted", "video"),
    ("audio omitted", "audio"),
    ("sticker omitted", "sticker"),
    ("GIF omitted", "gif"),
    ("document omitted", "file"),
    ("trip plan • 2 pages document omitted", "file"),
    ("Contact card omitted", "file"),
])
def test_media_omitted_becomes_a_placeholder_with_empty_text(write_chat, text, kind):
    path = write_chat([f"[31/01/21, 10:00:00] Alice: {LRM}{text}"])

    [message], _ = _parse(path)

    assert (message.text, message.attachments) == ("", (kind,))


@pytest.mark.parametrize(("name", "kind"), [
    ("00000012-PHOTO-2021-01-31-10-00-00.jpg", "image"),
    ("00000013-VIDEO-2021-01-31-10-00-00.mp4", "video"),
    ("00000014-AUDIO-2021-01-31-10-00-00.opus", "audio"),
    ("00000015-STICKER-2021-01-31-10-00-00.webp", "sticker"),
    ("00000016-GIF-2021-01-31-10-00-00.mp4", "gif"),
    ("00000017-menu.pdf", "file"),
])
def test_ios_attached_files_become_placeholders(write_chat, name, kind):
    path = write_chat([f"[31/01/21, 10:00:00] Alice: {LRM}<attached: {name}>"])

    [message], _ = _parse(path)

    assert (message.text, message.attachments) == ("", (kind,))


def test_android_file_attached_keeps_its_caption(write_chat):
    path = write_chat([
        "31/01/21, 10:00 - Alice: IMG-20210131-WA0001.jpg (file attached)",
        "look at this view",
        "31/01/21, 10:01 - Alice: menu.pdf (file attached)",
        "menu",
    ])

    messages, _ = _parse(path)

    assert [(m.text, m.attachments) for m in messages] == [("look at this view", ("image",)), ("", ("file",))]


# --- conversations, ids, re-import ----------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("WhatsApp Chat with Alice.txt", "Alice"),
    ("WhatsApp Chat with Alice (1).txt", "Alice"),
    ("WhatsApp Chat - Book club.zip", "Book club"),
    ("WhatsApp Chat - Bob/_chat.txt", "Bob"),
    ("family.txt", "family"),
])
def test_conversation_is_named_by_the_file(name, expected):
    assert whatsapp.conversation_name(Path("/exports") / name) == expected


def test_messages_carry_the_conversation_and_author_as_written(write_chat):
    path = write_chat(["31/01/21, 10:00 - Zoë Ünal: hi"], name="WhatsApp Chat with Zoë Ünal.txt")

    [message], _ = _parse(path)

    assert message.source == "whatsapp"
    assert (message.conversation_id, message.conversation_name) == ("Zoë Ünal", "Zoë Ünal")
    assert (message.author_id, message.author_name) == ("Zoë Ünal", "Zoë Ünal")


def test_identical_messages_in_one_minute_stay_separate_rows(write_chat, warehouse, tmp_path):
    path = write_chat(["31/01/21, 10:00 - Alice: ha", "31/01/21, 10:00 - Alice: ha", "31/01/21, 10:01 - Alice: ha"])

    first = import_file(warehouse, "whatsapp", path, tmp_path / "q")

    assert first.rows_added == 3
    assert _count(warehouse, "SELECT count(DISTINCT message_id) FROM messages") == 3


def test_reimporting_changed_bytes_with_the_same_messages_adds_no_rows(write_chat, warehouse, tmp_path):
    lines = ["31/01/21, 10:00 - Alice: hello", "31/01/21, 10:00 - Alice: hello", "31/01/21, 10:01 - Bob: <Media omitted>", "31/01/21, 10:02 - Bob: bye"]
    path = write_chat(lines)
    assert import_file(warehouse, "whatsapp", path, tmp_path / "q").rows_added == 4
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")  # new bytes (BOM, CRLF), same messages

    again = import_file(warehouse, "whatsapp", path, tmp_path / "q")

    assert again.status == "ok"
    assert (again.rows_read, again.rows_added) == (4, 0)
    assert _count(warehouse) == 4


def test_a_longer_export_of_the_same_chat_adds_only_the_new_messages(write_chat, warehouse, tmp_path):
    older = ["31/01/21, 10:00 - Alice: hello", "31/01/21, 10:01 - Bob: hi"]
    import_file(warehouse, "whatsapp", write_chat(older), tmp_path / "q")

    newer = import_file(warehouse, "whatsapp", write_chat([*older, "01/02/21, 09:00 - Alice: next day"], name="WhatsApp Chat with Alice (1).txt"), tmp_path / "q")

    assert (newer.rows_read, newer.rows_added) == (3, 1)


# --- zips -----------------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_ios_zip_is_read_without_extracting(tmp_path, warehouse):
    chat = f"{LRM}[31/01/21, 10:00:00] Alice: hi\r\n[31/01/21, 10:00:10] Alice: {LRM}<attached: 00000001-PHOTO-2021-01-31-10-00-10.jpg>\r\n"
    path = _zip(tmp_path / "WhatsApp Chat - Alice.zip", {"_chat.txt": chat.encode(), "00000001-PHOTO-2021-01-31-10-00-10.jpg": b"\xff\xd8jpeg"})
    before = sorted(tmp_path.rglob("*"))

    messages, _ = _parse(path)

    assert [(m.text, m.attachments, m.conversation_id) for m in messages] == [("hi", (), "Alice"), ("", ("image",), "Alice")]
    assert sorted(tmp_path.rglob("*")) == before
    assert import_file(warehouse, "whatsapp", path, tmp_path / "q").rows_added == 2


def test_android_zip_with_media_reads_its_chat_text(tmp_path):
    path = _zip(tmp_path / "WhatsApp Chat with Bob.zip", {
        "IMG-20210131-WA0001.jpg": b"\xff\xd8jpeg",
        "WhatsApp Chat with Bob.txt": b"31/01/21, 10:00 - Bob: IMG-20210131-WA0001.jpg (file attached)\n",
    })

    [message], _ = _parse(path)

    assert (message.conversation_id, message.attachments) == ("Bob", ("image",))


def test_zip_without_a_chat_text_raises_source_error(tmp_path):
    path = _zip(tmp_path / "photos.zip", {"IMG-1.jpg": b"\xff\xd8", "notes.md": b"# hi"})

    with pytest.raises(SourceError, match="zip holds no chat .txt"):
        _parse(path)


def test_corrupt_zip_raises_source_error(tmp_path):
    good = _zip(tmp_path / "WhatsApp Chat - Alice.zip", {"_chat.txt": ("31/01/21, 10:00 - Alice: hi\n" * 2000).encode()})
    broken = tmp_path / "broken.zip"
    broken.write_bytes(good.read_bytes()[: good.stat().st_size // 2])

    with pytest.raises(SourceError, match="not a readable zip"):
        _parse(broken)


def test_zip_with_damaged_compressed_data_raises_source_error(tmp_path):
    path = _zip(tmp_path / "WhatsApp Chat - Alice.zip", {"_chat.txt": "".join(f"31/01/21, 10:00 - Alice: message {i}\n" for i in range(3000)).encode()})
    data = bytearray(path.read_bytes())
    data[200:260] = bytes(60)  # inside the deflated member
    path.write_bytes(bytes(data))

    with pytest.raises(SourceError) as caught:
        _parse(path)

    assert str(caught.value).startswith(f"{path}: damaged zip") and "\n" not in str(caught.value)


# --- not a WhatsApp export ------------------------------------------------------------------


def test_text_that_is_not_an_export_raises_source_error(write_chat):
    path = write_chat(["# Notes", "", *[f"line {i}: nothing to see" for i in range(60)]], name="README.txt")

    with pytest.raises(SourceError, match="not a WhatsApp chat export: none of its first 50 lines"):
        _parse(path)


def test_empty_file_raises_source_error(write_chat):
    with pytest.raises(SourceError, match="empty file"):
        _parse(write_chat([]))


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_text_not_in_utf8_raises_source_error(tmp_path, encoding):
    path = tmp_path / "WhatsApp Chat with José.txt"
    path.write_text("31/01/21, 10:00 - José: olá, café\n", encoding=encoding)

    with pytest.raises(SourceError, match="not UTF-8 text"):
        _parse(path)


def test_a_broken_file_is_quarantined_and_the_batch_goes_on(write_chat, warehouse, tmp_path):
    good = write_chat(["31/01/21, 10:00 - Alice: hi"])
    bad = tmp_path / "WhatsApp Chat with Bob.txt"
    bad.write_bytes(b"\xff\xfe" + "31/01/21".encode("utf-16-le"))

    results = [import_file(warehouse, "whatsapp", p, tmp_path / "q") for p in discover("whatsapp", [tmp_path])]

    assert sorted(r.status for r in results) == ["ok", "quarantined"]
    assert _count(warehouse) == 1
    assert (tmp_path / "q").is_dir() and good.exists() and bad.exists()


def test_a_folder_contributes_its_txt_and_zip_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "WhatsApp Chat with Alice.txt").write_text("31/01/21, 10:00 - Alice: hi\n")
    _zip(tmp_path / "a" / "WhatsApp Chat - Bob.zip", {"_chat.txt": b"[31/01/21, 10:00:00] Bob: hi\n"})
    (tmp_path / "a" / "photo.jpg").write_bytes(b"\xff\xd8")

    assert [p.name for p in discover("whatsapp", [tmp_path])] == ["WhatsApp Chat - Bob.zip", "WhatsApp Chat with Alice.txt"]


def test_other_formats_keep_their_single_pattern(tmp_path):
    (tmp_path / "message_1.json").write_text("{}")
    (tmp_path / "other.json").write_text("{}")

    assert [p.name for p in discover("messenger", [tmp_path])] == ["message_1.json"]
    with pytest.raises(SourceError, match=r"no \*.txt or \*.zip files"):
        discover("whatsapp", [tmp_path])


# --- streaming ------------------------------------------------------------------------------


def test_parse_streams_a_large_export_in_bounded_memory(tmp_path):
    path = tmp_path / "WhatsApp Chat with Big.txt"
    n_messages = 12_000
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n_messages):
            f.write(f"{1 + i % 28}/{1 + i // 1000 % 12}/21, {i % 24}:{i % 60:02d} - {'Alice' if i % 2 else 'Bob'}: message {i} {'x' * 2_000}\nand {'y' * 2_000}\n")
    size = path.stat().st_size
    assert size > 45_000_000

    count, peak = parse_with_peak_memory(whatsapp.parse, path)

    assert count == n_messages
    assert peak < 2_000_000, f"peak {peak:,} bytes traced while parsing a {size:,}-byte file"


# --- the CLI ----------------------------------------------------------------------------------


@pytest.mark.integration
def test_cli_imports_a_whatsapp_export_and_sql_shows_it(test_data, tmp_path, chatclone):
    ws = tmp_path / "ws"
    assert chatclone("init", "john", "--speaker", "John Doe", "--workspace", str(ws)).returncode == 0
    path = test_data / "whatsapp" / "chatminer_whatsapp_testlog_mixed_formats.txt"

    imported = chatclone("import", "whatsapp", str(path), "--workspace", str(ws))
    queried = chatclone("sql", "SELECT source, count(*) AS n FROM messages GROUP BY source", "--format", "json", "--workspace", str(ws))

    assert imported.returncode == 0, imported.stderr
    assert "17 row(s) added" in imported.stdout
    assert json.loads(queried.stdout) == [{"source": "whatsapp", "n": 17}]
