import csv
import io
import json
import os
import subprocess
import sys

import pytest

from chatclone.warehouse import Warehouse
from factories import lively, load


def run(*args, cwd=None, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "chatclone", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


@pytest.fixture
def ws(tmp_path):
    root = tmp_path / "ws"
    assert run("init", "mika", "--speaker", "Mika", "--workspace", str(root)).returncode == 0
    with Warehouse(root / "warehouse.duckdb") as wh:
        load(wh, lively("c1") + lively("c2", start=100))
    return root


def test_init_uses_chatclone_workspace_env(tmp_path):
    proc = run("init", "mika", "--speaker", "Mika", env_extra={"CHATCLONE_WORKSPACE": str(tmp_path / "from-env")})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "from-env" / "persona.toml").exists()


def test_sql_csv_is_a_header_then_rows(ws):
    proc = run("sql", "SELECT author_name, count(*) AS n FROM messages GROUP BY 1 ORDER BY 1", "--format", "csv", "-w", str(ws))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows == [["author_name", "n"], ["Mika", "4"], ["Ren", "4"], ["Yuki", "4"]]


def test_sql_json_is_a_list_of_objects(ws):
    proc = run("sql", "SELECT count(*) AS n FROM messages", "--format", "json", "-w", str(ws))
    assert json.loads(proc.stdout) == [{"n": 12}]


def test_sql_error_is_one_line_and_nonzero(ws):
    proc = run("sql", "SELECT nope FROM messages", "-w", str(ws))
    assert proc.returncode != 0
    assert proc.stderr.startswith("error:") and proc.stderr.strip().count("\n") == 0


def test_stats_json_counts_tables(ws):
    proc = run("stats", "--json", "-w", str(ws))
    stats = json.loads(proc.stdout)
    assert stats["messages"] == 12 and stats["pairs"] == 0 and "turns" in stats["tables"]


def test_looking_commands_need_a_warehouse(tmp_path):
    run("init", "x", "-w", str(tmp_path / "empty"))
    proc = run("stats", "-w", str(tmp_path / "empty"))
    assert proc.returncode == 2 and "no warehouse yet" in proc.stderr


def test_unknown_import_format_is_refused(ws):
    proc = run("import", "myspace", "x.json", "-w", str(ws))
    assert proc.returncode == 2 and "unknown format" in proc.stderr


@pytest.mark.integration
def test_import_with_a_broken_file_reports_it_and_exits_1(ws, tmp_path, chatclone):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"channel": {"id": "5", "name": "general"}, "messages": [
        {"id": "1", "type": "Default", "timestamp": "2024-01-01T10:00:00+00:00", "content": "hello there",
         "author": {"id": "y", "name": "yuki"}}]}))
    broken = tmp_path / "broken.json"
    broken.write_text('{"channel": {"id": "6"}, "messages": [{"id": "1", "type": "Defa')
    proc = chatclone("import", "discord", str(good), str(broken), "-w", str(ws))
    assert proc.returncode == 1, proc.stderr
    quarantined = [line for line in proc.stderr.splitlines() if line.startswith("quarantined:")]
    assert len(quarantined) == 1 and "broken.json" in quarantined[0] and "invalid JSON" in quarantined[0]
    assert "2 file(s), 1 row(s) added, 1 quarantined" in proc.stdout


def test_sql_runs_queries_with_dollar_signs_verbatim(ws):
    proc = run("sql", "SELECT '$5' AS price", "--format", "csv", "-w", str(ws))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["price", "$5"]
