"""The nightly deployment from deployments/prefect.yaml, on a real `prefect server` and process worker on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from chatclone.warehouse import Warehouse
from chatclone.workspace import init_workspace
from fake_channel import EXTRACTORS_ENV, FakeSite, FakeVod
from live_server import free_port
from prefect_server import PREFECT, prefect_env, start_process, start_server, stop

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def test_nightly_ingest_deployment_runs_on_a_worker_and_loads_the_channel(tmp_path):
    port = free_port()
    with FakeSite([FakeVod("deploy00001", "【雑談】night talk"), FakeVod("deploy00002", "karaoke")]) as site:
        ws = init_workspace(tmp_path / "ws", "mika", ["Mika"], [site.channel_url()])
        ws.config_path.write_text(ws.config_path.read_text(encoding="utf-8").replace("sleep_seconds = 1.0", "sleep_seconds = 0"), encoding="utf-8")
        env = prefect_env(tmp_path / "prefect", port, PREFECT_WORKER_QUERY_SECONDS="1",
                          CHATCLONE_HOME=str(REPO), CHATCLONE_WORKSPACE=str(ws.root), CHATCLONE_YTDLP_EXTRACTORS=EXTRACTORS_ENV,
                          PYTHONPATH=os.pathsep.join([str(REPO / "tests"), os.environ.get("PYTHONPATH", "")]))
        logs = tmp_path / "logs"
        logs.mkdir()

        def prefect(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
            return subprocess.run([*PREFECT, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)

        server = start_server(port, env, logs / "server.log", cwd=REPO)
        worker = None
        try:
            assert prefect("work-pool", "create", "chatclone", "--type", "process").returncode == 0
            deployed = prefect("--no-prompt", "deploy", "--all", "--prefect-file", "deployments/prefect.yaml", timeout=300)
            assert deployed.returncode == 0, deployed.stdout + deployed.stderr
            listed = prefect("deployment", "ls")
            assert "ingest-channel/nightly" in listed.stdout, listed.stdout
            worker = start_process(["worker", "start", "--pool", "chatclone", "--type", "process"], env, logs / "worker.log", cwd=REPO)
            run = prefect("deployment", "run", "ingest-channel/nightly", "--watch", "--watch-timeout", "300", timeout=360)
            assert run.returncode == 0, run.stdout + run.stderr + (logs / "worker.log").read_text()
            assert "Completed" in run.stdout
        finally:
            if worker is not None:
                stop(worker)
            stop(server)

    with Warehouse(ws.warehouse_path, read_only=True) as wh:
        rows = wh.con.execute("SELECT video_id, fetch_status, category FROM videos ORDER BY video_id").fetchall()
        chat = wh.con.execute("SELECT count(*) FROM chat").fetchall()[0][0]
    assert rows == [("deploy00001", "complete", "zatsu"), ("deploy00002", "complete", "ignore")]
    assert chat == 6
