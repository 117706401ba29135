"""A real `prefect server` (and other Prefect processes) on 127.0.0.1, started and stopped by tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PREFECT = [sys.executable, "-m", "prefect"]


def prefect_env(home: Path, port: int, **extra: str) -> dict[str, str]:
    """The environment of a process that talks to the server on `port`: its own PREFECT_HOME, no telemetry."""
    return {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", **extra}


def start_process(args: list[str], env: dict[str, str], log: Path, cwd: Path | None = None) -> subprocess.Popen:
    """`python -m prefect ARGS` in a session of its own (so that stop() ends its children too), output into `log`."""
    with open(log, "w") as out:
        return subprocess.Popen([*PREFECT, *args], env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def start_server(port: int, env: dict[str, str], log: Path, cwd: Path | None = None) -> subprocess.Popen:
    """`prefect server start` on 127.0.0.1:`port`, returned once its API answers /health."""
    server = start_process(["server", "start", "--host", "127.0.0.1", "--port", str(port)], env, log, cwd)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/api/health", server, log)
    except BaseException:
        stop(server)
        raise
    return server


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout_s: float = 120) -> None:
    """Wait until `url` answers 200; fails with the server's log if it exits or `timeout_s` passes first."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        assert proc.poll() is None, f"prefect server exited:\n{log.read_text(errors='replace')[-3000:]}"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} not healthy after {timeout_s} s")


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the process's session, SIGKILL after 20 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
