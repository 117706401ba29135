"""Tasks that prepare workspaces."""

from __future__ import annotations

from pathlib import Path

from prefect import task

from chatclone import pipeline
from chatclone.workspace import copy_example


@task(name="prepare-demo-workspace")
def prepare_demo_workspace(workspace: str) -> list[tuple[str, list[str]]]:
    """Copy the bundled demo persona into `workspace` (if empty); return its import requests."""
    copy_example(Path(workspace))
    return pipeline.configured_requests(workspace)
