"""Tasks of channel ingestion: list, fetch (many at once, retried on network trouble), record, classify."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.tasks import exponential_backoff

from chatclone import ingest


class TransientFetchError(Exception):
    """A VOD's fetch failed for a reason worth retrying soon (network, 5xx, 429)."""


def _transient(task, task_run, state) -> bool:
    # Only network trouble is worth a retry; a missing file or an unknown URL stays so.
    try:
        state.result()
    except TransientFetchError:
        return True
    except Exception as e:  # noqa: BLE001 - inspecting the failure, not handling it
        return bool(getattr(e, "transient", False))
    return False


@task(name="plan-channel", retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=10), retry_condition_fn=_transient)
def plan_channel(workspace: str, url: str, retry_failed: bool = False) -> list[dict]:
    """The VODs of one channel to fetch now (new, or incomplete last time)."""
    vods = ingest.plan_channel(workspace, url, retry_failed)
    get_run_logger().info("%s: %d VOD(s) to fetch", url, len(vods))
    return vods


@task(name="fetch-vod", task_run_name="fetch-{vod[video_id]}", retries=3,
      retry_delay_seconds=exponential_backoff(backoff_factor=5), retry_jitter_factor=0.5, retry_condition_fn=_transient)
def fetch_vod(workspace: str, vod: dict) -> dict:
    """Download one VOD's files; raise TransientFetchError (retried with backoff) on network trouble."""
    result = ingest.fetch(workspace, vod)
    if result["status"] == "incomplete" and result["transient"]:
        raise TransientFetchError(result["error"])
    return result


@task(name="record-vod", task_run_name="record-{vod[video_id]}")
def record_vod(workspace: str, vod: dict, fetched: dict) -> dict:
    """Load the VOD's files into the warehouse and note the fetch's outcome."""
    result = ingest.record(workspace, vod, fetched)
    log = get_run_logger()
    if result["fetch_status"] in ("incomplete", "failed"):
        log.warning("%s %s: %s", vod["video_id"], result["fetch_status"], fetched.get("error"))
    else:
        log.info("%s %s: %d cues, %d chat", vod["video_id"], result["status"], result["cues"], result["chat"])
    return result


@task(name="classify-videos")
def classify_videos(workspace: str) -> dict[str, int]:
    """Classify every VOD (zatsu, solo, ignore, broken); return counts."""
    counts = ingest.classify(workspace)
    get_run_logger().info("videos: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts
