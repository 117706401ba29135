"""Shared fixtures: where sample data lives, a throwaway warehouse, writers of small chat exports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

# Under pytest-xdist (make test runs two workers) each worker keeps its own Prefect state: an ephemeral Prefect server
# is a SQLite file in PREFECT_HOME, and two processes setting one up at once lock each other out. Set before any test
# module imports prefect, which reads it once.
if os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get("PREFECT_HOME"):
    os.environ["PREFECT_HOME"] = str(Path(os.environ["PREFECT_HOME"]) / os.environ["PYTEST_XDIST_WORKER"])

from chatclone.warehouse import Warehouse  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
# Real samples written by others (some AGPL): read in place, never copied into the repository.
SHARED_DATA = REPO_ROOT / ".." / "shared" / "data"
# Samples whose licence lets them live in the repository (see tests/data/SOURCES.md).
TEST_DATA = Path(__file__).resolve().parent / "data"

_BOM = b"\xef\xbb\xbf"
_DISCORD_T0 = datetime(2023, 1, 17, 19, 33, 7, 489000, tzinfo=timezone.utc)
_MESSENGER_T0_MS = 1_700_000_000_000


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared sample-data folder beside the checkout (../shared/data); skips the test where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared sample data not found at {SHARED_DATA.resolve()}: AGPL samples are read in place, not copied")
    return SHARED_DATA


@pytest.fixture(scope="session")
def test_data() -> Path:
    """tests/data: samples kept in the repository."""
    return TEST_DATA


@pytest.fixture(scope="session")
def espeak() -> str:
    """The espeak-ng executable, installed with apt where it is missing and we may; else the test skips, saying why."""
    found = shutil.which("espeak-ng")
    if not found and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "espeak-ng"], capture_output=True, timeout=600,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        found = shutil.which("espeak-ng")
    if not found:
        pytest.skip("espeak-ng is not installed and cannot be installed here (needs apt-get as root): no speech to transcribe")
    return found


@pytest.fixture(scope="session")
def speak(espeak, tmp_path_factory):
    """speak(text, name) -> Path: a WAV of espeak-ng (en-us, 160 words/min) reading `text`."""
    folder = tmp_path_factory.mktemp("speech")

    def write(text: str, name: str = "speech.wav") -> Path:
        path = folder / name
        subprocess.run([espeak, "-v", "en-us", "-s", "160", "-w", str(path), text], check=True, capture_output=True, timeout=120)
        return path

    return write


@pytest.fixture
def warehouse(tmp_path):
    """A migrated Warehouse on a fresh DuckDB file in tmp_path, closed after the test."""
    wh = Warehouse(tmp_path / "warehouse.duckdb")
    yield wh
    wh.close()


@pytest.fixture
def write_json(tmp_path):
    """write_json(relpath, obj, *, bom=False, **json_dumps_kwargs) -> Path: `obj` as UTF-8 JSON under tmp_path."""

    def write(relpath: str | Path, obj, *, bom: bool = False, **dumps_kwargs) -> Path:
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((_BOM if bom else b"") + json.dumps(obj, **dumps_kwargs).encode("utf-8"))
        return path

    return write


@pytest.fixture
def write_discord_export(write_json):
    """write_discord_export(messages, name="export.json", *, channel=None, guild=None, indent=2) -> Path.

    Writes a DiscordChatExporter JSON export (with a BOM, like the real ones). Each message is a
    partial dict laid over a default speech message (id, type Default, timestamp, content, author);
    `channel` and `guild` are partial dicts laid over a default guild text channel.
    """

    def write(messages, name: str = "export.json", *, channel: dict | None = None, guild: dict | None = None, indent: int | None = 2) -> Path:
        full = []
        for i, partial in enumerate(messages):
            message = {
                "id": str(1064990824305274930 + i),
                "type": "Default",
                "timestamp": (_DISCORD_T0 + timedelta(seconds=i)).isoformat(timespec="milliseconds"),
                "timestampEdited": None,
                "callEndedTimestamp": None,
                "isPinned": False,
                "content": f"message {i}",
                "author": {"id": "111111111111111111", "name": "alice", "discriminator": "0000", "nickname": None, "color": None, "isBot": False},
                "attachments": [],
                "embeds": [],
                "stickers": [],
                "reactions": [],
                "mentions": [],
            }
            message.update(partial)
            full.append(message)
        doc = {
            "guild": {"id": "900000000000000000", "name": "Test Guild", "iconUrl": ""} | (guild or {}),
            "channel": {"id": "1064990764406419508", "type": "GuildTextChat", "categoryId": "1", "category": "Text Channels", "name": "general", "topic": None}
            | (channel or {}),
            "dateRange": {"after": None, "before": None},
            "messages": full,
            "messageCount": len(full),
        }
        return write_json(name, doc, bom=True, indent=indent)

    return write


def _as_facebook_mojibake(value):
    """Every string as Facebook's classic export writes it: UTF-8 bytes read as latin-1 code points."""
    if isinstance(value, str):
        return value.encode("utf-8").decode("latin-1")
    if isinstance(value, list):
        return [_as_facebook_mojibake(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_facebook_mojibake(v) for k, v in value.items()}
    return value


@pytest.fixture
def write_messenger_export(write_json):
    """write_messenger_export(messages, name="inbox/bob_abc123/message_1.json", *, mojibake=True, **fields) -> Path.

    Writes a classic Messenger `message_N.json`. Each message is a partial dict laid over a default
    (sender_name Alice, timestamp_ms newest first, content, type Generic); `fields` override the
    top-level keys (participants, title, thread_path, ...). A key given as None is left out.
    With `mojibake` (the default) every string is written the way Facebook does, e.g. "é" as
    "\\u00c3\\u00a9"; pass mojibake=False for proper Unicode text.
    """

    def write(messages, name: str = "inbox/bob_abc123/message_1.json", *, mojibake: bool = True, **fields) -> Path:
        full = []
        for i, partial in enumerate(messages):
            message = {"sender_name": "Alice", "timestamp_ms": _MESSENGER_T0_MS - 60_000 * i, "content": f"message {i}", "type": "Generic"}
            message.update(partial)
            full.append({k: v for k, v in message.items() if v is not None})
        doc = {
            "participants": [{"name": "Alice"}, {"name": "Bob"}],
            "messages": full,
            "title": "Bob",
            "is_still_participant": True,
            "thread_type": "Regular",
            "thread_path": f"inbox/{Path(name).parent.name or 'bob_abc123'}",
        }
        doc.update(fields)
        doc = {k: v for k, v in doc.items() if v is not None}
        if mojibake:
            doc = _as_facebook_mojibake(doc)
        return write_json(name, doc, indent=2, ensure_ascii=mojibake)

    return write


# --- The command line as a user runs it.


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory):
    """The port of a real `prefect server` on 127.0.0.1, up for the whole session. CLI commands run as subprocesses
    report their flow runs to it, as they do where PREFECT_API_URL is set; without it each would start a temporary
    server of its own (~9 s a command)."""
    from live_server import free_port
    from prefect_server import prefect_env, start_server, stop

    home = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    server = start_server(port, prefect_env(home / "home", port), home / "server.log")
    yield port
    stop(server)


