"""The blind test ("can you tell?"): people see a held-out prompt and two replies, the person's real
one and the double's, and pick the one they think is real.

Items come from `reports/eval/<run>/replies.jsonl` (written by `chatclone eval`); answers are
appended to `blindtest/answers.jsonl` in the workspace, one JSON object a line:
{"run", "item_id", "session", "guessed_real", "at"}. `summary()` counts them: a share of right
guesses near 50% means nobody can tell the double from the person.

Which side is real, and which token means which reply, is derived from a random key kept in
`blindtest/key` and never sent to a client, so the page source gives nothing away:

    test = BlindTest(workspace_root, "run-1")
    draw = test.next_for(session)            # None once the session has answered every item
    verdict = test.answer(session, draw.item_token, draw.choices[0].token)
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import random
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from chatclone.errors import ChatcloneError
from chatclone.runs import find_run
from chatclone.workspace import Workspace

KEY_BYTES = 32
CONTEXT_MESSAGES = 6  # the last few messages of a prompt's context shown above the two replies
_LOCKS: dict[Path, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


class BlindTestError(ChatcloneError):
    """The blind test cannot start or an answer cannot be taken (missing replies, a bad token)."""


class AlreadyAnswered(BlindTestError):
    """The session has answered this item before; the second answer is not counted."""


@dataclass(frozen=True)
class Item:
    """One held-out prompt: its context messages (the last is the prompt) and the two replies."""

    id: str
    messages: tuple[dict, ...]
    real: str
    tuned: str


@dataclass(frozen=True)
class Choice:
    """A reply as the page shows it: its text and an opaque token that stands for it."""

    token: str
    text: str


@dataclass(frozen=True)
class Draw:
    """The next item for a session: an opaque item token, the context to show and the two replies in display order."""

    item_token: str
    context: list[dict]
    choices: tuple[Choice, Choice]
    answered: int
    total: int


@dataclass(frozen=True)
class Verdict:
    """What an answer was: right or not, and the answer record written."""

    correct: bool
    record: dict


def replies_path(workspace_root: Path | str, run_name: str) -> Path:
    """Where `chatclone eval` writes the replies of run `run_name`."""
    return Workspace(Path(workspace_root)).reports / "eval" / run_name / "replies.jsonl"


def answers_path(workspace_root: Path | str) -> Path:
    """The workspace's answer log (all runs, all sessions)."""
    return Path(workspace_root) / "blindtest" / "answers.jsonl"


def resolve_run(workspace_root: Path | str, run_name: str | None) -> str:
    """`run_name` as given, else the name of the latest training run; raise ChatcloneError when there is none."""
    if run_name:
        return run_name
    return find_run(Workspace(Path(workspace_root)).models).name


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_loopback(host: str) -> None:
    """Raise BlindTestError unless `host` is a loopback address: the page shows chat logs to whoever can reach it."""
    if not is_loopback(host):
        raise BlindTestError(f"--host {host}: the blind test shows chat logs, so it listens on loopback only (127.0.0.1, ::1 or localhost)")


def _item(obj, where: str) -> Item:
    if not isinstance(obj, dict):
        raise BlindTestError(f"{where}: expected a JSON object")
    for key in ("id", "real", "tuned"):
        if not isinstance(obj.get(key), str):
            raise BlindTestError(f"{where}: '{key}' must be a string")
    messages = obj.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BlindTestError(f"{where}: 'messages' must be a non-empty list")
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant") or not isinstance(m.get("content"), str):
            raise BlindTestError(f"{where}: each message needs a role (system, user or assistant) and string content")
    return Item(obj["id"], tuple({"role": m["role"], "content": m["content"]} for m in messages), obj["real"], obj["tuned"])


def load_items(workspace_root: Path | str, run_name: str) -> list[Item]:
    """The items of run `run_name` in file order; raise BlindTestError naming the file (and line) when it is missing or malformed."""
    path = replies_path(workspace_root, run_name)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise BlindTestError(f"{path}: no replies for run '{run_name}'; run `chatclone eval` first") from None
    except UnicodeDecodeError:
        raise BlindTestError(f"{path}: not UTF-8 text") from None
    items, seen = [], set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise BlindTestError(f"{path}:{n}: not valid JSON ({e.msg})") from None
        item = _item(obj, f"{path}:{n}")
        if item.id in seen:
            raise BlindTestError(f"{path}:{n}: id '{item.id}' appears twice")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise BlindTestError(f"{path}: no replies in it; run `chatclone eval` again")
    return items


def read_answers(workspace_root: Path | str, run_name: str | None = None) -> list[dict]:
    """The answers recorded so far (of run `run_name` only, when given); a torn last line is skipped, any other bad line raises BlindTestError."""
    path = answers_path(workspace_root)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    lines = data.split(b"\n")
    answers = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            ok = isinstance(record, dict) and isinstance(record.get("guessed_real"), bool) and isinstance(record.get("item_id"), str)
        except ValueError:  # bad JSON or bad UTF-8
            ok = False
        if not ok:
            if n == len(lines):  # a write cut short by a crash: no newline after it
                continue
            raise BlindTestError(f"{path}:{n}: not an answer record; fix or delete that line")
        if run_name is None or record.get("run") == run_name:
            answers.append(record)
    return answers


