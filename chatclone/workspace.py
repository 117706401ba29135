"""The persona workspace: one directory per persona, with its config, raw files, warehouse and outputs."""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from chatclone.config import CONFIG_FILE, PersonaConfig, load_config, parse_config
from chatclone.errors import WorkspaceError

DEFAULT_WORKSPACE = Path("personas/default")


@dataclass(frozen=True)
class Workspace:
    """Paths of one persona workspace; `config` is read and validated on first use."""

    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def warehouse_path(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def datasets(self) -> Path:
        return self.root / "datasets"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @cached_property
    def config(self) -> PersonaConfig:
        return load_config(self.config_path)

    def resolve(self, path: str | Path) -> Path:
        """A path from persona.toml: absolute as given, else relative to the workspace root."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.root / p


def workspace_root(cli_value: str | Path | None) -> Path:
    """The workspace directory: the CLI value, else $CHATCLONE_WORKSPACE, else ./personas/default."""
    if cli_value:
        return Path(cli_value)
    return Path(os.environ.get("CHATCLONE_WORKSPACE") or DEFAULT_WORKSPACE)


def open_workspace(root: Path) -> Workspace:
    """Open an existing workspace and validate its config; raise ConfigError if it has none."""
    ws = Workspace(Path(root))
    ws.config  # noqa: B018 - validate now, so errors surface before any work starts
    return ws


def _toml_str(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


def render_config(name: str, speakers: list[str], youtube: list[str]) -> str:
    """persona.toml text for a new workspace, with every section present and commented."""
    speaker_blocks = "\n".join(
        f"[[speakers]]\nname = {_toml_str(s)}\nids = []      # author ids (Discord user id, ...)\naliases = []  # other display names\n"
        for s in speakers
    )
    channels = ", ".join(_toml_str(u) for u in youtube)
    return f"""# chatclone persona: see docs/configuration.md for every key.
name = {_toml_str(name)}
system_prompt = ""  # empty: "You are NAME. Reply the way NAME does in chat."
seed = 42

{speaker_blocks}
[sources]
youtube_channels = [{channels}]
# [[sources.exports]]    # imported by `chatclone import` when it is given no paths
# format = "discord"     # discord | messenger | telegram | twitch | whatsapp | youtube-dir
# path = "raw/discord"   # relative to this workspace

[youtube]                # how `chatclone ingest youtube` fetches the channels
languages = ["en"]       # subtitle languages (yt-dlp codes: en, ja, en-orig, ...)
audio = false            # also fetch the audio (for `chatclone transcribe`)
cookies_file = ""        # a Netscape cookies.txt for members-only VODs; never logged
concurrency = 2          # VODs fetched at once
sleep_seconds = 1.0      # pause between requests: be polite
max_failures = 3         # a VOD whose fetch failed this often in a row is no longer retried

[classify]               # which VODs are mined (zatsu), kept as transcripts (solo) or ignored
# ignore = ["karaoke", "歌枠", "collab", "コラボ", "reaction", ...]   (see docs/configuration.md for the defaults)
# zatsu = ["zatsu", "雑談", "just chatting", "free talk", ...]
default = "solo"         # where a VOD no keyword matches goes
overrides = "video_overrides.toml"   # per video: VIDEO_ID = "zatsu"

[segmentation]
gap_minutes = 10         # a silence this long starts a new conversation
turn_merge_minutes = 5   # one author's consecutive messages this close form one turn
reply_join_hours = 6     # a reply to a message this recent continues its conversation

[cleaning]
drop_bots = true
drop_single_pings = true
drop_non_responses = true
drop_enders = true
drop_low_quality_conversations = true
min_conversation_messages = 5     # a conversation with fewer messages than this ...
min_longest_message_chars = 30    # ... all of them shorter than this, is dropped
strip_mentions = true
placeholders = true
scrub_pii = true

[split]
train = 0.9
val = 0.05
test = 0.05

[export]
max_turns_per_example = 24

# [eval]                 # `chatclone eval`: does the double sound like the person?
# prompts = 60           # held-out replies evaluated at most
# distractors = 7        # each real reply is ranked against this many other replies
# [[eval.scenarios]]     # conversations replayed with base and tuned; listing any replaces the five defaults
# name = "stream question"
# messages = ["when is your next stream?", "what are you going to play?"]
"""


def init_workspace(root: Path, name: str, speakers: list[str], youtube: list[str] | None = None) -> Workspace:
    """Create a workspace at `root` with a persona.toml; raise WorkspaceError if one is there."""
    ws = Workspace(Path(root))
    if ws.config_path.exists():
        raise WorkspaceError(f"{ws.config_path}: already exists; pick another --workspace or edit it")
    text = render_config(name, speakers, youtube or [])
    parse_config(tomllib.loads(text), ws.config_path)
    for d in (ws.root, ws.raw, ws.datasets, ws.models, ws.reports):
        d.mkdir(parents=True, exist_ok=True)
    ws.config_path.write_text(text, encoding="utf-8")
    return ws


def example_dir(name: str = "demo") -> Path:
    """The bundled example persona `name`: inside the installed package, else the repository's examples/."""
    packaged = Path(__file__).parent / "examples" / name
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "examples" / name


def copy_example(root: Path, name: str = "demo") -> Workspace:
    """Make `root` a workspace holding the bundled example persona, unless it already has a config."""
    ws = Workspace(Path(root))
    if not ws.config_path.exists():
        src = example_dir(name)
        if not (src / CONFIG_FILE).exists():
            raise WorkspaceError(f"{src}: the bundled example persona '{name}' is missing")
        shutil.copytree(src, ws.root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.py", "README.md", "__pycache__"))
    return open_workspace(ws.root)
