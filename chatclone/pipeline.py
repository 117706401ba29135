"""The steps of `import` and `dataset build` as plain functions on a workspace root.

Each opens the warehouse for the duration of one step, so Prefect tasks (tasks/) can
call them with plain, serializable arguments. No Prefect here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chatclone import cleaning, datasets, importer, report, segmentation
from chatclone.errors import DatasetError
from chatclone.sources import discover
from chatclone.warehouse import Warehouse
from chatclone.workspace import open_workspace


def find_files(workspace: str, fmt: str, paths: list[str]) -> list[str]:
    """The files to import for one (format, paths) request; relative paths are taken as given."""
    return [str(p) for p in discover(fmt, [Path(p) for p in paths])]


def import_one(workspace: str, fmt: str, path: str, on_batch: Callable[[int], None] | None = None) -> dict:
    """Import one file into the workspace's warehouse; return ImportResult as a dict."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        return importer.import_file(wh, fmt, Path(path), ws.quarantine, on_batch=on_batch).as_dict()


def count_messages(workspace: str) -> int:
    """How many messages the warehouse holds (0 if there is no warehouse yet)."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        return wh.run("count_messages")[0][0]


def clean(workspace: str, on_batch: Callable[[int], None] | None = None) -> dict:
    """Rebuild clean_messages; return replacement counts by kind."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        return dict(cleaning.clean_all(wh, ws.config.cleaning, on_batch=on_batch))


def segment(workspace: str) -> None:
    """Rebuild conversations and turns from clean_messages; raise DatasetError if nobody is the persona."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        segmentation.segment(wh, ws.config)
        if not wh.run("count_target_messages")[0][0]:
            top = ", ".join(f"{name} ({n})" for name, _, n in wh.run("report_top_authors", limit=5)) or "none"
            names = ", ".join(s.name for s in ws.config.speakers)
            raise DatasetError(
                f"{ws.config_path}: no message by the target speakers ({names}); "
                f"set [[speakers]] name/ids/aliases — most frequent authors: {top}"
            )


def export(workspace: str) -> dict:
    """Write the SFT datasets into datasets/; return example counts per split."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        return datasets.export(wh, ws.config, ws.datasets)


def write_report(workspace: str, export_counts: dict, cleaning_counts: dict) -> dict:
    """Write reports/dataset.json and .html; return the report figures and file paths."""
    ws = open_workspace(Path(workspace))
    with Warehouse(ws.warehouse_path) as wh:
        figures = report.collect(wh, ws.config, export_counts, cleaning_counts)
    json_path, html_path = report.write_report(figures, ws.datasets, ws.reports)
    public = {k: v for k, v in figures.items() if not k.startswith("_")}
    return {**public, "report_json": str(json_path), "report_html": str(html_path), "datasets": str(ws.datasets)}


def configured_requests(workspace: str) -> list[tuple[str, list[str]]]:
    """(format, [path]) for each [[sources.exports]] entry of persona.toml, paths made absolute."""
    ws = open_workspace(Path(workspace))
    return [(s.format, [str(ws.resolve(s.path))]) for s in ws.config.sources.exports]
