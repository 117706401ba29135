"""Tasks of Whisper re-transcription: plan, one task per VOD, choose each VOD's transcript."""

from __future__ import annotations

from prefect import get_run_logger, task

from chatclone import transcription
from tasks.imports import _warehouse_busy
from tasks.progress import progress_bar


@task(name="plan-transcription")
def plan_transcription(workspace: str, mode: str = "default", video_ids: list[str] | None = None) -> list[dict]:
    """The VODs with audio to transcribe."""
    vods = transcription.plan(workspace, mode, video_ids)
    get_run_logger().info("%d VOD(s) with audio to transcribe (cached ones are skipped)", len(vods))
    return vods


@task(name="transcribe-vod", task_run_name="transcribe-{vod[video_id]}", retries=3, retry_delay_seconds=[2, 5, 15],
      retry_condition_fn=_warehouse_busy)
def transcribe_vod(workspace: str, vod: dict, model: str | None = None) -> dict:
    """Transcribe one VOD (or find it cached); corrupt or missing audio comes back 'quarantined'."""
    with progress_bar(f"transcribing {vod['video_id']} (s of audio)", total=vod.get("duration_s")) as advance:
        result = transcription.transcribe_video(workspace, vod, model, on_progress=advance)
    log = get_run_logger()
    if result["status"] == "quarantined":
        log.warning("quarantined %s", result["error"])
    elif result["status"] == "transcribed":
        log.info("%s: %d segments, %.0f s of audio in %.1f s", vod["video_id"], result["segments"], result["duration_s"], result["elapsed_s"])
    return result


@task(name="choose-transcripts")
def choose_transcripts(workspace: str) -> dict[str, int]:
    """Set which transcript (whisper, manual, auto) each VOD's mining reads; return counts."""
    counts = transcription.choose_transcripts(workspace)
    get_run_logger().info("transcripts: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts
