"""Who the Discord bot answers: each server's allow and deny lists of users, roles and channels.

Server admins set them with `/permissions`; they live in the workspace as JSON
(`bot/permissions.json`), rewritten atomically on every change. Ids are kept as strings, as
Discord writes snowflakes in JSON.

Rules, per server: deny wins over allow. Users and roles together say *who*: when both allow
lists are empty everyone may talk, else the user must be listed or hold a listed role. Channels
say *where*: an empty allow list means every channel. A thread counts as its parent channel and
a channel as its category too. In direct messages a user denied by id in any server is denied.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from chatclone.errors import ChatcloneError

KINDS = ("user", "role", "channel")
Kind = Literal["user", "role", "channel"]
Action = Literal["allow", "deny", "remove"]


def _empty() -> dict[str, frozenset[int]]:
    return {kind: frozenset() for kind in KINDS}


@dataclass(frozen=True)
class Rules:
    """One server's lists: `allow[kind]` and `deny[kind]` are sets of ids, kind being user, role or channel."""

    allow: dict[str, frozenset[int]] = field(default_factory=_empty)
    deny: dict[str, frozenset[int]] = field(default_factory=_empty)

    def permits(self, user_id: int, role_ids: Iterable[int] = (), channel_ids: Iterable[int] = ()) -> bool:
        """Whether the user (holding `role_ids`) may talk to the bot in a channel with ids `channel_ids` (itself, parent, category)."""
        roles, channels = set(role_ids), set(channel_ids)
        if user_id in self.deny["user"] or roles & self.deny["role"] or channels & self.deny["channel"]:
            return False
        who_listed = self.allow["user"] or self.allow["role"]
        if who_listed and user_id not in self.allow["user"] and not roles & self.allow["role"]:
            return False
        return not self.allow["channel"] or bool(channels & self.allow["channel"])

    def changed(self, action: Action, kind: Kind, target_id: int) -> Rules:
        """These rules with `target_id` put on the allow or deny list of `kind` (off the other), or off both for "remove"."""
        allow = {k: v - {target_id} if k == kind else v for k, v in self.allow.items()}
        deny = {k: v - {target_id} if k == kind else v for k, v in self.deny.items()}
        if action == "allow":
            allow[kind] = allow[kind] | {target_id}
        elif action == "deny":
            deny[kind] = deny[kind] | {target_id}
        return Rules(allow, deny)

    def is_empty(self) -> bool:
        """Whether no list holds anything (everyone may talk everywhere)."""
        return not any(self.allow.values()) and not any(self.deny.values())


class PermissionStore:
    """Every server's Rules, loaded from and saved to one JSON file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.guilds: dict[int, Rules] = load_rules(self.path)

    def rules(self, guild_id: int) -> Rules:
        """The Rules of server `guild_id` (empty ones if it has none)."""
        return self.guilds.get(guild_id, Rules())

    def check(self, guild_id: int | None, user_id: int, role_ids: Iterable[int] = (), channel_ids: Iterable[int] = ()) -> bool:
        """Whether the bot may answer this user here; `guild_id` None is a direct message."""
        if guild_id is None:
            return not any(user_id in rules.deny["user"] for rules in self.guilds.values())
        return self.rules(guild_id).permits(user_id, role_ids, channel_ids)

    def change(self, guild_id: int, action: Action, kind: Kind, target_id: int) -> Rules:
        """Apply one allow/deny/remove to server `guild_id`, save the file, and return the server's new Rules."""
        if kind not in KINDS or action not in ("allow", "deny", "remove"):
            raise ValueError(f"unknown permission change {action} {kind}")
        new = self.rules(guild_id).changed(action, kind, target_id)
        guilds = {**self.guilds, guild_id: new}
        if new.is_empty():
            del guilds[guild_id]
        save_rules(self.path, guilds)
        self.guilds = guilds
        return new


def load_rules(path: Path) -> dict[int, Rules]:
    """{server id: Rules} from the JSON file at `path`; empty when it does not exist.

    Raises ChatcloneError naming the file when it is not valid (it is never silently reset:
    that would lift every deny).
    """

    def parse(data: dict) -> dict[int, Rules]:
        return {
            int(guild_id): Rules(
                allow={k: frozenset(int(i) for i in lists["allow"].get(f"{k}s", [])) for k in KINDS},
                deny={k: frozenset(int(i) for i in lists["deny"].get(f"{k}s", [])) for k in KINDS},
            )
            for guild_id, lists in data["guilds"].items()
        }

    return read_json_state(path, parse, "permissions file", "fix it or delete it to allow everyone")


def save_rules(path: Path, guilds: dict[int, Rules]) -> None:
    """Write {server id: Rules} to `path` as JSON, atomically: readers see the old file or the new one, never half of one."""
    data = {
        "version": 1,
        "guilds": {
            str(guild_id): {
                "allow": {f"{k}s": sorted(str(i) for i in rules.allow[k]) for k in KINDS},
                "deny": {f"{k}s": sorted(str(i) for i in rules.deny[k]) for k in KINDS},
            }
            for guild_id, rules in sorted(guilds.items())
        },
    }
    write_json_atomic(path, data)


def read_json_state(path: Path, parse: Callable[[dict], dict], what: str, fix: str) -> dict:
    """parse(the JSON at `path`), or {} when the file does not exist.

    Raises ChatcloneError naming the file, `what` it should be and how to `fix` it when it does not parse.
    """
    try:
        return parse(json.loads(Path(path).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ChatcloneError(f"{path}: not a valid {what} ({type(e).__name__}: {e}); {fix}") from None


def write_json_atomic(path: Path, data) -> None:
    """Write `data` as indented JSON to `path` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
