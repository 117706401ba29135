"""Re-transcribe VOD audio with faster-whisper, where configured; the same flow on CPU or GPU.

    chatclone transcribe --only-missing --workspace personas/mika
"""

from __future__ import annotations

from prefect import flow

from chatclone.transcription import transcribe_concurrency
from tasks.bounded import submit_bounded
from tasks.transcribe import choose_transcripts, plan_transcription, transcribe_vod


@flow(name="transcribe")
def transcribe(workspace: str, mode: str = "default", video_ids: list[str] | None = None, model: str | None = None) -> dict:
    """Transcribe the planned VODs, [transcribe] concurrency at a time; return {"vods": results, "transcripts": counts}."""
    vods = plan_transcription(workspace, mode, video_ids)
    runs = submit_bounded(lambda vod: transcribe_vod.submit(workspace, vod, model), vods, transcribe_concurrency(workspace))
    results = [future.result() for _, future in runs]
    return {"vods": results, "transcripts": choose_transcripts(workspace)}
