import json

from chatclone.config import Scenario
from chatclone.persona_metrics.scenarios import merge, replay, to_markdown, write_transcripts
from chatclone.serving.generation import Completion


class EchoPersona:
    """Answers each message with what it heard and the seed it was given, and remembers the calls."""

    def __init__(self, name: str):
        self.name, self.calls = name, []

    def complete(self, messages, **kwargs):
        self.calls.append(([dict(m) for m in messages], kwargs))
        return Completion(f"{self.name} heard '{messages[-1]['content']}' (seed {kwargs['seed']})", "stop", 1, 1)


SCENARIO = Scenario(name="small talk", messages=["morning!", "plans for the weekend?"])


def test_a_replay_answers_each_message_with_the_conversation_so_far():
    persona = EchoPersona("tuned")
    transcript = replay(persona, SCENARIO, temperature=0.7, top_p=0.9, max_tokens=20, seed=10)
    assert [m["role"] for m in transcript] == ["user", "assistant", "user", "assistant"]
    assert transcript[3]["content"] == "tuned heard 'plans for the weekend?' (seed 11)"
    second_context, kwargs = persona.calls[1]
    assert len(second_context) == 3 and second_context[1]["role"] == "assistant"
    assert kwargs == {"temperature": 0.7, "top_p": 0.9, "max_tokens": 20, "seed": 11}


def test_merged_transcripts_put_each_sides_reply_under_the_same_message():
    sides = {s: [{"name": SCENARIO.name, "messages": replay(EchoPersona(s), SCENARIO, 0.7, 0.9, 20, 0)}] for s in ("base", "tuned")}
    merged = merge(sides)
    assert merged[0]["name"] == "small talk"
    assert merged[0]["turns"][0] == {"user": "morning!", "base": "base heard 'morning!' (seed 0)", "tuned": "tuned heard 'morning!' (seed 0)"}


def test_transcripts_are_written_as_json_and_markdown(tmp_path):
    merged = [{"name": "rude message", "turns": [{"user": "you're boring", "base": "Sorry.", "tuned": "ok rude\nbut fair"}]}]
    json_path, md_path = write_transcripts("run-1", merged, tmp_path)
    assert json.loads(json_path.read_text())["scenarios"] == merged
    markdown = md_path.read_text()
    assert "## rude message" in markdown and "**tuned:** ok rude  \nbut fair" in markdown and "**base:** Sorry." in markdown
    assert "*(no reply)*" in to_markdown("r", [{"name": "x", "turns": [{"user": "hi", "base": "", "tuned": "yo"}]}])
