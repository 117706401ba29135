"""Tasks that prepare workspaces."""

from __future__ import annotations

from pathlib import Path

from prefect import task

from chatclone.workspace import copy_example


@task(name="prepare-demo-workspace")
def prepare_demo_workspace(workspace: str) -> str:
    """Copy the bundled demo persona into `workspace` unless it has a persona.toml; return its path."""
    return str(copy_example(Path(workspace)).root)
