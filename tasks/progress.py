"""A rich progress bar for long task loops (shown on the stderr of the terminal that runs the flow)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator:
    """Yield `advance(n, total=None)`: a callback that moves a transient rich progress bar by n units (and sets its total when given)."""
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    # On stderr: stdout carries results (`--json`) that a pipe must get unmixed.
    with Progress(*columns, transient=True, console=Console(stderr=True)) as progress:
        task_id = progress.add_task(description, total=total)
        yield lambda n, total=None: progress.update(task_id, advance=n, total=total)  # total=None: unchanged
