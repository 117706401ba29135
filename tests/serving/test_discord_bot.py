"""The Discord bot: its pure logic (bot_logic, permissions, bot_config) and its discord.py skin, offline.

discord.py objects (Intents, the command tree, Messages built from gateway payloads) are real;
only the HTTP client under them is a stand-in that records what the bot would send.
"""

import asyncio
import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import discord
import pytest

from chatclone.errors import ChatcloneError, ConfigError
from chatclone.config import BotSettings, load_config
from chatclone.serving.bot_config import resolve_token
from chatclone.serving.bot_logic import (
    Admission,
    BotCore,
    ChannelKind,
    ChannelMessage,
    RateLimiter,
    RateVerdict,
    build_context,
    format_duration,
    lines_from_history,
    load_scenarios,
    parse_test_file,
    render_mentions,
    replay,
    should_reply,
    split_message,
    up_to,
)
from chatclone.serving.discord_bot import ChatcloneBot, bot_intents, run_bot, to_record
from chatclone.serving.permissions import PermissionStore, Rules, load_rules
from factories import make_config

T0 = datetime(2024, 3, 1, 20, 0, tzinfo=timezone.utc)
CLEANING = make_config().cleaning
ME, ALICE, BOB = 900_000_000_000_000_001, 100_000_000_000_000_001, 100_000_000_000_000_002
GUILD, CHANNEL, THREAD, CATEGORY, MODS = 1_000_000_000_000_000_001, 1_000_000_000_000_000_010, 1_000_000_000_000_000_011, 1_000_000_000_000_000_005, 1_000_000_000_000_000_050
TOKEN = "not-a-real-token.for-chatclone-tests"


def post(minute: float, author: str, text: str, **fields) -> ChannelMessage:
    """A message `minute` minutes after T0 by `author` ("bot" is the bot itself) in the server channel."""
    ids = {"alice": ALICE, "bob": BOB, "bot": ME}
    defaults = dict(id=int(minute * 1000) + 1, channel_id=CHANNEL, author_id=ids.get(author, 7), author_name=author, content=text,
                    created_at=T0 + timedelta(minutes=minute), guild_id=GUILD, is_bot_self=author == "bot")
    return ChannelMessage(**(defaults | fields))


@dataclass
class Done:
    """Stands in for generation.Completion."""

    text: str
    finish_reason: str = "stop"
    prompt_tokens: int = 10
    completion_tokens: int = 3


class ScriptedPersona:
    """Stands in for a Persona: `complete` records what it was given and answers `reply N` (thread-safe)."""

    def __init__(self, name: str = "Mika", gate: threading.Event | None = None):
        self.name, self.config, self.run_name, self.base_model = name, make_config(name=name), "run-7", "bundled:smollm2-135m"
        self.calls: list[list[dict]] = []
        self.threads: list[str] = []
        self.gate = gate

    def complete(self, messages, stream=None, **overrides):
        self.threads.append(threading.current_thread().name)
        if self.gate is not None:
            assert self.gate.wait(5), "the test never opened the gate"
        self.calls.append([dict(m) for m in messages])
        return Done(f"reply {len(self.calls)}")


