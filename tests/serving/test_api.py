"""The OpenAI-compatible API, served by a real uvicorn on 127.0.0.1 and called with the `openai` package and raw HTTP."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import openai
import pytest
from chatclone.serving.api import create_app
from chatclone.serving.generation import Persona
from live_server import LiveServer

KEY = "test-api-key-for-chatclone"


def Server(personas: dict[str, Persona], api_key: str | None = None, max_waiting: int = 16) -> LiveServer:
    """uvicorn serving create_app(...) in a thread on a free port, stopped on exit."""
    return LiveServer(create_app(personas, api_key, max_waiting))


@pytest.fixture(scope="module")
def two_personas(loaded_persona, persona_config):
    """The test persona twice: as "Mika" and, sharing the model, as "Rin" with its own settings."""
    rin = Persona(loaded_persona.model, loaded_persona.tokenizer, persona_config.model_copy(update={"name": "Rin"}),
                  run_name="rin-run", base_model="bundled:smollm2-135m")
    return {"Mika": loaded_persona, "Rin": rin}


@pytest.fixture(scope="module")
def server(two_personas):
    with Server(two_personas, api_key=KEY) as s:
        yield s


@pytest.fixture
def client(server):
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=KEY, max_retries=0, timeout=60)


def test_models_lists_the_personas_and_health_needs_no_key(server, client):
    assert [m.id for m in client.models.list().data] == ["Mika", "Rin"]
    health = httpx.get(f"{server.url}/health").json()
    assert health["status"] == "ok" and health["personas"] == ["Mika", "Rin"]


def test_the_openai_client_streams_a_reply_that_matches_the_non_streamed_one(client):
    messages = [{"role": "user", "content": "Hi! What do you like to eat?"}]
    whole = client.chat.completions.create(model="Mika", messages=messages, max_tokens=16)
    assert whole.object == "chat.completion" and whole.choices[0].message.role == "assistant"
    assert whole.choices[0].message.content.strip() and whole.choices[0].finish_reason in ("stop", "length")
    assert whole.usage.completion_tokens > 0 and whole.usage.total_tokens == whole.usage.prompt_tokens + whole.usage.completion_tokens

    chunks = list(client.chat.completions.create(model="Mika", messages=messages, max_tokens=16, stream=True,
                                                 stream_options={"include_usage": True}))
    pieces = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert len([p for p in pieces if p]) >= 2, "the reply came in one piece: not streamed"
    assert "".join(pieces) == whole.choices[0].message.content  # greedy: the same reply either way
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == whole.choices[0].finish_reason
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens


def test_max_tokens_cuts_the_reply_with_finish_reason_length(client):
    reply = client.chat.completions.create(model="Rin", messages=[{"role": "user", "content": "Tell me a long story about a cat."}], max_tokens=3)
    assert reply.choices[0].finish_reason == "length" and reply.usage.completion_tokens == 3


def test_a_stop_string_ends_the_reply_before_it(client):
    messages = [{"role": "user", "content": "Hi! What do you like to eat?"}]
    full = client.chat.completions.create(model="Mika", messages=messages, max_tokens=16).choices[0].message.content
    word = full.split()[2]
    cut = client.chat.completions.create(model="Mika", messages=messages, max_tokens=16, stop=[word]).choices[0].message.content
    assert word not in cut and full.startswith(cut) and cut.strip()


def test_the_wrong_key_gets_401_with_an_openai_error_body(server):
    bad = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as e:
        bad.models.list()
    assert e.value.status_code == 401 and e.value.body["code"] == "invalid_api_key"
    assert httpx.get(f"{server.url}/v1/models").status_code == 401  # no key at all


@pytest.mark.parametrize(("body", "param"), [
    ({"model": "Mika"}, "messages"),
    ({"model": "Mika", "messages": []}, "messages"),
    ({"model": "Mika", "messages": [{"role": "wizard", "content": "hi"}]}, "messages.0.role"),
    ({"model": "Mika", "messages": [{"role": "user", "content": "hi"}], "temperature": 5}, "temperature"),
    ({"model": "Mika", "messages": [{"role": "user", "content": "hi"}], "n": 2}, "n"),
    ({"model": "Mika", "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}, "messages"),
])
def test_malformed_requests_get_400_naming_the_parameter(server, body, param):
    r = httpx.post(f"{server.url}/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param and error["message"]


def test_bad_json_gets_400_and_an_unknown_model_404(server):
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    r = httpx.post(f"{server.url}/v1/chat/completions", content=b"{not json", headers=headers)
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    r = httpx.post(f"{server.url}/v1/chat/completions", json={"model": "Nobody", "messages": [{"role": "user", "content": "hi"}]}, headers=headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"


def test_concurrent_requests_to_two_personas_all_complete(client):
    def ask(i: int) -> str:
        model = ("Mika", "Rin")[i % 2]
        reply = client.chat.completions.create(model=model, messages=[{"role": "user", "content": f"Say something about the number {i}."}],
                                               max_tokens=8, stream=i % 3 == 0)
        if i % 3 == 0:
            return "".join(c.choices[0].delta.content or "" for c in reply if c.choices)
        return reply.choices[0].message.content

    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(ask, range(6)))
    assert len(replies) == 6 and all(r.strip() for r in replies)


def test_over_the_waiting_limit_requests_get_429(loaded_persona):
    with Server({"Mika": loaded_persona}, max_waiting=1) as s:
        body = {"model": "Mika", "messages": [{"role": "user", "content": "Tell me about your day."}], "max_tokens": 24, "temperature": 0}
        with ThreadPoolExecutor(4) as pool:
            codes = sorted(pool.map(lambda _: httpx.post(f"{s.url}/v1/chat/completions", json=body, timeout=60).status_code, range(4)))
        assert codes[0] == 200 and 429 in codes
        assert httpx.post(f"{s.url}/v1/chat/completions", json=body, timeout=60).status_code == 200  # the slot is free again


def test_the_stream_is_server_sent_events_ending_with_done(server):
    body = {"model": "Mika", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 6, "stream": True}
    with httpx.stream("POST", f"{server.url}/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [line[len("data: "):] for line in r.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"} and len({c["id"] for c in chunks}) == 1
