"""The cleaning step of `dataset build`: every message through text.clean_message into clean_messages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pyarrow as pa

from chatclone.config import Cleaning
from chatclone.text import PII_KINDS, clean_message
from chatclone.warehouse import Warehouse

COUNT_COLUMNS = ("link", "attachment", "mention", *PII_KINDS)


def clean_all(wh: Warehouse, options: Cleaning, batch_rows: int = 50_000, on_batch: Callable[[int], None] | None = None) -> Counter:
    """Rebuild `clean_messages` from `messages` with the configured text cleaning.

    `on_batch(n)` is called after each batch of n messages (for progress display).
    Returns the total count of each replacement kind (link, attachment, mention, email, ...).
    """
    totals: Counter = Counter()
    wh.run("clear_clean_messages")
    for batch in wh.stream("messages_to_clean", batch_rows=batch_rows):
        texts, pings = [], []
        counts = {k: [] for k in COUNT_COLUMNS}
        for text, attachments, mentions in zip(
            batch.column("text").to_pylist(), batch.column("attachments").to_pylist(), batch.column("mentions").to_pylist()
        ):
            cleaned = clean_message(
                text, attachments or (), mentions or (),
                strip_at=options.strip_mentions, placeholders=options.placeholders, pii=options.scrub_pii,
            )
            texts.append(cleaned.text)
            pings.append(cleaned.ping_only)
            for k in COUNT_COLUMNS:
                counts[k].append(cleaned.counts.get(k, 0))
            totals.update(cleaned.counts)
        table = pa.Table.from_batches([batch]).drop_columns(["text", "attachments", "mentions"])
        table = table.append_column("text", pa.array(texts, pa.string())).append_column("ping_only", pa.array(pings, pa.bool_()))
        for k in COUNT_COLUMNS:
            table = table.append_column(f"n_{k}", pa.array(counts[k], pa.int32()))
        wh.insert_arrow("insert_clean_messages", table)
        if on_batch:
            on_batch(table.num_rows)
    return +totals
