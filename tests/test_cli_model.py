"""The commands that use a trained model: eval, chat, export (run as subprocesses, like a user would)."""

import json
import os
import subprocess
import sys

import pytest

from chatclone.workspace import init_workspace
from factories import conversation, make_run, write_jsonl

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, base_model_path, lora_adapter):
    """A workspace with a test split and a run (the session's adapter) that has an MLflow run in the workspace's mlflow.db."""
    import mlflow

    ws = init_workspace(tmp_path_factory.mktemp("cli") / "ws", "mika", ["Mika"])
    with open(ws.config_path, "a", encoding="utf-8") as f:
        f.write("\n[train]\nmax_length = 128\n\n[generation]\ntemperature = 0\nmax_new_tokens = 12\n"
                "\n[eval]\nmax_new_tokens = 8\nscenarios = [{name = \"hi\", messages = [\"hi\"]}]\n")
    write_jsonl(ws.datasets / "sft.test.jsonl", [conversation("lunch tomorrow?", "sure, the usual place at noon"), conversation("you up?", "yeah, can't sleep")])
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{ws.root.resolve()}/mlflow.db")
    make_run(ws.models, base_model_path, lora_adapter, mlflow_run_id=client.create_run(experiment_id="0").info.run_id)
    return ws


@pytest.fixture(scope="module")
def evaluated(workspace, chatclone):
    """`chatclone eval --json` run once on the workspace."""
    return chatclone("eval", "--json", "-w", str(workspace.root))


def test_eval_json_is_one_object_with_both_perplexities(evaluated):
    assert evaluated.returncode == 0, evaluated.stderr
    assert evaluated.stdout.count("\n") == 1
    result = json.loads(evaluated.stdout)
    assert result["perplexity_base"] > 1 and result["perplexity_tuned"] > 1 and result["split"] == "test"


def test_eval_logs_its_metrics_to_the_runs_mlflow_run(evaluated, workspace):
    import mlflow

    from chatclone.runs import find_run

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{workspace.root.resolve()}/mlflow.db")
    metrics = client.get_run(find_run(workspace.models).mlflow_run_id).data.metrics
    assert metrics["perplexity_tuned"] == pytest.approx(json.loads(evaluated.stdout)["perplexity_tuned"])
    assert {"perplexity_base", "eval_tokens"} <= metrics.keys()


def test_chat_once_prints_one_reply_and_exits(workspace, chatclone):
    proc = chatclone("chat", "--once", "hi", "-w", str(workspace.root))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() and "<|im" not in proc.stdout


def test_export_without_merge_says_what_it_needs(workspace, chatclone):
    proc = chatclone("export", "-w", str(workspace.root))
    assert proc.returncode == 2
    assert "--merge" in proc.stderr and proc.stderr.startswith("error:") and proc.stderr.strip().count("\n") == 0


def test_eval_without_a_trained_run_is_a_one_line_error(tmp_path, chatclone):
    ws = init_workspace(tmp_path / "ws", "mika", ["Mika"])
    proc = chatclone("eval", "-w", str(ws.root))
    assert proc.returncode == 2 and "chatclone train" in proc.stderr and proc.stderr.strip().count("\n") == 0


def test_tracking_uri_is_the_workspace_database_unless_the_environment_names_one(tmp_path, monkeypatch):
    from chatclone.cli import tracking_uri

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert tracking_uri(tmp_path) == f"sqlite:///{tmp_path.resolve()}/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow.example:5000")
    assert tracking_uri(tmp_path) == "http://mlflow.example:5000"


def test_serve_answers_an_openai_client_with_the_key_from_the_environment(workspace, tmp_path):
    import socket
    import time

    import httpx
    import openai

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    key = "test-serve-key-42"
    log = open(tmp_path / "serve.log", "w+")
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"} | {"CHATCLONE_API_KEY": key}
    proc = subprocess.Popen([sys.executable, "-m", "chatclone", "serve", "-w", str(workspace.root), "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.5)
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=key, max_retries=0, timeout=60)
        assert [m.id for m in client.models.list().data] == ["mika"]
        reply = client.chat.completions.create(model="mika", messages=[{"role": "user", "content": "you up?"}])
        assert reply.choices[0].message.content.strip()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    output = (tmp_path / "serve.log").read_text()
    assert f"127.0.0.1:{port}" in output and key not in output
