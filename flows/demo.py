"""The whole pipeline on the bundled demo persona, offline.

    chatclone demo            # workspace ./personas/demo
"""

from __future__ import annotations

from prefect import flow

from flows.build_dataset import build_dataset
from flows.import_chats import import_chats
from tasks.workspace import prepare_demo_workspace


@flow(name="demo")
def demo(workspace: str) -> dict:
    """Prepare the demo workspace, import its chat exports, build its datasets; return both results."""
    prepare_demo_workspace(workspace)
    imported = import_chats(workspace)
    built = build_dataset(workspace)
    return {"imports": imported, "dataset": built}
