"""What the Discord bot decides, without Discord: when to answer, from what context, who may talk, how often.

The adapter (`discord_bot.py`) turns each discord.Message into a `ChannelMessage` and asks
`BotCore`. The context of a reply is the channel's recent messages after its reset point:
the bot's own messages are assistant turns, other people's consecutive messages one user turn
(`Name: text` lines in servers, as the training data writes group chats; plain text in DMs),
each cleaned the way the training data was (links, attachments and PII as placeholders).
Messages starting with `!` are neither context nor a reason to answer.

Generation runs in one worker thread per persona (never on the event loop), and one reply at
a time per channel, so a reply always sees the one before it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import re
import time
import tomllib
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from chatclone.config import BotSettings, Cleaning
from chatclone.errors import ChatcloneError
from chatclone.serving.permissions import KINDS, PermissionStore, Rules, read_json_state, write_json_atomic
from chatclone.text import clean_message

if TYPE_CHECKING:
    from chatclone.serving.generation import Completion, Persona

log = logging.getLogger(__name__)

SCENARIOS_FILE = Path(__file__).with_name("scenarios.toml")
DISCORD_MAX_CHARS = 2000
_MENTION = re.compile(r"<(@[!&]?|#)(\d+)>|<a?(:\w+:)\d+>")


class ChannelKind(StrEnum):
    DM = "dm"
    GUILD = "guild"
    THREAD = "thread"


@dataclass(frozen=True)
class ChannelMessage:
    """A message as the bot sees it. `content` has the bot's own mention removed and others as `@name`."""

    id: int
    channel_id: int
    author_id: int
    author_name: str
    content: str
    created_at: datetime
    kind: ChannelKind = ChannelKind.GUILD
    guild_id: int | None = None
    parent_id: int | None = None  # a thread's channel
    category_id: int | None = None
    role_ids: tuple[int, ...] = ()
    attachments: tuple[str, ...] = ()  # placeholder kinds: image, gif, video, audio, file, sticker
    mentions: tuple[str, ...] = ()  # display names mentioned in `content` as @name
    is_bot_self: bool = False
    author_is_bot: bool = False
    mentions_me: bool = False
    in_own_thread: bool = False  # a thread the bot opened with /thread
    is_command_output: bool = False  # an answer to a slash command: never context

    @property
    def channel_ids(self) -> tuple[int, ...]:
        """The ids permissions look at: the channel, a thread's parent channel, the category."""
        return tuple(i for i in (self.channel_id, self.parent_id, self.category_id) if i is not None)


def is_bang(content: str) -> bool:
    """Whether a message is a `!command` for some other bot: left out of the context, never answered."""
    return content.lstrip().startswith("!")


def should_reply(message: ChannelMessage, dms: bool = True) -> bool:
    """Whether `message` asks for an answer: a DM (when `dms`), a mention, or anything in a thread the bot opened.

    Never the bot's own messages, other bots', `!` messages, or empty ones.
    """
    if message.is_bot_self or message.author_is_bot or message.is_command_output or is_bang(message.content):
        return False
    if not message.content.strip() and not message.attachments:
        return False
    if message.kind == ChannelKind.DM:
        return dms
    return message.mentions_me or (message.kind == ChannelKind.THREAD and message.in_own_thread)


def render_mentions(content: str, me_id: int, users: Mapping[int, str] = {}, roles: Mapping[int, str] = {},
                    channels: Mapping[int, str] = {}) -> str:
    """`content` with the bot's own mention removed, `<@id>` as `@name`, `<@&id>` as `@role`, `<#id>` as `#channel`,
    custom emoji as `:name:`. Ids missing from the maps are dropped. Returns the text, outer space stripped."""

    def name(match: re.Match) -> str:
        sigil, raw_id, emoji = match.groups()
        if emoji:
            return emoji
        i = int(raw_id)
        if sigil in ("@", "@!"):
            return "" if i == me_id else f"@{users[i]}" if i in users else ""
        if sigil == "@&":
            return f"@{roles[i]}" if i in roles else ""
        return f"#{channels[i]}" if i in channels else ""

    return re.sub(r"[ \t]{2,}", " ", _MENTION.sub(name, content)).strip()


def prompt_text(message: ChannelMessage, cleaning: Cleaning) -> str:
    """The message text as the model saw such text in training: `persona.toml` [cleaning] applied."""
    return clean_message(message.content, message.attachments, message.mentions, strip_at=cleaning.strip_mentions,
                         placeholders=cleaning.placeholders, pii=cleaning.scrub_pii).text


def in_context(message: ChannelMessage, reset_at: datetime | None, hidden: Iterable[int] = ()) -> bool:
    """Whether `message` may be context: after the reset point, not a `!` message, not a command's answer or a notice."""
    if reset_at is not None and message.created_at <= reset_at:
        return False
    return not (message.is_command_output or is_bang(message.content) or message.id in hidden)


def build_context(history: Sequence[ChannelMessage], cleaning: Cleaning, reset_at: datetime | None = None,
                  limit: int = 20, hidden: Iterable[int] = ()) -> list[dict]:
    """Chat messages (role/content dicts, oldest first) for a reply, from `history` (oldest first).

    Keeps the last `limit` messages that are in context (see `in_context`) and not empty once
    cleaned. The bot's own messages become assistant turns; runs of other people's messages
    merge into one user turn, as `Name: text` lines except in DMs.
    """
    hidden = set(hidden)
    kept = [(m, text) for m in history if in_context(m, reset_at, hidden) and (text := prompt_text(m, cleaning))][-limit:]
    turns: list[dict] = []
    for message, text in kept:
        role = "assistant" if message.is_bot_self else "user"
        line = text if role == "assistant" or message.kind == ChannelKind.DM else f"{message.author_name}: {text}"
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += "\n" + line
        else:
            turns.append({"role": role, "content": line})
    return turns


def up_to(history: Sequence[ChannelMessage], trigger: ChannelMessage) -> list[ChannelMessage]:
    """What a reply to `trigger` reads from the channel's recent `history` (oldest first): the messages before it, then
    the bot's own messages posted after it (they answered earlier messages while this one waited), then `trigger`."""
    before = [m for m in history if m.id < trigger.id]
    own_after = [m for m in history if m.id > trigger.id and m.is_bot_self]
    return [*before, *own_after, trigger]


def split_message(text: str, limit: int = DISCORD_MAX_CHARS) -> list[str]:
    """`text` in pieces of at most `limit` characters for Discord, cut at a line break or space where there is one."""
    pieces = []
    text = text.strip()
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit + 1), text.rfind(" ", 0, limit + 1))
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces


class RateVerdict(StrEnum):
    OK = "ok"
    NOTIFY = "notify"  # over the limit: tell the user, once per window
    QUIET = "quiet"  # over the limit again: say nothing


class RateLimiter:
    """A sliding-window limit per user: at most `max_messages` answered within `window_s` seconds."""

    def __init__(self, max_messages: int, window_s: float):
        self.max_messages, self.window_s = max_messages, window_s
        self._times: dict[int, deque[float]] = defaultdict(deque)
        self._notified: dict[int, float] = {}

    def hit(self, user_id: int, now: float) -> RateVerdict:
        """Count a message of `user_id` at time `now` (seconds, monotonic); whether it may be answered, or how to refuse."""
        times = self._times[user_id]
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if len(times) < self.max_messages:
            times.append(now)
            return RateVerdict.OK
        if now - self._notified.get(user_id, -self.window_s) >= self.window_s:
            self._notified[user_id] = now
            return RateVerdict.NOTIFY
        return RateVerdict.QUIET

    def retry_after(self, user_id: int, now: float) -> float:
        """Seconds until `user_id` may be answered again (0 when now)."""
        times = self._times.get(user_id)
        if not times or len(times) < self.max_messages:
            return 0.0
        return max(0.0, times[0] + self.window_s - now)


@dataclass(frozen=True)
class ChannelState:
    """What a channel remembers: the persona chosen with /persona, and the reset point of /reset."""

    persona: str | None = None
    reset_at: datetime | None = None