class Clock:
    """A hand-moved monotonic clock."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def core(tmp_path):
    """A BotCore answering as Mika (and Ren), its state under tmp_path/bot, on a hand-moved clock."""
    core = BotCore({"Mika": ScriptedPersona("Mika"), "Ren": ScriptedPersona("Ren")}, BotSettings(), tmp_path / "bot", clock=Clock())
    yield core
    core.close()


# --- When the bot answers


def test_a_mention_in_a_server_channel_asks_for_a_reply():
    assert should_reply(post(0, "alice", "hey", mentions_me=True))
    assert not should_reply(post(0, "alice", "hey"))


def test_direct_messages_ask_for_a_reply_unless_dms_are_off():
    dm = post(0, "alice", "hey", kind=ChannelKind.DM, guild_id=None)
    assert should_reply(dm) and not should_reply(dm, dms=False)


def test_every_message_in_a_thread_the_bot_opened_asks_for_a_reply():
    assert should_reply(post(0, "alice", "hey", kind=ChannelKind.THREAD, channel_id=THREAD, parent_id=CHANNEL, in_own_thread=True))
    assert not should_reply(post(0, "alice", "hey", kind=ChannelKind.THREAD, channel_id=THREAD, parent_id=CHANNEL))


def test_bang_messages_never_ask_for_a_reply():
    assert not should_reply(post(0, "alice", "  !play lofi", mentions_me=True, kind=ChannelKind.DM))


def test_the_bots_own_messages_other_bots_and_empty_messages_never_ask_for_a_reply():
    assert not should_reply(post(0, "bot", "hi", kind=ChannelKind.DM))
    assert not should_reply(post(0, "otherbot", "hi", author_is_bot=True, mentions_me=True))
    assert not should_reply(post(0, "alice", "  ", mentions_me=True))
    assert should_reply(post(0, "alice", "", attachments=("image",), mentions_me=True))


# --- The context of a reply


def test_other_peoples_messages_merge_into_one_user_turn_of_name_lines():
    history = [post(0, "alice", "hi"), post(1, "bob", "what's up"), post(2, "bot", "not much"), post(3, "bot", "you?"), post(4, "alice", "same")]
    assert build_context(history, CLEANING) == [
        {"role": "user", "content": "alice: hi\nbob: what's up"},
        {"role": "assistant", "content": "not much\nyou?"},
        {"role": "user", "content": "alice: same"},
    ]


def test_direct_message_context_is_plain_text():
    history = [post(0, "alice", "hi", kind=ChannelKind.DM), post(1, "bot", "hey", kind=ChannelKind.DM), post(2, "alice", "sup", kind=ChannelKind.DM)]
    assert [m["content"] for m in build_context(history, CLEANING)] == ["hi", "hey", "sup"]


def test_bang_messages_and_slash_command_answers_are_left_out_of_the_context():
    history = [post(0, "alice", "hi"), post(1, "bob", "!skip"), post(2, "bot", "Context cleared", is_command_output=True), post(3, "alice", "yo")]
    assert build_context(history, CLEANING) == [{"role": "user", "content": "alice: hi\nalice: yo"}]


def test_context_keeps_only_the_last_n_messages():
    history = [post(i, "alice", f"message {i}") for i in range(30)]
    assert build_context(history, CLEANING, limit=3) == [{"role": "user", "content": "alice: message 27\nalice: message 28\nalice: message 29"}]


def test_context_starts_after_the_reset_point():
    history = [post(0, "alice", "old secret"), post(1, "bot", "old answer"), post(5, "alice", "fresh start")]
    assert build_context(history, CLEANING, reset_at=T0 + timedelta(minutes=2)) == [{"role": "user", "content": "alice: fresh start"}]


def test_context_is_cleaned_like_the_training_data():
    history = [post(0, "alice", "look https://example.com/cat mail me at a@b.com", attachments=("image",))]
    assert build_context(history, CLEANING)[0]["content"] == "alice: look <link> mail me at <email> <image>"


def test_rate_limit_notices_are_left_out_of_the_context():
    history = [post(0, "alice", "hi"), post(1, "bot", "I need a short break"), post(2, "alice", "ok")]
    assert build_context(history, CLEANING, hidden=[history[1].id]) == [{"role": "user", "content": "alice: hi\nalice: ok"}]


def test_mentions_render_as_names_and_the_bots_own_mention_goes():
    text = f"<@{ME}> ask <@!{BOB}> in <#{CHANNEL}> <@&{MODS}> <:pog:123> <@555>"
    assert render_mentions(text, ME, users={BOB: "Bob"}, roles={MODS: "mods"}, channels={CHANNEL: "general"}) == "ask @Bob in #general @mods :pog:"


def test_long_replies_are_split_under_discords_limit_at_spaces():
    pieces = split_message("word " * 900)
    assert len(pieces) == 3 and all(len(p) <= 2000 for p in pieces) and all(p.endswith("word") for p in pieces)


# --- Who may talk


def test_deny_wins_over_allow():
    rules = Rules().changed("allow", "user", ALICE).changed("deny", "role", MODS)
    assert not rules.permits(ALICE, role_ids=[MODS])
    assert rules.permits(ALICE, role_ids=[])


def test_empty_allow_lists_let_everyone_talk_everywhere():
    assert Rules().permits(BOB, [], [CHANNEL])


def test_a_user_on_the_allow_list_or_holding_an_allowed_role_may_talk():
    rules = Rules().changed("allow", "user", ALICE).changed("allow", "role", MODS)
    assert rules.permits(ALICE) and rules.permits(BOB, role_ids=[MODS])
    assert not rules.permits(BOB)


def test_a_channel_allow_list_covers_threads_through_their_parent():
    rules = Rules().changed("allow", "channel", CHANNEL)
    assert rules.permits(ALICE, channel_ids=[THREAD, CHANNEL, CATEGORY])
    assert not rules.permits(ALICE, channel_ids=[123, CATEGORY])


def test_allow_then_deny_moves_an_id_between_lists_and_remove_takes_it_off_both():
    rules = Rules().changed("allow", "user", ALICE).changed("deny", "user", ALICE)
    assert ALICE not in rules.allow["user"] and ALICE in rules.deny["user"]
    assert rules.changed("remove", "user", ALICE).is_empty()


def test_permissions_persist_across_restarts(tmp_path):
    path = tmp_path / "bot" / "permissions.json"
    PermissionStore(path).change(GUILD, "deny", "user", BOB)
    reloaded = PermissionStore(path)
    assert not reloaded.check(GUILD, BOB) and reloaded.check(GUILD, ALICE)
    assert json.loads(path.read_text())["guilds"][str(GUILD)]["deny"]["users"] == [str(BOB)]  # snowflakes as strings


def test_lists_are_per_server(tmp_path):
    store = PermissionStore(tmp_path / "permissions.json")
    store.change(GUILD, "deny", "user", BOB)
    assert store.check(GUILD + 1, BOB)


def test_a_user_denied_in_a_server_is_denied_in_direct_messages(tmp_path):
    store = PermissionStore(tmp_path / "permissions.json")
    store.change(GUILD, "deny", "user", BOB)
    assert not store.check(None, BOB) and store.check(None, ALICE)


def test_a_failed_save_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "permissions.json"
    store = PermissionStore(path)
    store.change(GUILD, "deny", "user", BOB)
    before = path.read_text()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("chatclone.serving.permissions.json.dump", crash)
    with pytest.raises(OSError):
        store.change(GUILD, "deny", "user", ALICE)
    assert path.read_text() == before and [p.name for p in tmp_path.iterdir()] == ["permissions.json"]
    assert store.check(GUILD, ALICE)  # the store did not take a change it could not save


def test_a_corrupt_permissions_file_is_an_error_not_a_reset(tmp_path):
    path = tmp_path / "permissions.json"
    path.write_text('{"guilds": {"1": ')
    with pytest.raises(ChatcloneError, match="permissions.json"):
        load_rules(path)


def test_only_server_admins_change_permissions(core):
    refused = core.change_permission(GUILD, False, "deny", "user", BOB)
    assert "Manage Server" in refused and core.permissions.check(GUILD, BOB)
    shown = core.change_permission(GUILD, True, "deny", "user", BOB)
    assert f"<@{BOB}>" in shown and not core.permissions.check(GUILD, BOB)


def test_denied_users_are_not_answered(core):
    core.change_permission(GUILD, True, "deny", "role", MODS)
    assert core.admit(post(0, "bob", "hi", mentions_me=True, role_ids=(MODS,))) == Admission.DENIED
    assert core.admit(post(0, "alice", "hi", mentions_me=True)) == Admission.REPLY


# --- Rate limit


def test_a_user_over_the_limit_is_told_once_per_window_then_ignored():
    limiter = RateLimiter(max_messages=2, window_s=60)
    verdicts = [limiter.hit(ALICE, t) for t in (0, 1, 2, 3, 30)]
    assert verdicts == [RateVerdict.OK, RateVerdict.OK, RateVerdict.NOTIFY, RateVerdict.QUIET, RateVerdict.QUIET]
    assert limiter.hit(BOB, 3) == RateVerdict.OK


def test_the_rate_limit_window_slides():
    limiter = RateLimiter(max_messages=2, window_s=60)
    for t in (0, 50, 55):
        limiter.hit(ALICE, t)
    assert limiter.retry_after(ALICE, 55) == pytest.approx(5)
    assert limiter.hit(ALICE, 60) == RateVerdict.OK  # the message of t=0 left the window
    assert limiter.hit(ALICE, 61) == RateVerdict.QUIET  # told at 55 already
    assert [limiter.hit(ALICE, t) for t in (121, 122, 123)] == [RateVerdict.OK, RateVerdict.OK, RateVerdict.NOTIFY]


def test_the_core_admits_until_the_limit_then_refuses(tmp_path):
    core = BotCore({"Mika": ScriptedPersona()}, BotSettings(rate_limit_messages=1, rate_limit_seconds=10), tmp_path, clock=Clock())
    message = post(0, "alice", "hi", mentions_me=True)
    assert [core.admit(message) for _ in range(3)] == [Admission.REPLY, Admission.LIMITED, Admission.LIMITED_QUIET]
    assert "10 s" in core.limit_notice(ALICE)
    core.close()


# --- Channel state: persona choice, reset


def test_persona_choice_is_per_channel_inherited_by_threads_and_survives_restart(core, tmp_path):
    assert core.choose_persona(CHANNEL, "ren") == "Ren answers in this channel now."
    core.thread_opened(THREAD, CHANNEL)
    restarted = BotCore(core.personas, BotSettings(), tmp_path / "bot")
    assert restarted.persona_for(CHANNEL).name == "Ren" and restarted.persona_for(THREAD, CHANNEL).name == "Ren"
    assert restarted.persona_for(CHANNEL + 99).name == "Mika"
    restarted.close()


def test_an_unknown_persona_is_refused_and_changes_nothing(core):
    assert "No persona called 'Yuki'" in core.choose_persona(CHANNEL, "Yuki")
    assert core.persona_for(CHANNEL).name == "Mika"


def test_reset_survives_restart(core, tmp_path):
    core.reset(CHANNEL, T0 + timedelta(minutes=2))
    restarted = BotCore(core.personas, BotSettings(), tmp_path / "bot")
    assert restarted.context(CHANNEL, [post(1, "alice", "before"), post(3, "alice", "after")], core.personas["Mika"]) == [
        {"role": "user", "content": "alice: after"}]
    restarted.close()


def test_status_names_persona_model_run_uptime_and_latency(core):
    core.clock.now += 3723
    core.last_generation_s = 1.25
    status = core.status(CHANNEL, None, 0.0456)
    for expected in ("persona: Mika (loaded: Mika, Ren)", "model: bundled:smollm2-135m", "adapter run: run-7", "uptime: 1h 2m",
                     "gateway 46 ms", "last generation 1.2 s"):
        assert expected in status
    assert "gateway n/a" in core.status(CHANNEL, None, float("nan"))


def test_durations_read_like_uptimes():
    assert [format_duration(s) for s in (0, 42, 125, 3 * 86400 + 7200 + 60)] == ["0s", "42s", "2m 5s", "3d 2h 1m"]


# --- Answering: locks, threads, typing


def test_replies_in_one_channel_come_one_at_a_time_and_each_sees_the_one_before(core):
    channel: list[ChannelMessage] = [post(0, "alice", "first", mentions_me=True), post(0.5, "bob", "second", mentions_me=True)]
    minute = [1.0]

    async def fetch():
        return list(channel)

    async def send(text):
        await asyncio.sleep(0)  # let the other reply try to cut in
        channel.append(post(minute[0], "bot", text))
        minute[0] += 1

    async def both():
        return await asyncio.gather(core.respond(channel[0], fetch, send), core.respond(channel[1], fetch, send))

    asyncio.run(both())
    assert [m.content for m in channel[2:]] == ["reply 1", "reply 2"]
    assert core.personas["Mika"].calls == [
        [{"role": "user", "content": "alice: first"}],
        [{"role": "user", "content": "alice: first"}, {"role": "assistant", "content": "reply 1"}, {"role": "user", "content": "bob: second"}],
    ]


def test_a_reply_reads_up_to_its_message_and_the_bots_answers_posted_since():
    a, b, later, answer = post(0, "alice", "a"), post(1, "bob", "b"), post(2, "alice", "later"), post(3, "bot", "answer to a")
    assert up_to([a, b, later, answer], b) == [a, answer, b]


def test_generation_runs_off_the_event_loop_while_typing(tmp_path):
    gate = threading.Event()
    persona = ScriptedPersona(gate=gate)
    core = BotCore({"Mika": persona}, BotSettings(), tmp_path)
    events: list[str] = []

    class Typing:
        async def __aenter__(self):
            events.append("typing")

        async def __aexit__(self, *exc):
            events.append("stopped typing")

    async def fetch():
        return [post(0, "alice", "hi", mentions_me=True)]

    async def send(text):
        events.append(f"sent {text}")

    async def scenario():
        task = asyncio.create_task(core.respond(post(0, "alice", "hi"), fetch, send, typing=Typing))
        for _ in range(100):  # the loop keeps running while the model "generates"
            await asyncio.sleep(0.001)
        events.append("loop alive")
        gate.set()
        return await task

    completion = asyncio.run(scenario())
    core.close()
    assert events == ["typing", "loop alive", "stopped typing", "sent reply 1"]
    assert completion.text == "reply 1" and persona.threads == ["persona-Mika_0"]
    assert core.last_generation_s is not None


def test_nothing_is_sent_when_the_bot_spoke_last(core):
    sent: list[str] = []

    async def fetch():
        return [post(0, "alice", "hi"), post(1, "bot", "hello"), post(2, "alice", "!ping")]

    async def send(text):
        sent.append(text)

    assert asyncio.run(core.respond(post(2, "alice", "!ping"), fetch, send)) is None
    assert sent == [] and core.personas["Mika"].calls == []


# --- /test


def test_bundled_scenarios_are_introduction_small_talk_and_discussion():
    scenarios = load_scenarios()
    assert set(scenarios) == {"introduction", "small talk", "discussion"}
    assert all(len(messages) >= 3 for messages in scenarios.values())


def test_a_scenario_without_messages_is_an_error(tmp_path):
    path = tmp_path / "scenarios.toml"
    path.write_text('[empty]\ndescription = "nothing"\n')
    with pytest.raises(ChatcloneError, match="'empty'"):
        load_scenarios(path)


def test_a_test_file_is_one_message_per_line():
    assert parse_test_file("hi\n\n# a comment\n  how are you?  \nbye\n", limit=2) == ["hi", "how are you?"]


def test_test_lines_from_a_channel_are_what_people_wrote_after_the_reset():
    history = [post(0, "alice", "old"), post(2, "bob", "new"), post(3, "bot", "answer"), post(4, "alice", "!cmd"), post(5, "alice", "last")]
    assert lines_from_history(history, CLEANING, reset_at=T0 + timedelta(minutes=1), limit=10) == ["bob: new", "alice: last"]


def test_replay_keeps_each_reply_in_the_conversation():
    persona = ScriptedPersona()
    results = replay(persona, ["hi", "how are you?"])
    assert [(r.message, r.reply) for r in results] == [("hi", "reply 1"), ("how are you?", "reply 2")]
    assert persona.calls[1] == [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "reply 1"},
                                {"role": "user", "content": "how are you?"}]


# --- Settings and the token


PERSONA = 'name = "Mika"\n[[speakers]]\nname = "Mika"\n'


def test_bot_settings_default_when_persona_toml_has_no_bot_table(tmp_path):
    path = tmp_path / "persona.toml"
    path.write_text(PERSONA)
    assert load_config(path).bot == BotSettings()


def test_bot_settings_come_from_the_bot_table(tmp_path):
    path = tmp_path / "persona.toml"
    path.write_text(PERSONA + '[bot]\nhistory_messages = 8\ntoken_env = "MIKA_TOKEN"\n')
    assert load_config(path).bot.history_messages == 8 and load_config(path).bot.token_env == "MIKA_TOKEN"


def test_an_unknown_bot_key_is_a_one_line_error_naming_it(tmp_path):
    path = tmp_path / "persona.toml"
    path.write_text(PERSONA + '[bot]\nhistory_mesages = 8\n')
    with pytest.raises(ConfigError, match=r"bot\.history_mesages") as e:
        load_config(path)
    assert "\n" not in str(e.value)


def test_the_token_comes_from_the_environment_variable_first(tmp_path):
    (tmp_path / "secrets.toml").write_text('discord_token = "from-file"\n')
    settings = BotSettings(token_env="MIKA_TOKEN", secrets_file="secrets.toml")
    assert resolve_token(settings, {"MIKA_TOKEN": TOKEN}, tmp_path).get_secret_value() == TOKEN
    assert resolve_token(settings, {}, tmp_path).get_secret_value() == "from-file"


def test_a_secrets_file_others_can_read_is_warned_about(tmp_path, caplog):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'discord_token = "{TOKEN}"\n')
    secrets.chmod(0o644)
    assert resolve_token(BotSettings(secrets_file=str(secrets)), {}, tmp_path).get_secret_value() == TOKEN
    assert "chmod 600" in caplog.text and TOKEN not in caplog.text


def test_a_missing_token_is_a_one_line_error_naming_the_variable(tmp_path):
    with pytest.raises(ConfigError, match=r"\$DISCORD_TOKEN") as e:
        resolve_token(BotSettings(), {}, tmp_path)
    assert "\n" not in str(e.value)


def test_the_token_never_shows_in_reprs_errors_or_logs(tmp_path, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    token = resolve_token(BotSettings(), {"DISCORD_TOKEN": TOKEN}, tmp_path)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'discord_token = {TOKEN}\n')  # unquoted: invalid TOML around the token
    secrets.chmod(0o644)
    with pytest.raises(ConfigError) as bad_file:
        resolve_token(BotSettings(secrets_file=str(secrets)), {}, tmp_path)

    def refuse(self, token, **kwargs):
        logging.getLogger("discord.client").info("logging in using static token")
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(ChatcloneBot, "run", refuse)
    with pytest.raises(ChatcloneError) as refused:
        run_bot({"Mika": ScriptedPersona()}, BotSettings(), token, tmp_path / "bot")
    seen = [repr(token), str(token), repr(BotSettings()), str(bad_file.value), str(refused.value), caplog.text]
    assert refused.value.__cause__ is None and refused.value.__context__ is not None
    assert not any(TOKEN in text for text in seen)
    assert "Developer Portal" in str(refused.value)


# --- discord.py objects, offline


def test_intents_ask_for_message_content_servers_and_messages():
    intents = bot_intents()
    assert intents.message_content and intents.guilds and intents.guild_messages and intents.dm_messages
    assert not intents.members and not intents.presences  # no other privileged intent


def test_the_command_tree_has_every_command(core):
    tree = ChatcloneBot(core).tree
    assert {c.name for c in tree.get_commands()} == {"reset", "thread", "persona", "status", "test", "permissions"}
    permissions = tree.get_command("permissions")
    assert {g.name: sorted(c.name for c in getattr(g, "commands", [])) for g in permissions.commands} == {
        "allow": ["channel", "role", "user"], "deny": ["channel", "role", "user"], "remove": ["channel", "role", "user"], "show": []}
    payload = permissions.to_dict(tree)
    assert payload["default_member_permissions"] == str(discord.Permissions(manage_guild=True).value) or \
        payload["default_member_permissions"] == discord.Permissions(manage_guild=True).value
    assert payload["dm_permission"] is False
    persona_choices = [c["value"] for c in tree.get_command("persona").to_dict(tree)["options"][0]["choices"]]
    assert persona_choices == ["Mika", "Ren"]


def _user(uid: int, name: str, bot: bool = False) -> dict:
    return {"id": str(uid), "username": name, "discriminator": "0", "avatar": None, "global_name": name.title(), "bot": bot}


def _snowflake(minute: float) -> str:
    return str(discord.utils.time_snowflake(T0 + timedelta(minutes=minute)))


class World:
    """A server with #general (in a category) and a private thread the bot opened, a DM with Alice, and a fake HTTP client.

    Messages are built from gateway payloads by discord.py itself; `http` records what the bot sends.
    """

    def __init__(self, client: discord.Client):
        self.client, self.state = client, client._connection
        self.state.user = discord.ClientUser(state=self.state, data=_user(ME, "mika-bot", bot=True))
        role = {"permissions": "0", "color": 0, "hoist": False, "mentionable": True, "managed": False}
        self.guild = discord.Guild(state=self.state, data={
            "id": str(GUILD), "name": "test server", "member_count": 3, "features": [], "emojis": [], "stickers": [], "members": [],
            "roles": [{"id": str(GUILD), "name": "@everyone", "position": 0, **role}, {"id": str(MODS), "name": "mods", "position": 1, **role},
                      {"id": "1000000000000000051", "name": "Mika", "position": 2, **role, "managed": True, "tags": {"bot_id": str(ME)}}],
            "channels": [{"id": str(CHANNEL), "type": 0, "name": "general", "position": 0, "parent_id": str(CATEGORY)}],
            "threads": [{"id": str(THREAD), "type": 12, "name": "Mika & Alice", "parent_id": str(CHANNEL), "owner_id": str(ME),
                         "message_count": 0, "member_count": 2, "rate_limit_per_user": 0,
                         "thread_metadata": {"archived": False, "auto_archive_duration": 1440, "archive_timestamp": T0.isoformat(), "locked": False}}],
        })
        self.state._add_guild(self.guild)
        self.dm = discord.DMChannel(me=self.state.user, state=self.state, data={"id": "2000000000000000020", "type": 1, "recipients": [_user(ALICE, "alice")]})
        self.http = FakeHTTP(self)
        self.state.http = self.http

    def payload(self, minute: float, author: int, content: str, channel=None, **fields) -> dict:
        channel = channel or self.guild.get_channel(CHANNEL)
        names = {ME: "mika-bot", ALICE: "alice", BOB: "bob"}
        data = {"id": _snowflake(minute), "channel_id": str(channel.id), "author": _user(author, names[author], bot=author == ME),
                "content": content, "timestamp": (T0 + timedelta(minutes=minute)).isoformat(), "edited_timestamp": None, "tts": False,
                "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [], "pinned": False, "type": 0}
        if not isinstance(channel, discord.DMChannel):
            data |= {"guild_id": str(GUILD), "member": {"roles": [str(MODS)] if author == BOB else [], "nick": None,
                                                         "joined_at": T0.isoformat(), "deaf": False, "mute": False, "flags": 0}}
        return data | fields

    def message(self, minute: float, author: int, content: str, channel=None, **fields) -> discord.Message:
        channel = channel or self.guild.get_channel(CHANNEL)
        return discord.Message(state=self.state, channel=channel, data=self.payload(minute, author, content, channel, **fields))


class FakeHTTP:
    """Answers the few REST calls the bot makes: channel history, typing, sending."""

    def __init__(self, world: World):
        self.world = world
        self.history: dict[int, list[dict]] = {}
        self.sent: list[dict] = []
        self.typing = 0

    async def logs_from(self, channel_id, limit, before=None, after=None, around=None):
        older = [p for p in self.history.get(int(channel_id), []) if before is None or int(p["id"]) < int(before)]
        return list(reversed(older))[:limit]  # newest first, as Discord answers

    async def send_typing(self, channel_id):
        self.typing += 1

    async def send_message(self, channel_id, *, params):
        self.sent.append(params.payload)
        return self.world.payload(60 + len(self.sent), ME, params.payload["content"], channel=self.world.state.get_channel(int(channel_id)))


@pytest.fixture
def world(core):
    return World(ChatcloneBot(core))


def test_a_server_message_converts_with_names_roles_and_mentions(world):
    message = world.message(0, BOB, f"<@{ME}> ask <@{ALICE}> in <#{CHANNEL}>", mentions=[_user(ME, "mika-bot", True), _user(ALICE, "alice")],
                            attachments=[{"id": "7", "filename": "cat.PNG", "size": 1, "url": "u", "proxy_url": "u"}])
    record = to_record(message, ME)
    assert (record.kind, record.guild_id, record.category_id, record.author_name) == (ChannelKind.GUILD, GUILD, CATEGORY, "Bob")
    assert record.content == "ask @Alice in #general" and record.mentions == ("Alice",) and record.attachments == ("image",)
    assert record.mentions_me and MODS in record.role_ids and record.created_at == T0


def test_a_mention_of_the_bots_own_role_counts_and_everyone_does_not(world):
    by_role = to_record(world.message(0, ALICE, "hi <@&1000000000000000051>", mention_roles=["1000000000000000051"]), ME)
    by_everyone = to_record(world.message(1, ALICE, "hi @everyone", mention_everyone=True), ME)
    assert by_role.mentions_me and by_role.content == "hi" and not by_everyone.mentions_me


def test_thread_and_dm_messages_convert_to_their_kind(world):
    in_thread = to_record(world.message(0, ALICE, "hi", channel=world.guild.get_thread(THREAD)), ME)
    in_dm = to_record(world.message(0, ALICE, "hi", channel=world.dm), ME)
    assert (in_thread.kind, in_thread.parent_id, in_thread.in_own_thread) == (ChannelKind.THREAD, CHANNEL, True)
    assert (in_dm.kind, in_dm.guild_id) == (ChannelKind.DM, None)
    assert should_reply(in_thread) and should_reply(in_dm)


def test_slash_command_answers_are_marked_and_system_messages_dropped(world):
    answer = world.message(0, ME, "Context cleared", type=20, interaction_metadata={
        "id": _snowflake(0), "type": 2, "user": _user(ALICE, "alice"), "authorizing_integration_owners": {}})
    joined = world.message(1, ALICE, "", type=7)
    assert to_record(answer, ME).is_command_output and to_record(joined, ME) is None


def test_a_mention_is_answered_from_the_channel_history_without_pinging_anyone(world, core):
    http = world.http
    http.history[CHANNEL] = [world.payload(0, ALICE, "anyone up?"), world.payload(1, BOB, "!roll d20"), world.payload(2, ME, "me!")]
    trigger = world.message(3, BOB, f"<@{ME}> what are you doing", mentions=[_user(ME, "mika-bot", True)])
    http.history[CHANNEL].append(world.payload(3, BOB, "a later message, not context"))

    async def deliver():
        world.state.loop = asyncio.get_running_loop()
        await world.client.on_message(trigger)

    asyncio.run(deliver())
    assert core.personas["Mika"].calls == [[{"role": "user", "content": "Alice: anyone up?"}, {"role": "assistant", "content": "me!"},
                                             {"role": "user", "content": "Bob: what are you doing"}]]
    assert http.typing >= 1 and [p["content"] for p in http.sent] == ["reply 1"]
    assert http.sent[0]["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert http.sent[0]["message_reference"]["message_id"] == trigger.id


def test_an_unmentioned_server_message_gets_nothing(world, core):
    asyncio.run(world.client.on_message(world.message(0, ALICE, "just chatting")))
    assert world.http.sent == [] and core.personas["Mika"].calls == []


# --- The real model


def test_the_bundled_model_answers_through_the_bot(tmp_path, base_model_path):
    from chatclone.serving import load_persona

    persona = load_persona(base_model_path, make_config(generation={"temperature": 0, "max_new_tokens": 16}, train={"max_length": 256}))
    if not hasattr(persona, "complete"):
        pytest.skip("Persona.complete is not in chatclone/serving/generation.py yet")
    core = BotCore({persona.name: persona}, BotSettings(), tmp_path)
    sent: list[str] = []

    async def fetch():
        return [post(0, "alice", "hi! what's your name?", mentions_me=True)]

    async def send(text):
        sent.append(text)

    completion = asyncio.run(core.respond(post(0, "alice", "hi"), fetch, send))
    core.close()
    assert completion.finish_reason in ("stop", "length") and 0 < completion.completion_tokens <= 16
    assert sent == [completion.text] and "<|im" not in completion.text and "alice:" not in completion.text.casefold()


def test_bot_discord_without_a_token_is_a_one_line_error_before_loading_any_model(tmp_path):
    import os
    import subprocess
    import sys

    from chatclone.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws", "mika", ["Mika"])
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "chatclone", "bot", "discord", "-w", str(ws.root)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode != 0 and "loading" not in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "$DISCORD_TOKEN" in done.stderr
