import pytest

from chatclone.cleaning import clean_all
from chatclone.segmentation import segment
from chatclone.warehouse import Warehouse
from factories import chat, lively, load, make_config


@pytest.fixture
def wh(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        yield wh


def build(wh, messages, config=None):
    config = config or make_config()
    load(wh, messages)
    clean_all(wh, config.cleaning)
    segment(wh, config)


def drop_reasons(wh) -> dict[str, str | None]:
    return dict(wh.execute("SELECT message_id, drop_reason FROM message_segments").fetchall())


def test_a_silence_longer_than_the_gap_starts_a_new_conversation(wh):
    second = [m._replace(message_id=m.message_id + "b") for m in lively("c1", start=30)]
    build(wh, lively("c1", start=0) + second)
    keys = wh.execute("SELECT conversation_key FROM conversations ORDER BY start_ts").fetchall()
    assert [k[0] for k in keys] == ["discord:c1:1", "discord:c1:2"]


def test_a_reply_across_a_silence_continues_the_conversation(wh):
    messages = chat([(0, "Yuki", "anyone know a good ramen place near the station?"), (1, "Ren", "no idea honestly, i always cook")])
    messages += chat([(120, "Mika", "late but the one with the red lantern is amazing")], conversation_id="c1", reply_to="c1-0")
    messages[-1] = messages[-1]._replace(message_id="late-reply")
    build(wh, messages)
    assert wh.execute("SELECT count(DISTINCT conversation_key) FROM message_segments").fetchall()[0][0] == 1


def test_a_reply_to_an_old_message_starts_a_new_conversation(wh):
    messages = chat([(0, "Yuki", "anyone know a good ramen place near the station?")])
    messages += chat([(60 * 24, "Mika", "a day late but the one with the red lantern")], conversation_id="c1", reply_to="c1-0")
    messages[-1] = messages[-1]._replace(message_id="old-reply")
    build(wh, messages)
    assert wh.execute("SELECT count(DISTINCT conversation_key) FROM message_segments").fetchall()[0][0] == 2


def test_the_gap_is_configurable(wh):
    messages = chat([(0, "Yuki", "are you streaming later tonight or not"), (20, "Mika", "yes at nine, bring snacks and vibes")])
    build(wh, messages, make_config(segmentation={"gap_minutes": 30}))
    assert wh.execute("SELECT count(*) FROM conversations").fetchall()[0][0] == 1


def test_consecutive_messages_of_one_author_merge_into_one_turn(wh):
    messages = chat([(0, "Yuki", "hey"), (0.5, "Yuki", "you there?"), (1, "Mika", "yep"), (1.2, "Mika", "what's up"), (2, "Yuki", "nothing much")])
    build(wh, messages, make_config(cleaning={"drop_low_quality_conversations": False, "drop_non_responses": False}))
    turns = wh.execute("SELECT author_name, text, n_messages FROM turns ORDER BY turn_no").fetchall()
    assert turns == [("Yuki", "hey\nyou there?", 2), ("Mika", "yep\nwhat's up", 2), ("Yuki", "nothing much", 1)]


def test_one_authors_messages_far_apart_stay_separate_turns(wh):
    messages = chat([(0, "Mika", "first thought"), (8, "Mika", "second thought, much later")])
    build(wh, messages, make_config(cleaning={"drop_low_quality_conversations": False}))
    assert wh.execute("SELECT count(*) FROM turns").fetchall()[0][0] == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("lol", "non_response"),
        ("LMAOOO", "non_response"),
        ("hahaha", "non_response"),
        ("gg", "non_response"),
        ("gtg", "ender"),
        ("ok going to sleep, night", "ender"),
        ("cya tomorrow!", "ender"),
        ("@Ren", "single_ping"),
        ("   ", "empty"),
        ("lol that cat video was the best thing i saw today", None),
        ("i'll say bye to the old apartment next week, finally moving to the city", None),
    ],
)
def test_message_filters_give_their_reason(wh, text, reason):
    messages = lively("c1") + chat([(5.5, "Yuki", text)], conversation_id="c1")
    messages[-1] = messages[-1]._replace(message_id="probe")
    build(wh, messages)
    assert drop_reasons(wh)["probe"] == reason


def test_bot_messages_are_dropped(wh):
    messages = lively("c1") + chat([(5.5, "MusicBot", "Now playing: a very long song title by a band")], conversation_id="c1x", is_bot=True)
    build(wh, messages)
    assert drop_reasons(wh)["c1x-0"] == "bot"


def test_filters_can_be_switched_off(wh):
    messages = lively("c1") + chat([(5.5, "Yuki", "lol")], conversation_id="c2")
    build(wh, messages, make_config(cleaning={"drop_non_responses": False}))
    assert drop_reasons(wh)["c2-0"] is None


def test_short_conversation_of_short_messages_is_low_quality(wh):
    build(wh, lively("c1") + chat([(100, "Yuki", "sup"), (101, "Mika", "nm u")], conversation_id="c2"))
    reasons = dict(wh.execute("SELECT conversation_id, drop_reason FROM conversations").fetchall())
    assert reasons == {"c1": None, "c2": "low_quality"}


def test_short_conversation_with_a_long_message_is_kept(wh):
    build(wh, chat([(0, "Yuki", "sup"), (1, "Mika", "nothing much, just finished editing the stream highlights video")]))
    assert wh.execute("SELECT drop_reason FROM conversations").fetchall() == [(None,)]


def test_conversation_without_the_persona_is_not_exported(wh):
    build(wh, chat([(i, "Yuki" if i % 2 else "Ren", f"message number {i} about something long enough") for i in range(6)]))
    assert wh.execute("SELECT drop_reason FROM conversations").fetchall() == [("no_target_speaker",)]


def test_target_speaker_matched_by_alias_case_insensitively(wh):
    messages = chat([(0, "Yuki", "what are you playing tonight, anything new?"), (1, "MIKA_CHAN", "a horror game, pray for me")])
    messages[1] = messages[1]._replace(author_id="other-id")
    build(wh, messages)
    assert wh.execute("SELECT author_name, is_target FROM turns ORDER BY turn_no").fetchall() == [("Yuki", False), ("MIKA_CHAN", True)]


def test_pii_is_scrubbed_before_turns_are_built(wh):
    messages = lively("c1") + chat([(5.5, "Mika", "mail me at mika@example.com or call +1 555 010 2233")], conversation_id="c1")
    messages[-1] = messages[-1]._replace(message_id="pii")
    build(wh, messages)
    text = " ".join(t for (t,) in wh.execute("SELECT text FROM turns").fetchall())
    assert "mika@example.com" not in text and "555" not in text
    assert "<email>" in text and "<phone>" in text


def test_rebuilding_gives_the_same_tables(wh):
    build(wh, lively("c1") + lively("c2", start=200))
    first = wh.execute("SELECT * FROM turns ORDER BY ALL").fetchall()
    clean_all(wh, make_config().cleaning)
    segment(wh, make_config())
    assert wh.execute("SELECT * FROM turns ORDER BY ALL").fetchall() == first
