"""import_file: one transaction per file, broken files quarantined with a one-line error, reruns add nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatclone.importer import import_file
from chatclone.sources import discover


def _count(warehouse, sql: str = "SELECT count(*) FROM messages", params=None) -> int:
    return warehouse.con.execute(sql, params or []).fetchall()[0][0]


@pytest.fixture
def truncated_export(write_discord_export):
    """A DiscordChatExporter export of ten messages, cut in half mid-way through its messages."""
    path = write_discord_export([{"content": f"speech {i}"} for i in range(10)], "truncated.json")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _assert_one_line_naming(error: str | None, path) -> None:
    assert error, "no error message"
    assert "\n" not in error
    assert str(path) in error


# --- a good file ----------------------------------------------------------------------------


def test_import_records_counts_in_the_imports_table(write_discord_export, warehouse, tmp_path):
    path = write_discord_export([{}, {}, {"type": "Call"}])

    result = import_file(warehouse, "discord", path, tmp_path / "q")

    row = warehouse.con.execute("SELECT status, rows_read, rows_added, skipped FROM imports").fetchall()
    assert (result.status, result.rows_read, result.rows_added, result.skipped) == ("ok", 2, 2, {"system:Call": 1})
    assert [(s, r, a, json.loads(k)) for s, r, a, k in row] == [("ok", 2, 2, {"system:Call": 1})]


def test_second_import_of_the_same_file_is_unchanged_and_adds_no_rows(write_discord_export, warehouse, tmp_path):
    path = write_discord_export([{}, {}, {}])
    import_file(warehouse, "discord", path, tmp_path / "q")

    again = import_file(warehouse, "discord", path, tmp_path / "q")

    assert (again.status, again.rows_added) == ("unchanged", 0)
    assert _count(warehouse) == 3


def test_small_batches_load_the_same_rows(write_discord_export, warehouse, tmp_path):
    path = write_discord_export([{"content": f"speech {i}"} for i in range(7)])

    result = import_file(warehouse, "discord", path, tmp_path / "q", batch_size=2)

    assert (result.status, result.rows_read, result.rows_added) == ("ok", 7, 7)
    assert _count(warehouse) == 7


# --- a truncated file -----------------------------------------------------------------------


def test_truncated_file_is_quarantined_with_a_one_line_error(truncated_export, warehouse, tmp_path):
    result = import_file(warehouse, "discord", truncated_export, tmp_path / "q")

    assert result.status == "quarantined"
    _assert_one_line_naming(result.error, truncated_export)
    assert "invalid JSON" in result.error


def test_truncated_file_is_copied_into_the_quarantine_dir(truncated_export, warehouse, tmp_path):
    import_file(warehouse, "discord", truncated_export, tmp_path / "q")

    [copy] = (tmp_path / "q").iterdir()
    assert copy.read_bytes() == truncated_export.read_bytes()
    assert truncated_export.exists()  # a copy: the user's file stays where it was


def test_truncated_file_is_recorded_in_the_quarantine_table(truncated_export, warehouse, tmp_path):
    result = import_file(warehouse, "discord", truncated_export, tmp_path / "q")

    rows = warehouse.con.execute("SELECT path, source, error, quarantined_to FROM quarantine").fetchall()
    [(path, source, error, quarantined_to)] = rows
    assert (path, source, error) == (str(truncated_export), "discord", result.error)
    assert Path(quarantined_to).parent == tmp_path / "q"
    assert Path(quarantined_to).read_bytes() == truncated_export.read_bytes()


def test_truncated_file_adds_no_rows_even_after_earlier_batches_were_inserted(truncated_export, warehouse, tmp_path):
    result = import_file(warehouse, "discord", truncated_export, tmp_path / "q", batch_size=1)

    assert result.status == "quarantined"
    assert result.rows_read > 0  # batches went in before the parser hit the cut
    assert _count(warehouse) == 0
    assert warehouse.con.execute("SELECT status, rows_added FROM imports").fetchall() == [("quarantined", 0)]


def test_other_files_in_the_same_batch_still_import(write_discord_export, truncated_export, warehouse, tmp_path):
    write_discord_export([{"content": "first"}], "a_good.json", channel={"id": "1"})
    write_discord_export([{"content": "last"}, {"content": "words"}], "z_good.json", channel={"id": "2"})

    results = [import_file(warehouse, "discord", p, tmp_path / "q") for p in discover("discord", [tmp_path])]

    assert [(r.path.rsplit("/", 1)[-1], r.status) for r in results] == [("a_good.json", "ok"), ("truncated.json", "quarantined"), ("z_good.json", "ok")]
    assert sorted(t for (t,) in warehouse.con.execute("SELECT text FROM messages").fetchall()) == ["first", "last", "words"]


def test_reimporting_a_broken_file_keeps_one_quarantine_row(truncated_export, warehouse, tmp_path):
    first = import_file(warehouse, "discord", truncated_export, tmp_path / "q")
    second = import_file(warehouse, "discord", truncated_export, tmp_path / "q")

    assert (first.status, second.status) == ("quarantined", "quarantined")
    assert _count(warehouse, "SELECT count(*) FROM quarantine") == 1


# --- files of the wrong kind, missing, empty, binary ----------------------------------------


def test_messenger_file_imported_as_discord_is_quarantined_with_a_clear_message(write_messenger_export, warehouse, tmp_path):
    path = write_messenger_export([{"content": "hello"}])

    result = import_file(warehouse, "discord", path, tmp_path / "q")

    assert result.status == "quarantined"
    _assert_one_line_naming(result.error, path)
    assert "not a DiscordChatExporter JSON export" in result.error
    assert _count(warehouse) == 0


def test_discord_file_imported_as_messenger_is_quarantined(write_discord_export, warehouse, tmp_path):
    path = write_discord_export([{"content": "hello"}])

    result = import_file(warehouse, "messenger", path, tmp_path / "q")

    assert result.status == "quarantined"
    _assert_one_line_naming(result.error, path)
    assert "sender_name" in result.error
    assert _count(warehouse) == 0


def test_missing_file_is_reported_not_raised(warehouse, tmp_path):
    path = tmp_path / "nowhere.json"

    result = import_file(warehouse, "discord", path, tmp_path / "q")

    assert result.status == "quarantined"
    _assert_one_line_naming(result.error, path)
    assert "cannot read" in result.error
    assert not (tmp_path / "q").exists()


@pytest.mark.parametrize("fmt", ["discord", "messenger"])
def test_empty_file_is_quarantined(warehouse, tmp_path, fmt):
    path = tmp_path / "message_1.json"
    path.write_bytes(b"")

    result = import_file(warehouse, fmt, path, tmp_path / "q")

    assert result.status == "quarantined"
    _assert_one_line_naming(result.error, path)
    assert "invalid JSON" in result.error


@pytest.mark.parametrize("fmt", ["discord", "messenger"])
def test_binary_file_is_quarantined_with_a_readable_error(warehouse, tmp_path, fmt):
    path = tmp_path / "message_1.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))

    result = import_file(warehouse, fmt, path, tmp_path / "q")

    assert result.status == "quarantined"
    _assert_one_line_naming(result.error, path)
    assert "b'" not in result.error and "\\x" not in result.error  # no bytes repr dumped into the message
    assert _count(warehouse, "SELECT count(*) FROM quarantine") == 1


@pytest.mark.parametrize("fmt", ["discord", "messenger"])
def test_latin1_encoded_file_is_quarantined_as_not_utf8(warehouse, tmp_path, fmt):
    path = tmp_path / "message_1.json"
    text = '{"guild": {"id": "1", "name": "Caf\u00e9"}, "channel": {"id": "2", "name": "g\u00e9n\u00e9ral"}, "participants": [], "messages": []}'
    path.write_bytes(text.encode("latin-1"))

    result = import_file(warehouse, fmt, path, tmp_path / "q")

    assert result.status == "quarantined"
    _assert_one_line_naming(result.error, path)
    assert "UTF" in result.error.upper()
    assert "\\x" not in result.error