def load_channel_states(path: Path) -> dict[int, ChannelState]:
    """{channel id: ChannelState} from the JSON file at `path`; empty when it does not exist.

    Raises ChatcloneError naming the file when it is not valid.
    """

    def parse(data: dict) -> dict[int, ChannelState]:
        return {
            int(cid): ChannelState(s.get("persona"), datetime.fromisoformat(s["reset_at"]) if s.get("reset_at") else None)
            for cid, s in data["channels"].items()
        }

    return read_json_state(path, parse, "channel state file", "fix it or delete it")


def save_channel_states(path: Path, states: Mapping[int, ChannelState]) -> None:
    """Write {channel id: ChannelState} to `path` as JSON, atomically."""
    channels = {str(cid): {"persona": s.persona, "reset_at": s.reset_at.isoformat() if s.reset_at else None} for cid, s in sorted(states.items())}
    write_json_atomic(path, {"version": 1, "channels": channels})


class Admission(StrEnum):
    REPLY = "reply"
    DENIED = "denied"
    LIMITED = "limited"  # tell the user they are over the rate limit
    LIMITED_QUIET = "limited_quiet"


@dataclass(frozen=True)
class Replayed:
    """One replayed test message and the persona's reply to it."""

    message: str
    reply: str


def load_scenarios(path: Path = SCENARIOS_FILE) -> dict[str, list[str]]:
    """{scenario name: its messages} from a TOML file of `[name]` tables with `messages = [...]` (default: the bundled ones).

    Raises ChatcloneError naming the file when it is missing or malformed.
    """
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ChatcloneError(f"{path}: cannot read test scenarios ({e})") from None
    scenarios = {name: table.get("messages") for name, table in data.items() if isinstance(table, dict)}
    bad = [name for name, messages in scenarios.items() if not messages or not all(isinstance(m, str) and m.strip() for m in messages)]
    if bad or not scenarios:
        raise ChatcloneError(f"{path}: scenario {bad[0] if bad else '(none)'!r} needs messages = [\"...\", ...]")
    return scenarios


def parse_test_file(text: str, limit: int) -> list[str]:
    """Test messages from a text file's content: one per non-blank line, `#` lines skipped, at most `limit`."""
    lines = [line.strip() for line in text.splitlines()]
    return [line for line in lines if line and not line.startswith("#")][:limit]


def lines_from_history(history: Sequence[ChannelMessage], cleaning: Cleaning, reset_at: datetime | None, limit: int) -> list[str]:
    """The last `limit` messages people wrote in the channel (in context, not the bot's), as `Name: text` lines, oldest first."""
    people = [m for m in history if not m.is_bot_self and in_context(m, reset_at)]
    return [f"{m.author_name}: {text}" for m in people if (text := prompt_text(m, cleaning))][-limit:]



def replay(persona: Persona, lines: Sequence[str]) -> list[Replayed]:
    """Send `lines` to `persona` one at a time as user turns, each reply kept in the conversation; blocking.

    Returns a Replayed per line.
    """
    messages: list[dict] = []
    results = []
    for line in lines:
        messages.append({"role": "user", "content": line})
        reply = persona.complete(messages).text
        messages.append({"role": "assistant", "content": reply})
        results.append(Replayed(line, reply))
    return results


def describe_rules(rules: Rules) -> str:
    """The lists of one server as a Discord message (mentions render as names)."""
    if rules.is_empty():
        return "No lists: the bot answers everyone, everywhere."
    sigil = {"user": "<@{}>", "role": "<@&{}>", "channel": "<#{}>"}
    lines = []
    for action, lists in (("allowed", rules.allow), ("denied", rules.deny)):
        for kind in KINDS:
            if lists[kind]:
                lines.append(f"{action} {kind}s: " + ", ".join(sigil[kind].format(i) for i in sorted(lists[kind])))
    return "\n".join(lines)


