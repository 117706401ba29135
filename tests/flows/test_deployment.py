"""The nightly deployment from deployments/prefect.yaml, on a real `prefect server` and process worker on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from chatclone.warehouse import Warehouse
from chatclone.workspace import init_workspace
from fake_channel import EXTRACTORS_ENV, FakeSite, FakeVod

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
PREFECT = [sys.executable, "-m", "prefect"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        assert proc.poll() is None, "prefect server exited"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} not healthy after {timeout_s} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_nightly_ingest_deployment_runs_on_a_worker_and_loads_the_channel(tmp_path):
    port = free_port()
    with FakeSite([FakeVod("deploy00001", "【雑談】night talk"), FakeVod("deploy00002", "karaoke")]) as site:
        ws = init_workspace(tmp_path / "ws", "mika", ["Mika"], [site.channel_url()])
        ws.config_path.write_text(ws.config_path.read_text(encoding="utf-8").replace("sleep_seconds = 1.0", "sleep_seconds = 0"), encoding="utf-8")
        env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_WORKER_QUERY_SECONDS": "1",
               "CHATCLONE_HOME": str(REPO), "CHATCLONE_WORKSPACE": str(ws.root), "CHATCLONE_YTDLP_EXTRACTORS": EXTRACTORS_ENV,
               "PYTHONPATH": os.pathsep.join([str(REPO / "tests"), os.environ.get("PYTHONPATH", "")])}
        logs = tmp_path / "logs"
        logs.mkdir()

        def start(name: str, *args: str) -> subprocess.Popen:
            out = open(logs / f"{name}.log", "w")
            return subprocess.Popen([*PREFECT, *args], env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

        def prefect(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
            return subprocess.run([*PREFECT, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)

        server = start("server", "server", "start", "--host", "127.0.0.1", "--port", str(port))
        worker = None
        try:
            wait_healthy(f"http://127.0.0.1:{port}/api/health", server)
            assert prefect("work-pool", "create", "chatclone", "--type", "process").returncode == 0
            deployed = prefect("--no-prompt", "deploy", "--all", "--prefect-file", "deployments/prefect.yaml", timeout=300)
            assert deployed.returncode == 0, deployed.stdout + deployed.stderr
            listed = prefect("deployment", "ls")
            assert "ingest-channel/nightly" in listed.stdout, listed.stdout
            worker = start("worker", "worker", "start", "--pool", "chatclone", "--type", "process")
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
