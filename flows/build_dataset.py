"""Build the SFT datasets and the dataset report from a persona's warehouse.

    chatclone dataset build --workspace personas/alice
"""

from __future__ import annotations

from prefect import flow

from tasks.dataset import clean_messages, dataset_report, export_datasets, segment_conversations


@flow(name="build-dataset")
def build_dataset(workspace: str) -> dict:
    """Clean, segment, export and report; return the report figures and output paths."""
    cleaning_counts = clean_messages(workspace)
    segment_conversations(workspace)
    export_counts = export_datasets(workspace)
    return dataset_report(workspace, export_counts, cleaning_counts)