@pytest.fixture(scope="session")
def chatclone(prefect_api, tmp_path_factory):
    """`chatclone(*ARGS, env_extra=None, timeout=300, cwd=None)`: `python -m chatclone ARGS` in a subprocess, as a user
    runs it, its flows reported to the session's prefect server and MLflow in the workspace. Returns the CompletedProcess."""
    from prefect_server import prefect_env

    env = prefect_env(tmp_path_factory.mktemp("prefect-client"), prefect_api, PREFECT_LOGGING_LEVEL="WARNING")
    env.pop("MLFLOW_TRACKING_URI", None)

    def run(*args: str, env_extra: dict[str, str] | None = None, timeout: int = 300, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "chatclone", *args], capture_output=True, text=True, timeout=timeout,
                              cwd=cwd, env={**env, **(env_extra or {})})

    return run


# --- A small "trained" model: the bundled base with a LoRA adapter, for evaluation, serving and merging tests.


@pytest.fixture(scope="session")
def base_model_path() -> str:
    """The bundled SmolLM2-135M as a safetensors directory (converted on first use, then cached)."""
    from chatclone.config import Train
    from chatclone.models import DEFAULT_BASE_MODEL, resolve_base_model

    return resolve_base_model(DEFAULT_BASE_MODEL, Path(Train().model_cache))


@pytest.fixture(scope="session")
def tokenizer(base_model_path):
    """The base model's tokenizer (ChatML template)."""
    from chatclone.models import load_tokenizer

    return load_tokenizer(base_model_path)


@pytest.fixture(scope="session")
def base_model(base_model_path):
    """The base model, loaded once: do not wrap or change it; deepcopy it first."""
    from chatclone.models import load_model

    return load_model(base_model_path).eval()


@pytest.fixture(scope="session")
def lora_adapter(tmp_path_factory, base_model) -> Path:
    """A LoRA adapter (r=4, every linear layer) whose B weights are small random values, so it changes the model a little."""
    import copy

    import torch
    from peft import LoraConfig, get_peft_model

    with torch.random.fork_rng():
        torch.manual_seed(0)  # LoRA A weights are drawn from the global generator
        model = get_peft_model(copy.deepcopy(base_model), LoraConfig(r=4, target_modules="all-linear", task_type="CAUSAL_LM"))
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.05)
    path = tmp_path_factory.mktemp("adapter") / "sft"
    model.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def untrained_adapter(tmp_path_factory, base_model) -> Path:
    """A freshly initialised LoRA adapter (B = 0): base + adapter behaves exactly like the base."""
    import copy

    from peft import LoraConfig, get_peft_model

    path = tmp_path_factory.mktemp("adapter") / "sft"
    get_peft_model(copy.deepcopy(base_model), LoraConfig(r=4, target_modules="all-linear", task_type="CAUSAL_LM")).save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory, base_model_path, lora_adapter):
    """A saved RunRecord (the latest of its models/ folder) whose sft adapter is `lora_adapter`."""
    from factories import make_run

    return make_run(tmp_path_factory.mktemp("models"), base_model_path, lora_adapter)
