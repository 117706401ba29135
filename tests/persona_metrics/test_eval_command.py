"""`chatclone eval` and `chatclone compare` as a user runs them (subprocesses), on the bundled model with a small adapter."""

import json
import shutil

import pytest

from chatclone.workspace import init_workspace
from factories import conversation, make_run, write_jsonl

pytestmark = pytest.mark.integration

CONFIG = """
[train]
max_length = 128

[eval]
prompts = 3
distractors = 3
max_new_tokens = 8
temperature = 0
scenarios = [{name = "rude message", messages = ["your streams are boring"]}]
"""


def chats(mika: list[str], others: list[str]) -> list[list[dict]]:
    return [conversation(f"Ren: {others[j]}", mika[j], f"Yuki: {others[j + 1]}", mika[j + 1]) for j in range(0, len(others) - 1, 2)]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, base_model_path, lora_adapter, mika_says, others_say):
    """A workspace with train and test splits and a run (the session's adapter) with an MLflow run in the workspace's mlflow.db."""
    import mlflow

    ws = init_workspace(tmp_path_factory.mktemp("eval") / "ws", "mika", ["Mika"])
    with open(ws.config_path, "a", encoding="utf-8") as f:
        f.write(CONFIG)
    write_jsonl(ws.datasets / "sft.jsonl", chats(mika_says[:40], others_say[:40]))
    write_jsonl(ws.datasets / "sft.test.jsonl", chats(mika_says[300:308], others_say[40:48]))
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{ws.root.resolve()}/mlflow.db")
    make_run(ws.models, base_model_path, lora_adapter, mlflow_run_id=client.create_run(experiment_id="0").info.run_id)
    return ws


@pytest.fixture(scope="module")
def evaluated(workspace, chatclone):
    proc = chatclone("eval", "--json", "-w", str(workspace.root), timeout=900)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_eval_json_has_perplexity_and_every_persona_metric(evaluated):
    for key in ("perplexity_base", "perplexity_tuned", "reply_rank_acc1_base", "reply_rank_acc1_tuned", "reply_rank_mrr_tuned",
                "style_score_base", "style_score_tuned", "style_score_real", "authorship_share_base", "authorship_share_tuned"):
        assert isinstance(evaluated[key], float), key
    assert evaluated["dataset"]["held_out_prompts"] == 3 and evaluated["dataset"]["train_examples"] == 20


def test_eval_logs_the_metrics_and_the_report_to_the_runs_mlflow_run(evaluated, workspace):
    import mlflow

    from chatclone.runs import find_run

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{workspace.root.resolve()}/mlflow.db")
    run_id = find_run(workspace.models).mlflow_run_id
    metrics = client.get_run(run_id).data.metrics
    assert metrics["style_score_tuned"] == pytest.approx(evaluated["style_score_tuned"])
    assert {"reply_rank_mrr_base", "authorship_share_tuned", "perplexity_tuned", "style_length_tuned"} <= metrics.keys()
    assert {a.path for a in client.list_artifacts(run_id, "eval")} >= {"eval/eval.html", "eval/eval.json", "eval/replies.jsonl",
                                                                       "eval/scenarios.json", "eval/scenarios.md"}


def test_eval_writes_the_replies_the_blind_test_reads(evaluated, workspace):
    rows = [json.loads(line) for line in (workspace.reports / "eval" / "run-1" / "replies.jsonl").read_text().splitlines()]
    assert len(rows) == 3 and all(list(r) == ["id", "messages", "real", "tuned", "base"] for r in rows)
    assert evaluated["files"]["replies"].endswith("reports/eval/run-1/replies.jsonl")


def test_compare_prints_both_runs_and_writes_the_report(evaluated, workspace, tmp_path, chatclone):
    saved = workspace.reports / "eval"
    shutil.copytree(saved / "run-1", saved / "run-2", dirs_exist_ok=True)
    result = json.loads((saved / "run-2" / "eval.json").read_text())
    result.update(run="run-2", metrics={**result["metrics"], "style_score_tuned": result["metrics"]["style_score_tuned"] + 5})
    (saved / "run-2" / "eval.json").write_text(json.dumps(result))
    proc = chatclone("compare", "run-1", "run-2", "--html", str(tmp_path / "cmp.html"), "-w", str(workspace.root))
    assert proc.returncode == 0, proc.stderr
    assert "style score, tuned" in proc.stdout and "+5" in proc.stdout
    html = (tmp_path / "cmp.html").read_text()
    assert "run-1 vs run-2" in html and "your streams are boring" in html


def test_compare_with_a_run_never_evaluated_is_a_one_line_error(evaluated, workspace, chatclone):
    proc = chatclone("compare", "run-1", "run-404", "-w", str(workspace.root))
    assert proc.returncode == 2 and "chatclone eval --run run-404" in proc.stderr and proc.stderr.strip().count("\n") == 0


def test_eval_shows_the_blind_test_score_once_people_answered(evaluated, workspace, chatclone):
    from chatclone.blindtest import BlindTest

    test = BlindTest(workspace.root, "run-1")
    for session, pick_first in (("friend-a", True), ("friend-b", False)):
        while (draw := test.next_for(session)) is not None:
            test.answer(session, draw.item_token, draw.choices[0 if pick_first else 1].token)
    answers = [json.loads(line) for line in (workspace.root / "blindtest" / "answers.jsonl").read_text().splitlines()]
    proc = chatclone("eval", "--json", "-w", str(workspace.root), timeout=900)
    assert proc.returncode == 0, proc.stderr
    again = json.loads(proc.stdout)
    assert again["blindtest_answers"] == len(answers) == 6
    assert again["blindtest_share_correct"] == pytest.approx(sum(a["guessed_real"] for a in answers) / 6)
