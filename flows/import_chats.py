"""Import chat exports into a persona's warehouse.

    chatclone import discord exports/ --workspace personas/alice
"""

from __future__ import annotations

from prefect import flow

from tasks.imports import discover_files, import_file


@flow(name="import-chats")
def import_chats(workspace: str, requests: list[tuple[str, list[str]]]) -> list[dict]:
    """Import each (format, paths) request; return one result dict per file."""
    results = []
    for fmt, paths in requests:
        for path in discover_files(workspace, fmt, paths):
            results.append(import_file(workspace, fmt, path))
    return results
