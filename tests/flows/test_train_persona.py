import json
from pathlib import Path

import mlflow
import pytest

from chatclone.runs import find_run
from chatclone.tracking import default_tracking_uri
from chatclone.workspace import init_workspace
from factories import write_datasets
from flows.train_persona import train_persona

pytestmark = pytest.mark.integration

TRAIN = """
[train]
max_length = 64
batch_size = 4
max_steps = 4
learning_rate = 2e-3
lora_r = 4
lora_alpha = 8
gradient_checkpointing = false
logging_steps = 1
eval_steps = 2
save_steps = 2
warmup_ratio = 0.0

[eval]
prompts = 3
max_new_tokens = 8
scenarios = [{name = "hi", messages = ["hi"]}]
"""


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("ws") / "mika", "mika", ["Mika"])
    ws.config_path.write_text(ws.config_path.read_text() + TRAIN)
    write_datasets(ws.datasets)
    (ws.reports).mkdir(exist_ok=True)
    (ws.reports / "dataset.json").write_text(json.dumps({"persona": "mika"}))
    uri = default_tracking_uri(ws.root)
    return ws, uri, train_persona(str(ws.root), uri)


def test_training_flow_logs_parent_and_stage_runs(trained):
    ws, uri, result = trained
    mlflow.set_tracking_uri(uri)
    runs = mlflow.search_runs(experiment_names=["chatclone/mika"], output_format="list")
    parent = next(r for r in runs if r.info.run_id == result["mlflow_run_id"])
    child = next(r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id)
    assert parent.data.params["train.lora_r"] == "4" and parent.data.params["quantization_used"] == "none"
    assert {"perplexity_base", "perplexity_tuned", "reply_rank_acc1_tuned", "style_score_tuned", "authorship_share_tuned"} <= parent.data.metrics.keys()
    assert {"loss", "eval_loss", "learning_rate", "tokens_per_second", "padding_fraction"} <= child.data.metrics.keys()
    history = mlflow.MlflowClient(uri).get_metric_history(child.info.run_id, "loss")
    assert len(history) >= 2 and history[0].step < history[-1].step


def test_datasets_are_logged_as_inputs_with_digests(trained):
    ws, uri, result = trained
    child_id = result["stages"][0]["mlflow_run_id"]
    inputs = mlflow.MlflowClient(uri).get_run(child_id).inputs.dataset_inputs
    names = {i.dataset.name: i for i in inputs}
    assert {"sft.train", "sft.val"} <= names.keys()
    assert all(i.dataset.digest for i in inputs)
    assert {t.value for i in inputs for t in i.tags if t.key == "mlflow.data.context"} == {"training", "validation"}


def test_the_adapter_is_a_registered_model_version_with_tags(trained):
    ws, uri, result = trained
    client = mlflow.MlflowClient(uri, registry_uri=uri)
    versions = client.search_model_versions("name = 'mika-adapter'")
    assert len(versions) == 1
    assert versions[0].tags == {"persona": "mika", "stage": "sft"}
    artifacts = {a.path for a in client.list_artifacts(result["stages"][0]["mlflow_run_id"])}
    assert {"adapter", "config", "reports"} <= artifacts


def test_no_secret_reaches_mlflow_params(trained):
    ws, uri, result = trained
    params = mlflow.MlflowClient(uri).get_run(result["mlflow_run_id"]).data.params
    assert not any("token" in k.lower() or "password" in k.lower() for k in params)


def test_the_run_becomes_the_latest_and_a_rerun_trains_nothing(trained):
    ws, uri, result = trained
    assert find_run(ws.models).name == result["run"]
    again = train_persona(str(ws.root), uri)
    assert again["run"] == result["run"]
    assert again["stages"][0].get("cached") or again["stages"][0]["adapter_dir"] == result["stages"][0]["adapter_dir"]


def test_stage_both_trains_cpt_then_sft_on_top_of_it(tmp_path):
    ws = init_workspace(tmp_path / "mika", "mika", ["Mika"])
    # A large CPT step and a tiny SFT step: continuing from CPT leaves B near CPT's, a fresh start does not.
    settings = TRAIN.replace("max_steps = 4", "max_steps = 2").replace("learning_rate = 2e-3", "learning_rate = 1e-6\ncpt_learning_rate = 5e-3")
    ws.config_path.write_text(ws.config_path.read_text() + settings)
    write_datasets(ws.datasets, train=8, val=2, test=2)
    (ws.datasets / "cpt.jsonl").write_text("".join(json.dumps({"text": f"mika streams every friday, chapter {i} of the saga"}) + "\n" for i in range(8)))
    result = train_persona(str(ws.root), default_tracking_uri(ws.root), stage="both")
    assert [s["stage"] for s in result["stages"]] == ["cpt", "sft"]
    record = find_run(ws.models)
    assert set(record.adapters) == {"cpt", "sft"}
    # SFT continued the CPT adapter: its LoRA B weights stayed near CPT's; starting again from
    # zero would put them about |B_cpt| away.
    from safetensors.torch import load_file

    cpt = load_file(str(Path(record.adapters["cpt"]) / "adapter_model.safetensors"))
    sft = load_file(str(Path(record.adapters["sft"]) / "adapter_model.safetensors"))
    b_keys = [k for k in cpt if "lora_B" in k]
    assert b_keys and set(b_keys) <= set(sft)
    cpt_norm = sum(float(cpt[k].norm() ** 2) for k in b_keys) ** 0.5
    moved = sum(float((sft[k] - cpt[k]).norm() ** 2) for k in b_keys) ** 0.5
    assert cpt_norm > 0 and moved < 0.1 * cpt_norm, (moved, cpt_norm)
    assert result["evaluation"]["perplexity_tuned"] > 0


def test_chatclone_train_command_trains_and_reports_perplexity(tmp_path, chatclone):
    ws = init_workspace(tmp_path / "mika", "mika", ["Mika"])
    ws.config_path.write_text(ws.config_path.read_text() + TRAIN)
    write_datasets(ws.datasets, train=8, val=2, test=2)
    proc = chatclone("train", "--max-steps", "2", "-w", str(ws.root), env_extra={"COLUMNS": "200"}, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for line in ("perplexity (lower is better)", "reply ranking MRR", "style score (0-100)", "report:", "mlflow ui --backend-store-uri"):
        assert line in proc.stdout, line
    assert (ws.reports / "eval").is_dir()
