"""The segmentation step of `dataset build`: sql/segment.sql with the persona's settings."""

from __future__ import annotations

from chatclone.config import PersonaConfig
from chatclone.warehouse import Warehouse


def _alternation(patterns: list[str]) -> str:
    return "(" + "|".join(f"(?:{p})" for p in patterns) + ")" if patterns else "(?!)"


def segment(wh: Warehouse, config: PersonaConfig) -> None:
    """Rebuild message_segments, conversations and turns from clean_messages."""
    seg, clean = config.segmentation, config.cleaning
    wh.run(
        "segment",
        gap_minutes=seg.gap_minutes,
        turn_merge_minutes=seg.turn_merge_minutes,
        reply_join_hours=seg.reply_join_hours,
        drop_bots=clean.drop_bots,
        drop_single_pings=clean.drop_single_pings,
        drop_non_responses=clean.drop_non_responses,
        non_response_re=_alternation(clean.non_responses),
        drop_enders=clean.drop_enders,
        ender_re=r"\b" + _alternation(clean.enders) + r"\b",
        ender_max_chars=clean.ender_max_chars,
        drop_low_quality=clean.drop_low_quality_conversations,
        min_conversation_messages=clean.min_conversation_messages,
        min_longest_message_chars=clean.min_longest_message_chars,
        speaker_ids=config.speaker_ids(),
        speaker_names=config.speaker_names(),
    )
