"""Run one task over many items with at most `limit` runs in flight (per persona config, not per deployment)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prefect.futures import PrefectFuture, as_completed


def submit_bounded(submit: Callable[[object], PrefectFuture], items: list, limit: int) -> Iterator[tuple[object, PrefectFuture]]:
    """Yield (item, finished future) as runs complete, submitting `submit(item)` in order, never more than `limit` at once."""
    pending, in_flight = list(reversed(items)), {}
    while pending or in_flight:
        while pending and len(in_flight) < limit:
            item = pending.pop()
            in_flight[submit(item)] = item
        done = next(as_completed(list(in_flight)))
        yield in_flight.pop(done), done