def format_duration(seconds: float) -> str:
    """`seconds` as e.g. '3d 4h 5m', '2m 7s' or '12s'."""
    s = int(seconds)
    days, hours, minutes, secs = s // 86400, s % 86400 // 3600, s % 3600 // 60, s % 60
    parts = [(days, "d"), (hours, "h"), (minutes, "m")] if days or hours else [(minutes, "m"), (secs, "s")]
    return " ".join(f"{n}{unit}" for n, unit in parts if n) or "0s"


class BotCore:
    """The bot's state between messages: personas, per-channel state, permissions, rate limits, locks, timings."""

    def __init__(self, personas: Mapping[str, Persona], settings: BotSettings, state_dir: Path, clock: Callable[[], float] = time.monotonic):
        if not personas:
            raise ChatcloneError("the bot needs at least one persona")
        self.personas = dict(personas)
        self.settings = settings
        self.state_dir = Path(state_dir)
        self.permissions = PermissionStore(self.state_dir / "permissions.json")
        self.channels = load_channel_states(self.state_dir / "channels.json")
        self.limiter = RateLimiter(settings.rate_limit_messages, settings.rate_limit_seconds)
        self.clock = clock
        self.started = clock()
        self.last_generation_s: float | None = None
        self.hidden: deque[int] = deque(maxlen=512)  # our rate-limit notices: never context
        self._locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._workers = {p.name: ThreadPoolExecutor(1, thread_name_prefix=f"persona-{p.name}") for p in self.personas.values()}

    @property
    def default_persona(self) -> str:
        return next(iter(self.personas))

    def persona_for(self, channel_id: int, parent_id: int | None = None) -> Persona:
        """The persona answering in a channel: its own /persona choice, else its parent channel's, else the first loaded."""
        for cid in (channel_id, parent_id):
            name = self.channels.get(cid, ChannelState()).persona if cid is not None else None
            if name in self.personas:
                return self.personas[name]
        return self.personas[self.default_persona]

    def _set_channel(self, channel_id: int, **changes) -> None:
        states = {**self.channels, channel_id: replace(self.channels.get(channel_id, ChannelState()), **changes)}
        save_channel_states(self.state_dir / "channels.json", states)
        self.channels = states

    def reset(self, channel_id: int, at: datetime) -> None:
        """Start the channel's context after `at`: earlier messages are no longer read."""
        self._set_channel(channel_id, reset_at=at)

    def choose_persona(self, channel_id: int, name: str) -> str:
        """Make persona `name` answer in the channel (case-insensitively); returns the message to show."""
        match = next((n for n in self.personas if n.casefold() == name.strip().casefold()), None)
        if match is None:
            return f"No persona called {name!r}; loaded: {', '.join(self.personas)}."
        self._set_channel(channel_id, persona=match)
        return f"{match} answers in this channel now."

    def thread_opened(self, thread_id: int, parent_id: int) -> None:
        """Give a thread opened with /thread the persona of its parent channel."""
        self._set_channel(thread_id, persona=self.persona_for(parent_id).name)

    def reset_at(self, channel_id: int) -> datetime | None:
        """The channel's reset point, if it has one."""
        return self.channels.get(channel_id, ChannelState()).reset_at

    def allowed(self, guild_id: int | None, user_id: int, role_ids: Iterable[int] = (), channel_ids: Iterable[int] = ()) -> bool:
        """Whether the permission lists let this user use the bot here."""
        return self.permissions.check(guild_id, user_id, role_ids, channel_ids)

    def admit(self, message: ChannelMessage) -> Admission:
        """For a message `should_reply` accepted: answer it, ignore it (denied), or refuse it for the rate limit."""
        if not self.allowed(message.guild_id, message.author_id, message.role_ids, message.channel_ids):
            return Admission.DENIED
        verdict = self.limiter.hit(message.author_id, self.clock())
        return {RateVerdict.OK: Admission.REPLY, RateVerdict.NOTIFY: Admission.LIMITED}.get(verdict, Admission.LIMITED_QUIET)

    def limit_notice(self, user_id: int) -> str:
        """The short notice for a user over the rate limit."""
        wait = max(1, round(self.limiter.retry_after(user_id, self.clock())))
        return f"I need a short break, ask me again in {wait} s."

    def change_permission(self, guild_id: int | None, is_admin: bool, action: str, kind: str, target_id: int) -> str:
        """Apply /permissions allow|deny|remove for a user, role or channel; returns the message to show (the new lists)."""
        if guild_id is None:
            return "Permissions are set per server: use /permissions in a server."
        if not is_admin:
            return "Only members with the Manage Server permission can change who the bot answers."
        rules = self.permissions.change(guild_id, action, kind, target_id)
        return describe_rules(rules)

    def context(self, channel_id: int, history: Sequence[ChannelMessage], persona: Persona) -> list[dict]:
        """The messages a reply in `channel_id` is generated from, from its recent `history` (oldest first)."""
        return build_context(history, persona.config.cleaning, self.reset_at(channel_id), self.settings.history_messages, self.hidden)

    def lock(self, channel_id: int) -> asyncio.Lock:
        """The channel's lock: one reply at a time per channel."""
        return self._locks[channel_id]

    async def run(self, persona: Persona, fn: Callable, *args):
        """`fn(*args)` in the persona's worker thread (one generation at a time per persona, off the event loop)."""
        return await asyncio.get_running_loop().run_in_executor(self._workers[persona.name], functools.partial(fn, *args))

    async def respond(self, trigger: ChannelMessage, fetch_history: Callable[[], Awaitable[Sequence[ChannelMessage]]],
                      send: Callable[[str], Awaitable[None]],
                      typing: Callable[[], AbstractAsyncContextManager] = nullcontext) -> Completion | None:
        """Answer `trigger`: under the channel's lock, read its history, generate (while `typing()`), then `send` the reply.

        `fetch_history` returns the channel's recent messages, oldest first; the reply reads them
        `up_to` the trigger. Returns the Completion, or None when there was nothing to answer.
        """
        async with self.lock(trigger.channel_id):
            async with typing():
                persona = self.persona_for(trigger.channel_id, trigger.parent_id)
                messages = self.context(trigger.channel_id, up_to(await fetch_history(), trigger), persona)
                if not messages or messages[-1]["role"] != "user":
                    return None
                started = self.clock()
                completion = await self.run(persona, persona.complete, messages)
                self.last_generation_s = self.clock() - started
            log.info("replied in channel %s as %s: %d+%d tokens in %.1f s", trigger.channel_id, persona.name,
                     completion.prompt_tokens, completion.completion_tokens, self.last_generation_s)
            if completion.text.strip():
                await send(completion.text)
            return completion

    async def run_test(self, channel_id: int, parent_id: int | None, lines: Sequence[str]) -> tuple[str, list[Replayed]]:
        """Replay `lines` to the channel's persona (see `replay`); returns (persona name, results)."""
        persona = self.persona_for(channel_id, parent_id)
        async with self.lock(channel_id):
            started = self.clock()
            results = await self.run(persona, replay, persona, list(lines))
            if results:
                self.last_generation_s = (self.clock() - started) / len(results)
        return persona.name, results

    def status(self, channel_id: int, parent_id: int | None, gateway_latency_s: float | None) -> str:
        """/status: the channel's persona, its base model and run, the other personas loaded, uptime and latency."""
        persona = self.persona_for(channel_id, parent_id)
        base = getattr(persona, "base_model", None) or persona.config.train.base_model
        gateway = f"{gateway_latency_s * 1000:.0f} ms" if gateway_latency_s is not None and math.isfinite(gateway_latency_s) else "n/a"
        generation = f"{self.last_generation_s:.1f} s" if self.last_generation_s is not None else "none yet"
        lines = [
            f"persona: {persona.name}" + (f" (loaded: {', '.join(self.personas)})" if len(self.personas) > 1 else ""),
            f"model: {base}",
            f"adapter run: {persona.run_name or 'none (plain model)'}",
            f"uptime: {format_duration(self.clock() - self.started)}",
            f"latency: gateway {gateway}, last generation {generation}",
        ]
        return "\n".join(lines)

    def close(self) -> None:
        """Stop the worker threads (after the running generations finish)."""
        for worker in self._workers.values():
            worker.shutdown(wait=False, cancel_futures=True)
