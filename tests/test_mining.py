"""Zatsu mining SQL on small hand-made streams: reads, answers, the hive, and the edge cases."""

from __future__ import annotations

import json

import pytest

from chatclone.config import Mining
from chatclone.mining import mine
from chatclone.warehouse import Warehouse

WORD_S, WORD_GAP_S = 0.3, 0.05


@pytest.fixture
def wh(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        yield wh


def add_vod(wh, video_id: str = "v1", category: str = "zatsu") -> None:
    wh.con.execute("INSERT INTO videos (video_id, category, transcript_source, status) VALUES (?, ?, 'whisper', 'loaded')", [video_id, category])


def say(wh, start_s: float, text: str, video_id: str = "v1") -> float:
    """Whisper words for `text` from start_s, one every WORD_S + WORD_GAP_S; returns when the utterance ends."""
    t = start_s
    for word in text.split():
        wh.con.execute("INSERT INTO words (video_id, start_s, end_s, word, source) VALUES (?, ?, ?, ?, 'whisper')",
                       [video_id, t, t + WORD_S, word])
        t += WORD_S + WORD_GAP_S
    return t - WORD_GAP_S


def chat(wh, t_s: float, author: str, text: str, message_id: str | None = None, kind: str = "text", video_id: str = "v1") -> str:
    message_id = message_id or f"m{t_s:g}-{author}"
    wh.con.execute("INSERT INTO chat (video_id, message_id, t_s, author_id, author_name, text, kind) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [video_id, message_id, t_s, author.lower(), author, text, kind])
    return message_id


def pairs(wh) -> list[tuple]:
    return wh.con.execute("SELECT method, prompt, response, message_ids FROM pairs ORDER BY answer_start_s").fetchall()


def test_a_message_read_aloud_pairs_with_the_answer_after_the_read_part(wh):
    add_vod(wh)
    chat(wh, 2.0, "lol_guy", "lol")
    read_id = chat(wh, 5.0, "Yuki", "what did you eat today?")
    say(wh, 10.0, "Yuki says what did you eat today?")
    say(wh, 13.0, "Hmm, I had ramen with extra egg, it was so good.")
    counts = mine(wh, Mining())

    assert counts["reads"] == 1 and counts["read"] == 1
    assert pairs(wh) == [("read", "chat: Yuki: what did you eat today?", "Hmm, I had ramen with extra egg, it was so good.", [read_id])]


@pytest.mark.parametrize(("author", "message", "spoken", "answer_head"), [
    # "Aki says" heard as "a kiss as": the message still starts within three words of the phrase
    ("aki_leaf", "what is your comfort food?", "A kiss as what is your comfort food?", ""),
    # its only long word ("today") heard as "okay": the author named at the phrase start finds it (the read ends
    # at the last word heard right, "eat")
    ("@yuki_snow", "what did you eat today?", "Yuki says, what did you eat, okay?", "okay? "),
])
def test_a_read_the_transcript_mishears_is_found(wh, author, message, spoken, answer_head):
    add_vod(wh)
    read_id = chat(wh, 5.0, author, message)
    say(wh, 10.0, spoken)
    say(wh, 13.5, "My grandma's curry, she makes it super sweet.")
    mine(wh, Mining())

    assert [(p[0], p[3], p[2]) for p in pairs(wh)] == [("read", [read_id], answer_head + "My grandma's curry, she makes it super sweet.")]


def test_an_answer_that_repeats_a_question_is_not_a_read_of_it(wh):
    add_vod(wh)
    chat(wh, 5.0, "cloudy", "do you drink coffee")
    say(wh, 10.0, "No, I do not drink coffee, it makes me way too chaotic.")
    counts = mine(wh, Mining())

    assert counts["reads"] == 0


def test_an_answer_ends_at_a_long_pause_and_is_not_the_next_talk(wh):
    add_vod(wh)
    chat(wh, 1.0, "Yuki", "what is your favorite color")
    say(wh, 5.0, "what is your favorite color")
    end = say(wh, 7.5, "blue, definitely blue.")
    say(wh, end + 5.0, "anyway let me get some water")  # after a 5 s pause: not part of the answer
    mine(wh, Mining())

    assert [p[2] for p in pairs(wh)] == ["blue, definitely blue."]


def test_two_reads_in_one_turn_make_two_pairs(wh):
    add_vod(wh)
    a = chat(wh, 1.0, "Yuki", "do you like cats or dogs")
    b = chat(wh, 2.0, "Ren", "when is the next karaoke stream")
    t = say(wh, 5.0, "do you like cats or dogs")
    t = say(wh, t + 0.5, "cats of course, i have two cats")
    t = say(wh, t + 0.6, "when is the next karaoke stream")
    say(wh, t + 0.5, "probably saturday night if my voice is okay")
    mine(wh, Mining())

    assert [(p[3], p[2]) for p in pairs(wh)] == [([a], "cats of course, i have two cats"), ([b], "probably saturday night if my voice is okay")]


def test_the_same_message_read_twice_is_one_read(wh):
    add_vod(wh)
    m = chat(wh, 1.0, "Yuki", "what game are we playing tomorrow")
    t = say(wh, 4.0, "what game are we playing tomorrow")
    t = say(wh, t + 0.5, "i think horror games again")
    t = say(wh, t + 5.0, "what game are we playing tomorrow, i said horror")
    counts = mine(wh, Mining())

    assert counts["reads"] == 1 and [p[3] for p in pairs(wh) if p[0] == "read"] == [[m]]


def test_duplicate_messages_from_two_chatters_give_one_read(wh):
    add_vod(wh)
    chat(wh, 1.0, "Yuki", "can you sing a song for us")
    chat(wh, 2.0, "Ren", "can you sing a song for us")
    say(wh, 6.0, "can you sing a song for us")
    say(wh, 8.6, "not today, my throat hurts a bit")
    counts = mine(wh, Mining())

    assert counts["reads"] == 1 and counts["read"] == 1


def test_the_hive_merges_unread_questions_before_an_answer(wh):
    add_vod(wh)
    chat(wh, 1.0, "Yuki", "play minecraft next")
    chat(wh, 2.0, "Ren", "play minecraft next")
    chat(wh, 3.0, "Aki", "what game next stream??")
    chat(wh, 3.5, "Bo", "lol")
    say(wh, 8.0, "okay okay, next stream we play minecraft, i promise")
    mine(wh, Mining())

    ((method, prompt, response, ids),) = pairs(wh)
    assert method == "hive" and response == "okay okay, next stream we play minecraft, i promise"
    # one line per group of the same words (its latest message), in time order; "lol" shares nothing with the answer
    assert prompt == "chat: Ren: play minecraft next\nchat: Aki: what game next stream??"
    assert len(ids) == 3
    assert wh.con.execute("SELECT score FROM pairs").fetchall()[0][0] < Mining().min_read_score


def test_a_stretch_of_speech_gives_one_hive_pair_from_its_first_turn(wh):
    add_vod(wh)
    chat(wh, 1.0, "Yuki", "play minecraft next")
    chat(wh, 2.0, "Ren", "play minecraft next")
    end = say(wh, 8.0, "okay okay, next stream we play minecraft")
    chat(wh, end + 0.5, "Aki", "a cat farm would be cute")
    # a pause that starts a turn but does not end the stretch: the second turn's answer would be the end of the first one's
    assert Mining().turn_pause_s < 1.3 < Mining().answer_pause_s
    say(wh, end + 1.3, "and i will build a cat farm there")
    mine(wh, Mining())

    ((method, prompt, response, _),) = pairs(wh)
    assert method == "hive" and "play minecraft next" in prompt
    assert response == "okay okay, next stream we play minecraft and i will build a cat farm there"


def test_talk_with_no_related_chat_is_no_pair(wh):
    add_vod(wh)
    chat(wh, 1.0, "Bo", "hi hi")
    say(wh, 5.0, "so today i went to the park and watched the ducks")
    counts = mine(wh, Mining())
    assert counts["read"] == 0 and counts["hive"] == 0


def test_no_chat_and_chat_without_speech_give_no_pairs(wh):
    add_vod(wh, "speech_only")
    say(wh, 1.0, "just me talking about my day", video_id="speech_only")
    add_vod(wh, "chat_only")
    chat(wh, 1.0, "Yuki", "is anyone here at all", video_id="chat_only")
    counts = mine(wh, Mining())

    assert counts["reads"] == 0 and pairs(wh) == []
    aligned = wh.con.execute("SELECT video_id, current_phrase, next_phrase FROM chat_aligned").fetchall()
    assert aligned == [("chat_only", None, None)]


def test_only_zatsu_vods_are_mined_and_mining_twice_gives_the_same_pairs(wh):
    add_vod(wh)
    add_vod(wh, "solo", category="solo")
    chat(wh, 1.0, "Yuki", "what did you eat today", video_id="solo")
    say(wh, 3.0, "what did you eat today", video_id="solo")
    say(wh, 5.5, "ramen again, i love ramen", video_id="solo")
    chat(wh, 1.0, "Yuki", "what did you eat today")
    say(wh, 3.0, "what did you eat today")
    say(wh, 5.5, "ramen again, i love ramen")
    mine(wh, Mining())
    first = pairs(wh)
    mine(wh, Mining())
    assert pairs(wh) == first and {p[0] for p in first} == {"read"} and len(first) == 1


def stream(wh, video_id: str, food: str) -> None:
    """A VOD where Yuki's question is read aloud and answered, and chat before an unread answer."""
    add_vod(wh, video_id)
    chat(wh, 1.0, "Yuki", "what did you eat today", video_id=video_id)
    say(wh, 3.0, "what did you eat today", video_id=video_id)
    say(wh, 5.5, f"{food} again, i love {food}", video_id=video_id)
    chat(wh, 20.0, "Ren", "favorite game", video_id=video_id)
    chat(wh, 21.0, "Aoi", "favorite game", video_id=video_id)
    say(wh, 24.0, "my favorite game is still the old farming one", video_id=video_id)


MINED_TABLES = ("speech_words", "speech_phrases", "chat_aligned", "reads", "pairs")


def mined_rows(wh) -> dict[str, list[str]]:
    """Every mining table's rows, sorted, so that two runs compare as equal."""
    return {t: sorted(map(repr, wh.con.execute(f"SELECT * FROM {t}").fetchall())) for t in MINED_TABLES}


def test_a_rerun_mines_only_the_vods_that_changed_and_ends_as_a_full_rebuild_would(wh, tmp_path):
    stream(wh, "v1", "ramen")
    stream(wh, "v2", "curry")
    first = mine(wh, Mining())
    assert first["vods_mined"] == 2 and first["read"] == 2 and first["hive"] == 2
    before = mined_rows(wh)

    assert mine(wh, Mining())["vods_mined"] == 0 and mined_rows(wh) == before   # nothing changed: nothing mined

    stream(wh, "v3", "sushi")                                                   # a new VOD
    chat(wh, 30.0, "Mika", "did you sleep well", video_id="v1")                # v1's chat re-fetched with one more message
    say(wh, 33.0, "did you sleep well", video_id="v1")
    say(wh, 35.5, "no, the cat woke me up at five", video_id="v1")
    counts = mine(wh, Mining())
    assert counts["vods_mined"] == 2 and counts["vods"] == 3 and counts["read"] == 4

    wh.con.execute("DELETE FROM mined_videos")                                  # what a rebuild from scratch gives
    incremental = mined_rows(wh)
    assert mine(wh, Mining())["vods_mined"] == 3 and mined_rows(wh) == incremental


def test_a_vod_no_longer_zatsu_loses_its_rows_and_new_settings_mine_every_vod_again(wh):
    stream(wh, "v1", "ramen")
    stream(wh, "v2", "curry")
    mine(wh, Mining())
    wh.con.execute("UPDATE videos SET category = 'solo' WHERE video_id = 'v2'")
    counts = mine(wh, Mining())
    assert counts["vods_mined"] == 0 and counts["vods"] == 1
    assert {t: {r[0] for r in wh.con.execute(f"SELECT DISTINCT video_id FROM {t}").fetchall()} for t in MINED_TABLES} == dict.fromkeys(MINED_TABLES, {"v1"})

    counts = mine(wh, Mining(hive=False))
    assert counts["vods_mined"] == 1 and counts["hive"] == 0 and counts["read"] == 1


def test_the_mining_version_changes_with_the_settings_and_the_sql(monkeypatch):
    import chatclone.mining as mining

    version = mining.mining_params(Mining())["version"]
    assert mining.mining_params(Mining())["version"] == version
    assert mining.mining_params(Mining(hive_window_s=30))["version"] != version
    real = mining.load_sql
    monkeypatch.setattr(mining, "load_sql", lambda name: real(name) + ("\n-- a fix" if name == "reads" else ""))
    assert mining.mining_params(Mining())["version"] != version


def test_chat_is_aligned_to_the_phrase_in_progress_and_the_next_one(wh):
    add_vod(wh)
    say(wh, 1.0, "hello everyone")
    say(wh, 10.0, "welcome back")
    chat(wh, 0.5, "Mika", "early")        # before any speech
    chat(wh, 1.2, "Yuki", "hi")
    chat(wh, 5.0, "Ren", "yo")
    chat(wh, 10.0, "Aoi", "hey")          # exactly as a phrase starts: it is both
    chat(wh, 30.0, "Kai", "bye")          # after all speech
    mine(wh, Mining())
    rows = wh.con.execute("SELECT c.author_name, a.current_phrase, a.next_phrase FROM chat_aligned a "
                          "JOIN chat c USING (video_id, message_id) ORDER BY a.t_s").fetchall()
    assert rows == [("Mika", None, 1), ("Yuki", 1, 2), ("Ren", 1, 2), ("Aoi", 2, 2), ("Kai", 2, None)]


@pytest.mark.parametrize("scrub_pii", [True, False])
def test_exported_pairs_have_the_chats_pii_and_links_replaced_as_cleaning_says(wh, tmp_path, scrub_pii):
    from chatclone.config import PersonaConfig
    from chatclone.datasets import export

    add_vod(wh)
    chat(wh, 2.0, "Yuki", "ramen recipe please, mail it to yuki.fan@example.com")
    say(wh, 5.0, "okay the ramen recipe is simple, the broth is on https://example.org/broth")
    mine(wh, Mining())
    config = PersonaConfig(name="mika", speakers=[{"name": "mika"}], cleaning={"scrub_pii": scrub_pii})
    counts = export(wh, config, tmp_path / "ds")

    examples = [json.loads(line)["messages"] for name in ("sft.jsonl", "sft.val.jsonl", "sft.test.jsonl")
                for line in (tmp_path / "ds" / name).read_text(encoding="utf-8").splitlines()]
    [(_, user, assistant)] = examples
    assert ("yuki.fan@example.com" in user["content"]) is not scrub_pii
    assert ("<email>" in user["content"]) is scrub_pii and counts.get("scrubbed_email", 0) == scrub_pii
    assert assistant["content"] == "okay the ramen recipe is simple, the broth is on <link>" and counts["scrubbed_link"] == 1
