"""Tasks of `dataset build`: clean, segment, export, report."""

from __future__ import annotations

from prefect import get_run_logger, task

from chatclone import pipeline
from tasks.progress import progress_bar


@task(name="clean-messages")
def clean_messages(workspace: str) -> dict:
    """Clean every message's text (placeholders, mentions, PII); return counts by kind."""
    with progress_bar("cleaning messages", total=pipeline.count_messages(workspace)) as advance:
        counts = pipeline.clean(workspace, on_batch=advance)
    get_run_logger().info("cleaned: %s", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to replace")
    return counts


@task(name="segment-conversations")
def segment_conversations(workspace: str) -> None:
    """Cut messages into conversations and turns, applying the filters."""
    pipeline.segment(workspace)


@task(name="mine-pairs")
def mine_pairs(workspace: str) -> dict:
    """Align chat to speech in the zatsu VODs and mine (chat -> answer) pairs; return counts."""
    counts = pipeline.mine(workspace)
    get_run_logger().info("mined %d new or changed zatsu VOD(s) of %d: %d reads, %d read pairs, %d hive pairs in all",
                          counts["vods_mined"], counts["vods"], counts["reads"], counts["read"], counts["hive"])
    return counts


@task(name="build-cpt-corpus")
def build_cpt_corpus(workspace: str) -> dict:
    """Cut the solo VODs' transcripts into continued-pretraining documents (datasets/cpt*.jsonl); return counts."""
    counts = pipeline.build_cpt(workspace)
    get_run_logger().info("cpt: %d solo VOD(s), %s documents, %d words", counts["videos"], counts["documents"], counts["words"])
    return counts


@task(name="export-datasets")
def export_datasets(workspace: str) -> dict:
    """Write the SFT datasets; return example counts per split."""
    counts = pipeline.export(workspace)
    get_run_logger().info("exported: %s", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return counts


@task(name="export-audience")
def export_audience(workspace: str) -> dict:
    """Write the audience model's datasets (a stream's chat in context); return their counts."""
    counts = pipeline.export_audience(workspace)
    get_run_logger().info("audience: %d chat messages from %d VOD(s), %d emotes to add", sum(v for k, v in counts.items() if k.endswith("_examples")),
                          counts["vods"], counts["emotes"])
    return counts


@task(name="dataset-report")
def dataset_report(workspace: str, export_counts: dict, cleaning_counts: dict) -> dict:
    """Write the dataset report (JSON and HTML); return its figures and paths."""
    return pipeline.write_report(workspace, export_counts, cleaning_counts)
