"""Tasks of chat-export import."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task

from chatclone import pipeline
from tasks.progress import progress_bar


def _warehouse_busy(task, task_run, state) -> bool:
    # Only a locked warehouse (another chatclone process writing) is worth a retry;
    # a file that does not parse is quarantined, not retried.
    try:
        state.result()
    except Exception as e:  # noqa: BLE001 - inspecting the failure, not handling it
        return "lock" in str(e).lower()
    return False


def _logged(result: dict) -> dict:
    """Log an import result (a warning naming the problem for a quarantined one); return it."""
    log = get_run_logger()
    if result["status"] == "quarantined":
        log.warning("quarantined %s", result["error"])
    else:
        log.info("%s %s: %d read, %d added", result["status"], result["path"], result["rows_read"], result["rows_added"])
    return result


@task(name="configured-sources")
def configured_sources(workspace: str) -> list[tuple[str, list[str]]]:
    """The [[sources.exports]] of persona.toml as (format, [path]) requests."""
    return pipeline.configured_requests(workspace)


@task(name="discover-files")
def discover_files(workspace: str, fmt: str, paths: list[str]) -> list[str]:
    """Expand files and folders into the list of files to import for `fmt`."""
    files = pipeline.find_files(workspace, fmt, paths)
    get_run_logger().info("%s: %d file(s) to import", fmt, len(files))
    return files


@task(name="import-file", retries=3, retry_delay_seconds=[2, 5, 15], retry_condition_fn=_warehouse_busy)
def import_file(workspace: str, fmt: str, path: str) -> dict:
    """Import one file; a broken file comes back with status 'quarantined' (not an exception)."""
    with progress_bar(f"importing {Path(path).name}") as advance:
        result = pipeline.import_one(workspace, fmt, path, on_batch=advance)
    return _logged(result)


@task(name="discover-videos")
def discover_videos(workspace: str, paths: list[str]) -> list[dict]:
    """The videos of YouTube channel folders (yt-dlp's files grouped by video id)."""
    videos = pipeline.find_videos(workspace, paths)
    get_run_logger().info("youtube-dir: %d video(s) to import", len(videos))
    return videos


@task(name="import-video", retries=3, retry_delay_seconds=[2, 5, 15], retry_condition_fn=_warehouse_busy)
def import_video(workspace: str, video: dict) -> dict:
    """Import one video's captions, chat and metadata; a broken one comes back 'quarantined'."""
    return _logged(pipeline.import_youtube_video(workspace, video))


@task(name="discover-twitch-files")
def discover_twitch_files(workspace: str, paths: list[str]) -> list[str]:
    """The Twitch VOD chat files (JSON, text and IRC logs) of files and folders."""
    files = pipeline.find_twitch_files(workspace, paths)
    get_run_logger().info("twitch: %d chat file(s) to import", len(files))
    return files


@task(name="import-twitch-file", retries=3, retry_delay_seconds=[2, 5, 15], retry_condition_fn=_warehouse_busy)
def import_twitch_file(workspace: str, path: str) -> dict:
    """Import one Twitch VOD's chat and metadata; a broken file comes back 'quarantined'."""
    return _logged(pipeline.import_twitch_file(workspace, path))
