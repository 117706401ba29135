import subprocess
import sys
import tomllib

import pytest

from chatclone.config import load_config, parse_config
from chatclone.errors import ConfigError, WorkspaceError
from chatclone.workspace import init_workspace, render_config, workspace_root


def write(tmp_path, text):
    path = tmp_path / "persona.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_key_error_names_the_key(tmp_path):
    path = write(tmp_path, 'name = "a"\n[[speakers]]\nname = "A"\n[cleaning]\ndrop_bots = true\ndrop_botz = false\n')
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert "cleaning.drop_botz" in str(e.value) and str(path) in str(e.value)
    assert "\n" not in str(e.value)


def test_missing_speakers_error_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match="speakers"):
        load_config(write(tmp_path, 'name = "a"\n'))


def test_empty_speaker_list_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="at least one target speaker"):
        load_config(write(tmp_path, 'name = "a"\nspeakers = []\n'))


def test_split_ratios_must_sum_to_one():
    with pytest.raises(ConfigError, match="split"):
        parse_config({"name": "a", "speakers": [{"name": "A"}], "split": {"train": 0.5, "val": 0.1, "test": 0.1}})


def test_invalid_toml_is_one_line_error(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "name = \n"))


def test_speaker_names_include_aliases_lowercased():
    config = parse_config({"name": "a", "speakers": [{"name": "Mika", "aliases": ["MikaChan"], "ids": ["42"]}]})
    assert config.speaker_names() == ["mika", "mikachan"]
    assert config.speaker_ids() == ["42"]


def test_init_writes_a_config_that_validates(tmp_path):
    ws = init_workspace(tmp_path / "ws", "mika", ["Mika", 'Mi "ka"'], ["https://www.youtube.com/@mika"])
    config = load_config(ws.config_path)
    assert [s.name for s in config.speakers] == ["Mika", 'Mi "ka"']
    assert config.sources.youtube_channels == ["https://www.youtube.com/@mika"]
    assert (ws.root / "raw").is_dir() and (ws.root / "datasets").is_dir()


def test_init_refuses_an_existing_workspace(tmp_path):
    init_workspace(tmp_path, "a", ["A"])
    with pytest.raises(WorkspaceError, match="already exists"):
        init_workspace(tmp_path, "a", ["A"])


def test_rendered_config_has_every_default_section():
    data = tomllib.loads(render_config("a", ["A"], []))
    assert {"segmentation", "cleaning", "split", "export", "sources"} <= data.keys()


def test_workspace_defaults_to_env_then_personas_default(monkeypatch, tmp_path):
    monkeypatch.setenv("CHATCLONE_WORKSPACE", str(tmp_path))
    assert workspace_root(None) == tmp_path
    monkeypatch.delenv("CHATCLONE_WORKSPACE")
    assert str(workspace_root(None)) == "personas/default"


def test_cli_prints_one_line_error_for_bad_config(tmp_path):
    write(tmp_path, 'name = "a"\n[[speakers]]\nname = "A"\nbogus = 1\n')
    proc = subprocess.run(
        [sys.executable, "-m", "chatclone", "stats", "--workspace", str(tmp_path)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "speakers.0.bogus" in proc.stderr
