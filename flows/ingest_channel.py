"""Catch up with the configured channels: list new VODs, fetch their files, load them, classify.

    chatclone ingest youtube --workspace personas/mika
    prefect deployment run 'ingest-channel/nightly'
"""

from __future__ import annotations

from prefect import flow

from chatclone import ingest
from chatclone.workspace import workspace_root
from tasks.bounded import submit_bounded
from tasks.ingest import classify_videos, fetch_vod, plan_channel, record_vod
from tasks.transcribe import choose_transcripts
from tasks.progress import progress_bar


@flow(name="ingest-channel")
def ingest_channel(workspace: str | None = None, channels: list[str] | None = None, retry_failed: bool = False) -> dict:
    """Fetch what is new or incomplete on each channel (default: persona.toml's youtube_channels).

    `workspace` defaults to $CHATCLONE_WORKSPACE. Returns {"vods": [one result per VOD fetched],
    "listing_errors": [one line per channel that could not be listed], "categories": counts}.
    """
    workspace = str(workspace_root(workspace))
    vods, listing_errors = [], []
    for url in channels or ingest.channels(workspace):
        state = plan_channel(workspace, url, retry_failed, return_state=True)
        if state.is_completed():
            vods += [v for v in state.result() if v["video_id"] not in {o["video_id"] for o in vods}]
        else:
            listing_errors.append(str(state.result(raise_on_failure=False)))
    results = []
    with progress_bar("fetching VODs", total=len(vods)) as advance:
        for vod, done in submit_bounded(lambda vod: fetch_vod.submit(workspace, vod), vods, ingest.fetch_concurrency(workspace)):
            fetched = _fetch_outcome(vod, done)
            results.append(record_vod(workspace, vod, fetched) | {"error": fetched.get("error"), "chat_error": fetched.get("chat_error")})
            advance(1)
    categories = classify_videos(workspace)
    choose_transcripts(workspace)
    return {"vods": results, "listing_errors": listing_errors, "categories": categories}


def _fetch_outcome(vod: dict, future) -> dict:
    """The fetch result, or an incomplete one naming the error where the task failed after its retries."""
    outcome = future.result(raise_on_failure=False)
    if not isinstance(outcome, BaseException):
        return outcome
    error = outcome
    return {"video_id": vod["video_id"], "status": "incomplete", "error": " ".join(str(error).split()), "chat_error": None}
