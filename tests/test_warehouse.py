import shutil

import pytest

from chatclone import warehouse as warehouse_module
from chatclone.errors import WarehouseError
from chatclone.warehouse import Warehouse, migrations, split_statements, sql_dir


def test_new_warehouse_is_migrated_to_newest_version(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.schema_version() == migrations()[-1][0]
        assert {"messages", "conversations", "turns", "quarantine", "pairs"} <= wh.table_counts().keys()


def test_reopening_applies_no_migration(tmp_path):
    Warehouse(tmp_path / "w.duckdb").close()
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.migrate() == []


def _sql_copy_with(tmp_path, name, text):
    copy = tmp_path / "sql"
    shutil.copytree(sql_dir(), copy)
    (copy / "migrations" / name).write_text(text)
    return copy


def test_old_warehouse_upgrades_in_place_keeping_rows(tmp_path, monkeypatch):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.execute("INSERT INTO pairs (video_id, prompt, response, method, score) VALUES ('v1', 'hi?', 'hello!', 'read', 0.9)")
        old = wh.schema_version()
    newer = _sql_copy_with(tmp_path, "9999_add_note.sql", "ALTER TABLE pairs ADD COLUMN note VARCHAR DEFAULT 'x';")
    monkeypatch.setattr(warehouse_module, "sql_dir", lambda: newer)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.schema_version() == 9999 > old
        assert wh.execute("SELECT prompt, note FROM pairs").fetchall() == [("hi?", "x")]


def test_failed_migration_is_rolled_back_and_named(tmp_path, monkeypatch):
    Warehouse(tmp_path / "w.duckdb").close()
    broken = _sql_copy_with(tmp_path, "9999_broken.sql", "CREATE TABLE t1 (a INT);\nCREATE TABLE nonsense (;")
    monkeypatch.setattr(warehouse_module, "sql_dir", lambda: broken)
    with pytest.raises(WarehouseError, match="9999_broken.sql"):
        Warehouse(tmp_path / "w.duckdb")
    monkeypatch.undo()
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert "t1" not in wh.table_counts()


def test_run_binds_only_the_parameters_each_statement_uses(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        rows = wh.run("report_top_authors", limit=3, unused="ignored")
        assert rows == []


def test_missing_parameter_is_an_error_naming_the_file(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh, pytest.raises(WarehouseError, match="report_top_authors.sql.*limit"):
        wh.run("report_top_authors")


def test_unknown_sql_file_is_an_error(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh, pytest.raises(WarehouseError, match="no such SQL file"):
        wh.run("does_not_exist")


def test_split_statements_respects_quotes_and_comments():
    sql = "SELECT 'a;b''c;' AS x; -- a comment; with semicolons\nSELECT 2;\n\n"
    assert split_statements(sql) == ["SELECT 'a;b''c;' AS x", "SELECT 2"]


def test_every_sql_file_has_a_header_comment():
    for path in sql_dir().rglob("*.sql"):
        assert path.read_text().lstrip().startswith("--"), f"{path} has no header comment"
