"""The whole pipeline on the bundled demo persona, offline: import (chats and a channel folder), classify,
transcribe, mine, datasets, a short CPU training run (CPT then SFT), evaluation and one reply.

    chatclone demo            # workspace ./personas/demo
"""

from __future__ import annotations

from prefect import flow

from flows.build_dataset import build_dataset
from flows.import_chats import import_chats
from flows.train_persona import train_persona
from flows.transcribe import transcribe
from tasks.training import sample_reply
from tasks.workspace import prepare_demo_workspace

DEMO_MESSAGE = "hey mika, what are you up to tonight?"


@flow(name="demo")
def demo(workspace: str, tracking_uri: str, train: bool = True) -> dict:
    """Prepare the demo workspace, import its chats, build datasets, train and evaluate; return every result."""
    prepare_demo_workspace(workspace)
    imported = import_chats(workspace)
    transcribed = transcribe(workspace)
    built = build_dataset(workspace)
    if not train:
        return {"imports": imported, "transcripts": transcribed, "dataset": built}
    trained = train_persona(workspace, tracking_uri)
    reply = sample_reply(workspace, DEMO_MESSAGE, trained["run"])
    return {"imports": imported, "transcripts": transcribed, "dataset": built, "training": trained, "sample": {"message": DEMO_MESSAGE, "reply": reply}}