def _lock(path: Path) -> threading.RLock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path.resolve(), threading.RLock())


def record_answer(workspace_root: Path | str, run_name: str, item_id: str, session: str, guessed_real: bool) -> dict:
    """Append one answer to the answer log (flushed and fsynced) and return the record written."""
    record = {"run": run_name, "item_id": item_id, "session": session, "guessed_real": bool(guessed_real),
              "at": datetime.now(UTC).isoformat(timespec="seconds")}
    path = answers_path(workspace_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock(path), open(path, "a+b") as f:
        f.seek(0, os.SEEK_END)
        if f.tell():
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":  # a torn last line from a crash: drop it, or this record would be glued to it
                f.seek(0)
                head = f.read()
                f.truncate(head.rfind(b"\n") + 1)
        f.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        f.flush()
        os.fsync(f.fileno())
    return record


def summary(workspace_root: Path | str, run_name: str) -> dict:
    """The blind test's result for run `run_name`: {"answers", "correct", "share_correct" (None before any answer), "sessions", "run"}."""
    answers = read_answers(workspace_root, run_name)
    correct = sum(a["guessed_real"] for a in answers)
    return {"answers": len(answers), "correct": correct, "share_correct": correct / len(answers) if answers else None,
            "sessions": len({a.get("session") for a in answers}), "run": run_name}


def _load_key(workspace_root: Path) -> bytes:
    path = Path(workspace_root) / "blindtest" / "key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes()
        if len(key) != KEY_BYTES:
            raise BlindTestError(f"{path}: not a blind-test key ({KEY_BYTES} bytes); delete it and a new one is made") from None
        return key
    key = secrets.token_bytes(KEY_BYTES)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


def context_for_display(messages: tuple[dict, ...] | list[dict], n: int = CONTEXT_MESSAGES) -> list[dict]:
    """The last `n` non-system messages of a context, as {"role", "content"} (the system prompt says nothing to a judge)."""
    return [dict(m) for m in messages if m["role"] != "system"][-n:]


class BlindTest:
    """One run's blind test: its items, the secret key that orders and names the replies, and the answer log."""

    def __init__(self, workspace_root: Path | str, run_name: str):
        """Load the run's items (BlindTestError when replies.jsonl is missing or malformed) and the workspace's key."""
        self.root = Path(workspace_root)
        self.run = run_name
        self.items = load_items(self.root, run_name)
        self._by_id = {item.id: item for item in self.items}
        self._key = _load_key(self.root)

    def _mac(self, *parts: str) -> bytes:
        msg = "\x1f".join((self.run, *parts)).encode()
        return hmac.new(self._key, msg, hashlib.sha256).digest()

    def _token(self, *parts: str) -> str:
        return self._mac(*parts)[:16].hex()

    def _real_first(self, session: str, item_id: str) -> bool:
        # A seeded draw per (session, item): the same on a reload, unknowable without the key.
        return random.Random(self._mac("order", session, item_id)).random() < 0.5

    def answered_ids(self, session: str) -> set[str]:
        """The ids of this run's items `session` has answered."""
        return {a["item_id"] for a in read_answers(self.root, self.run) if a.get("session") == session}

    def next_for(self, session: str) -> Draw | None:
        """The next item `session` has not answered (in an order shuffled per session), or None when it has answered them all."""
        done = self.answered_ids(session)
        left = [item for item in self.items if item.id not in done]
        if not left:
            return None
        item = min(left, key=lambda it: self._mac("rank", session, it.id))
        real = Choice(self._token("choice", session, item.id, "real"), item.real)
        tuned = Choice(self._token("choice", session, item.id, "tuned"), item.tuned)
        choices = (real, tuned) if self._real_first(session, item.id) else (tuned, real)
        return Draw(self._token("item", session, item.id), context_for_display(item.messages), choices,
                    answered=len(self.items) - len(left), total=len(self.items))

    def _item_for_token(self, session: str, item_token: str) -> Item | None:
        for item in self.items:
            if hmac.compare_digest(self._token("item", session, item.id), item_token):
                return item
        return None

    def answer(self, session: str, item_token: str, choice_token: str) -> Verdict:
        """Record that `session` picked `choice_token` for `item_token`; raise BlindTestError for tokens this session was not given or an item it already answered."""
        item = self._item_for_token(session, item_token)
        if item is None:
            raise BlindTestError("unknown item token for this session; reload the page")
        if hmac.compare_digest(self._token("choice", session, item.id, "real"), choice_token):
            guessed_real = True
        elif hmac.compare_digest(self._token("choice", session, item.id, "tuned"), choice_token):
            guessed_real = False
        else:
            raise BlindTestError("unknown choice token for this item; reload the page")
        with _lock(answers_path(self.root)):  # check-then-append as one step: a double click counts once
            if item.id in self.answered_ids(session):
                raise AlreadyAnswered("this item is already answered in this session")
            record = record_answer(self.root, self.run, item.id, session, guessed_real)
        return Verdict(guessed_real, record)

    def session_score(self, session: str) -> dict:
        """How `session` did on this run: {"answers", "correct"}."""
        mine = [a for a in read_answers(self.root, self.run) if a.get("session") == session]
        return {"answers": len(mine), "correct": sum(a["guessed_real"] for a in mine)}
