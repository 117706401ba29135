from chatclone.persona_metrics.heldout import held_out_prompts, other_lines, persona_lines, speaker_lines, without_placeholders
from factories import conversation

TALK = [
    conversation("Ren: you up?\nYuki: she's never up", "yeah lol", "Ren: what are you doing", "watching <link> again"),
    conversation("lunch tomorrow?", "sure, the usual place"),
    [{"role": "system", "content": "You are Mika."}, {"role": "assistant", "content": "anyone here?"}, {"role": "user", "content": "me"},
     {"role": "assistant", "content": "<image>"}],
]


def test_each_reply_after_a_user_turn_is_a_prompt_with_the_turns_before_it():
    prompts = held_out_prompts(TALK, "test", limit=10, seed=0)
    assert [p.id for p in prompts] == ["test-0-2", "test-0-4", "test-1-2"]
    second = prompts[1]
    assert second.real == "watching again"
    assert [m["role"] for m in second.context] == ["user", "assistant", "user"]
    assert second.context[-1]["content"] == "Ren: what are you doing"


def test_a_reply_that_opens_the_conversation_or_is_only_a_placeholder_is_no_prompt():
    ids = [p.id for p in held_out_prompts(TALK, "test", limit=10, seed=0)]
    assert not any(i.startswith("test-2-") for i in ids)


def test_the_prompt_sample_is_seeded_and_keeps_file_order():
    many = [conversation(f"question {i}?", f"answer {i}") for i in range(30)]
    first = held_out_prompts(many, "val", limit=7, seed=3)
    assert [p.id for p in first] == [p.id for p in held_out_prompts(many, "val", limit=7, seed=3)]
    assert len(first) == 7 and [p.id for p in first] == sorted((p.id for p in first), key=lambda i: int(i.split("-")[1]))
    assert [p.id for p in held_out_prompts(many, "val", limit=7, seed=4)] != [p.id for p in first]


def test_speaker_lines_drop_names_and_keep_continuation_lines():
    assert speaker_lines("Ren: hi\nand bye\nYuki: yo") == ["hi\nand bye", "yo"]
    assert speaker_lines("just one person talking") == ["just one person talking"]


def test_stream_chat_lines_lose_both_the_chat_and_the_viewer_name():
    assert speaker_lines("chat: @yuki_snow: what did you eat today?\nchat: kai: first") == ["what did you eat today?", "first"]


def test_persona_and_other_lines_come_from_their_own_turns():
    assert persona_lines(TALK) == ["yeah lol", "watching again", "sure, the usual place", "anyone here?"]
    assert other_lines(TALK) == ["you up?", "she's never up", "what are you doing", "lunch tomorrow?", "me"]


def test_placeholders_are_removed_and_the_space_tidied():
    assert without_placeholders("look <image> !") == "look!"
    assert without_placeholders("<link>") == ""
