"""The blind test: drawing items, recording answers, the summary `chatclone eval` shows, the HTTP app and the CLI."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from chatclone.blindtest import (
    BlindTest,
    BlindTestError,
    answers_path,
    check_loopback,
    is_loopback,
    load_items,
    read_answers,
    record_answer,
    resolve_run,
    summary,
)
from chatclone.errors import ChatcloneError
from chatclone.serving.blindtest_app import COOKIE, create_app
from factories import make_run
from live_server import LiveServer, free_port

RUN = "run-1"


def item(i: int, **fields) -> dict:
    """A replies.jsonl line as `chatclone eval` writes it; no reply text says which one it is."""
    return {
        "id": f"item-{i}",
        "messages": [
            {"role": "system", "content": "You are Mika."},
            {"role": "user", "content": f"Yuki: what did you do today? ({i})"},
            {"role": "assistant", "content": "slept mostly lol"},
            {"role": "user", "content": f"Ren: any plans for the weekend? ({i})"},
        ],
        "real": f"probably gaming all night, number {i}",
        "tuned": f"idk maybe a walk if it stops raining, number {i}",
        "base": "As an AI, I do not have weekends.",
        **fields,
    }


def write_replies(root, lines, run: str = RUN):
    path = root / "reports" / "eval" / run / "replies.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def ws(tmp_path):
    write_replies(tmp_path, [item(i) for i in range(4)])
    return tmp_path


def pick(test: BlindTest, session: str, real: bool):
    """Answer the session's next item, clicking the real reply or the double's."""
    draw = test.next_for(session)
    it = next(i for i in test.items if i.real in (c.text for c in draw.choices))
    wanted = it.real if real else it.tuned
    token = next(c.token for c in draw.choices if c.text == wanted)
    return it, test.answer(session, draw.item_token, token)


# --- the library -------------------------------------------------------------------------


def test_a_session_gets_every_item_once_then_none(ws):
    test = BlindTest(ws, RUN)
    seen = []
    for _ in range(4):
        it, _ = pick(test, "session-a", real=True)
        seen.append(it.id)
    assert sorted(seen) == [f"item-{i}" for i in range(4)]
    assert test.next_for("session-a") is None
    assert test.next_for("session-b").answered == 0  # another session starts from scratch


def test_the_next_item_is_one_the_session_has_not_answered(ws):
    test = BlindTest(ws, RUN)
    first, _ = pick(test, "session-a", real=False)
    draw = test.next_for("session-a")
    assert first.real not in [c.text for c in draw.choices]
    assert draw.answered == 1 and draw.total == 4


def test_a_draw_is_stable_for_a_session(ws):
    test = BlindTest(ws, RUN)
    assert test.next_for("session-a") == test.next_for("session-a")
    assert BlindTest(ws, RUN).next_for("session-a") == test.next_for("session-a")  # the key lives in the workspace


def test_the_real_reply_is_on_either_side(ws):
    test = BlindTest(ws, RUN)
    firsts = set()
    for s in range(40):
        draw = test.next_for(f"session-{s}")
        firsts.add(draw.choices[0].text.startswith("probably"))
    assert firsts == {True, False}


def test_tokens_are_opaque_and_differ_between_sessions(ws):
    test = BlindTest(ws, RUN)
    a, b = test.next_for("session-a"), test.next_for("session-b")
    for token in (a.item_token, *(c.token for c in a.choices)):
        assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert {c.token for c in a.choices}.isdisjoint(c.token for c in b.choices)


def test_the_context_shown_leaves_out_the_system_prompt(ws):
    draw = BlindTest(ws, RUN).next_for("session-a")
    assert [m["role"] for m in draw.context] == ["user", "assistant", "user"]
    assert draw.context[-1]["content"].startswith("Ren: any plans")


def test_an_answer_is_recorded_with_whether_the_real_reply_was_picked(ws):
    test = BlindTest(ws, RUN)
    right, verdict_right = pick(test, "session-a", real=True)
    wrong, verdict_wrong = pick(test, "session-a", real=False)
    assert (verdict_right.correct, verdict_wrong.correct) == (True, False)
    lines = [json.loads(line) for line in answers_path(ws).read_text().splitlines()]
    assert [(a["item_id"], a["guessed_real"], a["session"], a["run"]) for a in lines] == [
        (right.id, True, "session-a", RUN), (wrong.id, False, "session-a", RUN)]
    assert lines[0]["at"].endswith("+00:00")


def test_a_second_answer_to_the_same_item_is_refused(ws):
    test = BlindTest(ws, RUN)
    draw = test.next_for("session-a")
    test.answer("session-a", draw.item_token, draw.choices[0].token)
    with pytest.raises(BlindTestError, match="already answered"):
        test.answer("session-a", draw.item_token, draw.choices[1].token)
    assert summary(ws, RUN)["answers"] == 1


def test_tokens_of_another_session_are_refused(ws):
    test = BlindTest(ws, RUN)
    draw = test.next_for("session-a")
    with pytest.raises(BlindTestError, match="item token"):
        test.answer("session-b", draw.item_token, draw.choices[0].token)
    other = test.next_for("session-b")
    with pytest.raises(BlindTestError, match="choice token"):
        test.answer("session-a", draw.item_token, other.choices[0].token)
    assert read_answers(ws) == []


def test_summary_counts_the_answers_of_its_run_only(ws):
    record_answer(ws, RUN, "item-0", "s1", True)
    record_answer(ws, RUN, "item-1", "s1", False)
    record_answer(ws, RUN, "item-0", "s2", True)
    record_answer(ws, "run-2", "item-0", "s1", False)
    assert summary(ws, RUN) == {"answers": 3, "correct": 2, "share_correct": 2 / 3, "sessions": 2, "run": RUN}
    assert summary(ws, "run-2")["share_correct"] == 0.0


def test_summary_before_any_answer_has_no_share(tmp_path):
    assert summary(tmp_path, RUN) == {"answers": 0, "correct": 0, "share_correct": None, "sessions": 0, "run": RUN}


def test_a_torn_last_line_is_skipped_and_cut_before_the_next_answer(ws):
    record_answer(ws, RUN, "item-0", "s1", True)
    with open(answers_path(ws), "a", encoding="utf-8") as f:
        f.write('{"run": "run-1", "item_id": "item-1", "sess')
    assert summary(ws, RUN)["answers"] == 1
    record_answer(ws, RUN, "item-2", "s1", False)
    lines = answers_path(ws).read_text().splitlines()
    assert [json.loads(line)["item_id"] for line in lines] == ["item-0", "item-2"]


def test_a_bad_line_before_the_last_names_the_file_and_line(ws):
    path = answers_path(ws)
    path.parent.mkdir(parents=True)
    path.write_text('{"run": "run-1", "item_id": "item-0", "session": "s", "guessed_real": true}\nnot json\n{"run": "run-1"}\n')
    with pytest.raises(BlindTestError, match=re.escape(f"{path}:2")):
        summary(ws, RUN)


def test_missing_replies_ask_for_chatclone_eval(tmp_path):
    with pytest.raises(BlindTestError) as e:
        load_items(tmp_path, "run-9")
    assert str(tmp_path / "reports" / "eval" / "run-9" / "replies.jsonl") in str(e.value)
    assert "run `chatclone eval` first" in str(e.value)


@pytest.mark.parametrize(("line", "problem"), [
    ("{not json", "not valid JSON"),
    (json.dumps({k: v for k, v in item(1).items() if k != "tuned"}), "'tuned' must be a string"),
    (json.dumps(item(1, messages=[])), "'messages' must be a non-empty list"),
    (json.dumps(item(1, messages=[{"role": "bot", "content": "x"}])), "role"),
    (json.dumps(item(0)), "appears twice"),
])
def test_malformed_replies_name_the_file_and_line(tmp_path, line, problem):
    path = write_replies(tmp_path, [item(0), line])
    with pytest.raises(BlindTestError, match=re.escape(f"{path}:2: ") + ".*" + re.escape(problem)):
        load_items(tmp_path, RUN)


def test_the_default_run_is_the_latest_training_run(tmp_path):
    make_run(tmp_path / "models", "base", None, name="run-7")
    assert resolve_run(tmp_path, None) == "run-7"
    assert resolve_run(tmp_path, "run-3") == "run-3"
    with pytest.raises(ChatcloneError, match="chatclone train"):
        resolve_run(tmp_path / "elsewhere", None)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost", "LOCALHOST"])
def test_loopback_hosts_are_allowed(host):
    assert is_loopback(host)
    check_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "example.com", "localhost.example.com", ""])
def test_other_hosts_are_refused(host):
    assert not is_loopback(host)
    with pytest.raises(BlindTestError, match="loopback only"):
        check_loopback(host)


# --- the app ----------------------------------------------------------------------------


def client(ws, persona: str = "Mika") -> TestClient:
    return TestClient(create_app(BlindTest(ws, RUN), persona), base_url="http://127.0.0.1:8765")


def test_the_page_and_the_next_item_say_nothing_of_which_reply_is_real(ws):
    c = client(ws)
    page = c.get("/")
    assert page.status_code == 200 and COOKIE in page.cookies
    assert "tuned" not in page.text.lower()
    assert not re.search(r"<[^>]*real[^>]*>", page.text, re.IGNORECASE)  # no tag or attribute names a side
    nxt = c.get("/api/next")
    assert not re.search(r"real|tuned", nxt.text, re.IGNORECASE)
    body = nxt.json()
    assert set(body) == {"done", "item", "context", "choices", "answered", "total"}
    assert all(set(choice) == {"token", "text"} for choice in body["choices"])
    assert {choice["text"][:8] for choice in body["choices"]} == {"probably", "idk mayb"}


def test_the_page_loads_nothing_from_elsewhere(ws):
    page = client(ws).get("/")
    assert not re.search(r"(src|href)\s*=|https?://|@import|url\(", page.text, re.IGNORECASE)
    assert page.headers["content-security-policy"].startswith("default-src 'none'")


def test_the_page_escapes_what_it_renders(ws):
    page = client(ws, persona='<script>alert("x")</script>').get("/")
    assert '<script>alert("x")' not in page.text
    assert "&lt;script&gt;alert(" in page.text


def test_an_answer_returns_whether_it_was_right_and_the_score(ws):
    c = client(ws)
    c.get("/")
    body = c.get("/api/next").json()
    real_token = next(ch["token"] for ch in body["choices"] if ch["text"].startswith("probably"))
    answered = c.post("/api/answer", json={"item": body["item"], "choice": real_token})
    assert answered.status_code == 200
    assert answered.json() == {"correct": True, "score": {"you": {"answers": 1, "correct": 1}, "everyone": summary(ws, RUN)}}
    assert c.get("/api/score").json()["everyone"]["share_correct"] == 1.0
    assert read_answers(ws)[0]["guessed_real"] is True


def test_wrong_tokens_are_400_and_record_nothing(ws):
    c = client(ws)
    c.get("/")
    body = c.get("/api/next").json()
    for payload in ({"item": "0" * 32, "choice": body["choices"][0]["token"]},
                    {"item": body["item"], "choice": "f" * 32},
                    {"item": body["item"], "choice": "real"},
                    {"item": body["item"]}):
        assert c.post("/api/answer", json=payload).status_code == 400, payload
    assert c.post("/api/answer", content=b"{oops", headers={"content-type": "application/json"}).status_code == 400
    assert read_answers(ws) == []


def test_an_answer_without_a_session_cookie_is_400(ws):
    c = client(ws)
    body = c.get("/api/next").json()
    c.cookies.clear()
    assert c.post("/api/answer", json={"item": body["item"], "choice": body["choices"][0]["token"]}).status_code == 400


def test_a_double_click_counts_once(ws):
    c = client(ws)
    body = c.get("/api/next").json()
    payload = {"item": body["item"], "choice": body["choices"][0]["token"]}
    assert c.post("/api/answer", json=payload).status_code == 200
    assert c.post("/api/answer", json=payload).status_code == 409
    assert summary(ws, RUN)["answers"] == 1


def test_a_session_that_answered_everything_is_told_so(tmp_path):
    write_replies(tmp_path, [item(0)])
    c = client(tmp_path)
    body = c.get("/api/next").json()
    c.post("/api/answer", json={"item": body["item"], "choice": body["choices"][1]["token"]})
    assert c.get("/api/next").json() == {"done": True, "answered": 1, "total": 1}


def test_requests_addressed_to_another_host_name_are_refused(ws):
    app = create_app(BlindTest(ws, RUN))
    assert TestClient(app, base_url="http://rebound.example.com:8765").get("/api/next").status_code == 421
    assert TestClient(app, base_url="http://localhost:8765").get("/api/next").status_code == 200


def test_answers_persist_across_server_restarts(ws):
    with LiveServer(create_app(BlindTest(ws, RUN))) as server, httpx.Client(base_url=server.url) as http:
        http.get("/")
        first = http.get("/api/next").json()
        assert http.post("/api/answer", json={"item": first["item"], "choice": first["choices"][0]["token"]}).status_code == 200
        cookie = http.cookies[COOKIE]
    with LiveServer(create_app(BlindTest(ws, RUN))) as server, httpx.Client(base_url=server.url, cookies={COOKIE: cookie}) as http:
        assert http.get("/api/score").json()["you"]["answers"] == 1
        second = http.get("/api/next").json()
        assert second["answered"] == 1 and second["item"] != first["item"]
        # a token handed out before the restart still works: the key lives in the workspace
        assert http.post("/api/answer", json={"item": first["item"], "choice": first["choices"][0]["token"]}).status_code == 409
    assert summary(ws, RUN)["answers"] == 1


# --- the CLI ----------------------------------------------------------------------------


def cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "chatclone", *args], capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture
def cli_ws(tmp_path):
    root = tmp_path / "ws"
    assert cli("init", "mika", "--speaker", "Mika", "-w", str(root)).returncode == 0
    return root


def test_cli_refuses_a_non_loopback_host_in_one_line(cli_ws):
    write_replies(cli_ws, [item(0)])
    proc = cli("blindtest", "--run", RUN, "--host", "0.0.0.0", "-w", str(cli_ws))
    assert proc.returncode != 0
    assert proc.stderr.startswith("error: --host 0.0.0.0") and proc.stderr.strip().count("\n") == 0


def test_cli_without_replies_says_to_run_eval_first(cli_ws):
    proc = cli("blindtest", "--run", RUN, "-w", str(cli_ws))
    assert proc.returncode != 0
    assert "run `chatclone eval` first" in proc.stderr and proc.stderr.strip().count("\n") == 0


def test_cli_serves_the_page_on_loopback_until_interrupted(cli_ws):
    write_replies(cli_ws, [item(0), item(1)])
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "chatclone", "blindtest", "--run", RUN, "--port", str(port), "-w", str(cli_ws)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/")
                break
            except httpx.ConnectError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() is not None else "no server"
                time.sleep(0.2)
        assert page.status_code == 200 and "Can you tell?" in page.text
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert f"http://127.0.0.1:{port}/" in out and "2 prompts" in out
    assert "Traceback" not in err
