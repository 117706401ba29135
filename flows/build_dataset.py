"""Build the SFT datasets and the dataset report from a persona's warehouse.

    chatclone dataset build --workspace personas/alice
"""

from __future__ import annotations

from prefect import flow

from tasks.dataset import build_cpt_corpus, clean_messages, dataset_report, export_audience, export_datasets, mine_pairs, segment_conversations
from tasks.ingest import classify_videos
from tasks.transcribe import choose_transcripts


@flow(name="build-dataset")
def build_dataset(workspace: str) -> dict:
    """Clean and segment the chat exports, classify the VODs, mine the zatsu ones, cut the solo ones for CPT, export
    (the persona's SFT datasets and the audience model's) and report.

    Returns the report figures and output paths.
    """
    cleaning_counts = clean_messages(workspace)
    segment_conversations(workspace)
    classify_videos(workspace)
    choose_transcripts(workspace)
    mined = mine_pairs(workspace)
    cpt = build_cpt_corpus(workspace)
    export_counts = export_datasets(workspace)
    audience = export_audience(workspace)
    return dataset_report(workspace, export_counts, cleaning_counts) | {"mining": mined, "cpt": cpt, "audience": audience}
