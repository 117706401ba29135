"""The Discord bot (`chatclone bot discord`): a thin discord.py skin over `bot_logic.BotCore`.

It answers in DMs, when mentioned, and in the private threads it opened with /thread, from the
channel's recent history; slash commands: /reset /thread /persona /status /test /permissions.
Everything it decides is in bot_logic; here are only the conversions from discord.py objects
and the calls that need the gateway.

    run_bot({"Mika": persona}, BotSettings(), resolve_token(settings, os.environ, ws.root), ws.root / "bot")

The bot needs the Message Content intent (Developer Portal, Bot, Privileged Gateway Intents) and,
in servers, the permissions to read history, send messages, add reactions and create private threads.
"""

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from pydantic import SecretStr

from chatclone.errors import ChatcloneError
from chatclone.config import BotSettings
from chatclone.serving.bot_logic import (
    Admission,
    BotCore,
    ChannelKind,
    ChannelMessage,
    describe_rules,
    lines_from_history,
    load_scenarios,
    parse_test_file,
    render_mentions,
    should_reply,
    split_message,
)
from chatclone.sources.discord import attachment_kind

if TYPE_CHECKING:
    from chatclone.serving.generation import Persona

log = logging.getLogger(__name__)

SPEECH_TYPES = (discord.MessageType.default, discord.MessageType.reply)
COMMAND_TYPES = (discord.MessageType.chat_input_command, discord.MessageType.context_menu_command)
CHANNEL_SCENARIO = "channel messages"
MAX_TEST_FILE_BYTES = 64_000
NOTICE_SECONDS = 15  # rate-limit notices delete themselves after this long


def bot_intents() -> discord.Intents:
    """The gateway intents the bot needs: servers, their messages and DMs, and message content."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.messages = True  # guild_messages and dm_messages
    intents.message_content = True
    return intents


def _channel_place(channel, me_id: int) -> dict:
    """The ChannelMessage fields describing where a message was posted."""
    if isinstance(channel, (discord.DMChannel, discord.GroupChannel)):
        return {"kind": ChannelKind.DM}
    guild_id = channel.guild.id if getattr(channel, "guild", None) else None
    if isinstance(channel, discord.Thread):
        return {"kind": ChannelKind.THREAD, "guild_id": guild_id, "parent_id": channel.parent_id,
                "category_id": channel.category_id, "in_own_thread": channel.owner_id == me_id}
    return {"kind": ChannelKind.GUILD, "guild_id": guild_id, "category_id": getattr(channel, "category_id", None)}


def _mentions_me(message: discord.Message, me_id: int) -> bool:
    """Mentioned by user, or by the bot's own integration role (@everyone does not count)."""
    if any(user.id == me_id for user in message.mentions):
        return True
    return any(role.tags is not None and role.tags.bot_id == me_id for role in message.role_mentions)


def to_record(message: discord.Message, me_id: int) -> ChannelMessage | None:
    """`message` as a ChannelMessage for bot_logic; None for what is not speech (joins, pins, thread notices...)."""
    is_command_output = message.interaction_metadata is not None or message.type in COMMAND_TYPES
    if message.type not in SPEECH_TYPES and not is_command_output:
        return None
    author = message.author
    users = {u.id: u.display_name for u in message.mentions}
    roles = {r.id: r.name for r in message.role_mentions if not (r.tags is not None and r.tags.bot_id == me_id)}
    channels = {c.id: c.name for c in message.channel_mentions}
    attachments = tuple(attachment_kind(a.filename) for a in message.attachments) + ("sticker",) * len(message.stickers)
    return ChannelMessage(
        id=message.id,
        channel_id=message.channel.id,
        author_id=author.id,
        author_name=author.display_name,
        content=render_mentions(message.content, me_id, users, roles, channels),
        created_at=message.created_at,
        role_ids=tuple(r.id for r in getattr(author, "roles", ())),
        attachments=attachments,
        mentions=tuple(name for uid, name in users.items() if uid != me_id) + tuple(roles.values()),
        is_bot_self=author.id == me_id,
        author_is_bot=author.bot,
        mentions_me=_mentions_me(message, me_id),
        is_command_output=is_command_output,
        **_channel_place(message.channel, me_id),
    )


async def recent_records(channel, me_id: int, limit: int) -> list[ChannelMessage]:
    """The channel's last `limit` messages as ChannelMessages, oldest first (one history request)."""
    fetched = [m async for m in channel.history(limit=limit)]
    return [r for m in reversed(fetched) if (r := to_record(m, me_id)) is not None]


class ChatcloneBot(discord.Client):
    """The discord.py client: routes messages to BotCore and holds the slash command tree."""

    def __init__(self, core: BotCore):
        # Nothing the bot writes pings anyone, whatever the model generates (@everyone included).
        super().__init__(intents=bot_intents(), allowed_mentions=discord.AllowedMentions.none())
        self.core = core
        self.tree = build_tree(self, core)

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_ready(self) -> None:
        log.info("logged in as %s (id %s) in %d servers; personas: %s", self.user, self.user.id, len(self.guilds), ", ".join(self.core.personas))

    async def on_message(self, message: discord.Message) -> None:
        record = to_record(message, self.user.id)
        if record is None or not should_reply(record, self.core.settings.dms):
            return
        admission = self.core.admit(record)
        if admission == Admission.DENIED:
            log.debug("not answering user %s in channel %s: not allowed", record.author_id, record.channel_id)
        elif admission == Admission.LIMITED:
            notice = await message.reply(self.core.limit_notice(record.author_id), mention_author=False, delete_after=NOTICE_SECONDS)
            self.core.hidden.append(notice.id)
        elif admission == Admission.REPLY:
            await self._answer(message, record)

    async def _answer(self, message: discord.Message, record: ChannelMessage) -> None:
        channel = message.channel

        async def fetch_history():
            return await recent_records(channel, self.user.id, self.core.settings.history_messages)

        async def send(text: str) -> None:
            for i, piece in enumerate(split_message(text)):
                # In a busy channel a reply says what it answers; in DMs and its own threads it just talks.
                if i == 0 and record.kind == ChannelKind.GUILD:
                    await message.reply(piece, mention_author=False)
                else:
                    await channel.send(piece)

        try:
            await self.core.respond(record, fetch_history, send, typing=channel.typing)
        except discord.HTTPException as e:
            log.warning("could not answer in channel %s: %s %s", channel.id, e.status, e.text)
        except Exception:
            log.exception("generation failed in channel %s", channel.id)
            await message.add_reaction("\N{WARNING SIGN}")


def _allowed(core: BotCore, interaction: discord.Interaction) -> bool:
    channel = interaction.channel
    channel_ids = [i for i in (interaction.channel_id, getattr(channel, "parent_id", None), getattr(channel, "category_id", None)) if i]
    roles = [r.id for r in getattr(interaction.user, "roles", ())]
    return core.allowed(interaction.guild_id, interaction.user.id, roles, channel_ids)


NOT_ALLOWED = "You are not on this server's list of people the bot answers."


def build_tree(client: discord.Client, core: BotCore) -> app_commands.CommandTree:
    """The slash commands /reset /thread /persona /status /test /permissions, registered on a new CommandTree of `client`."""
    tree = app_commands.CommandTree(client)
    scenarios = load_scenarios()

    @tree.command(name="reset", description="Forget the conversation: the bot reads no message from before this one")
    async def reset(interaction: discord.Interaction) -> None:
        if not _allowed(core, interaction):
            await interaction.response.send_message(NOT_ALLOWED, ephemeral=True)
            return
        core.reset(interaction.channel_id, interaction.created_at)
        await interaction.response.send_message("Context cleared: earlier messages are forgotten.")

    @tree.command(name="thread", description="Open a private thread with the persona; it answers every message there")
    @app_commands.guild_only()
    @app_commands.describe(name="the thread's name")
    async def thread(interaction: discord.Interaction, name: str | None = None) -> None:
        channel = interaction.channel
        if not _allowed(core, interaction):
            await interaction.response.send_message(NOT_ALLOWED, ephemeral=True)
            return
        if not isinstance(channel, discord.TextChannel):
            await interaction.response.send_message("Private threads can be opened in text channels only.", ephemeral=True)
            return
        persona = core.persona_for(channel.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            opened = await channel.create_thread(name=(name or f"{persona.name} & {interaction.user.display_name}")[:100],
                                                 type=discord.ChannelType.private_thread, invitable=False)
            await opened.add_user(interaction.user)
        except discord.Forbidden:
            await interaction.followup.send("I lack the Create Private Threads permission in this channel.", ephemeral=True)
            return
        core.thread_opened(opened.id, channel.id)
        await interaction.followup.send(f"Opened {opened.mention}: {persona.name} answers every message there.", ephemeral=True)

    @tree.command(name="persona", description="Choose which persona answers in this channel")
    @app_commands.describe(name="a loaded persona")
    @app_commands.choices(name=[app_commands.Choice(name=n, value=n) for n in list(core.personas)[:25]])
    async def persona(interaction: discord.Interaction, name: str) -> None:
        if not _allowed(core, interaction):
            await interaction.response.send_message(NOT_ALLOWED, ephemeral=True)
            return
        await interaction.response.send_message(core.choose_persona(interaction.channel_id, name))

    @tree.command(name="status", description="Persona, model, adapter run, uptime and latency")
    async def status(interaction: discord.Interaction) -> None:
        text = core.status(interaction.channel_id, getattr(interaction.channel, "parent_id", None), client.latency)
        await interaction.response.send_message(text, ephemeral=True)

    @tree.command(name="test", description="Replay test messages to the persona and post its replies")
    @app_commands.describe(scenario="a bundled scenario, or this channel's recent messages", file="a text file: one message per line")
    @app_commands.choices(scenario=[app_commands.Choice(name=n, value=n) for n in [*scenarios, CHANNEL_SCENARIO][:25]])
    async def test(interaction: discord.Interaction, scenario: str | None = None, file: discord.Attachment | None = None) -> None:
        if not _allowed(core, interaction):
            await interaction.response.send_message(NOT_ALLOWED, ephemeral=True)
            return
        if file is not None and file.size > MAX_TEST_FILE_BYTES:
            await interaction.response.send_message(f"The file is over {MAX_TEST_FILE_BYTES // 1000} kB.", ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        limit = core.settings.test_max_messages
        if file is not None:
            lines = parse_test_file((await file.read()).decode("utf-8", errors="replace"), limit)
        elif scenario == CHANNEL_SCENARIO:
            history = await recent_records(interaction.channel, client.user.id, core.settings.history_messages)
            persona = core.persona_for(interaction.channel_id, getattr(interaction.channel, "parent_id", None))
            lines = lines_from_history(history, persona.config.cleaning, core.reset_at(interaction.channel_id), limit)
        else:
            lines = scenarios[scenario or next(iter(scenarios))][:limit]
        if not lines:
            await interaction.followup.send("No test messages to replay.")
            return
        name, results = await core.run_test(interaction.channel_id, getattr(interaction.channel, "parent_id", None), lines)
        for result in results:
            quoted = "\n".join(f"> {line}" for line in result.message.splitlines())
            for piece in split_message(f"{quoted}\n**{name}:** {result.reply or '(nothing)'}"):
                await interaction.followup.send(piece)

    tree.add_command(permissions_group(core))
    return tree


def permissions_group(core: BotCore) -> app_commands.Group:
    """/permissions allow|deny|remove user|role|channel TARGET, and /permissions show; for Manage Server members."""
    group = app_commands.Group(name="permissions", description="Who the bot answers in this server (Manage Server only)",
                               guild_only=True, default_permissions=discord.Permissions(manage_guild=True))
    for action, description in (("allow", "Put on the allow list (an empty list allows everyone)"),
                                ("deny", "Put on the deny list (deny wins over allow)"),
                                ("remove", "Take off both lists")):
        sub = app_commands.Group(name=action, description=description, parent=group)
        for command in _rule_commands(core, action):
            sub.add_command(command)

    @group.command(name="show", description="Show this server's allow and deny lists")
    async def show(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(describe_rules(core.permissions.rules(interaction.guild_id)), ephemeral=True)

    return group


def _rule_commands(core: BotCore, action: str) -> list[app_commands.Command]:
    """The user, role and channel subcommands of one /permissions action."""

    async def change(interaction: discord.Interaction, kind: str, target_id: int) -> None:
        is_admin = interaction.permissions.manage_guild  # checked here too: default_permissions can be overridden per server
        text = core.change_permission(interaction.guild_id, is_admin, action, kind, target_id)
        log.info("permissions in server %s: %s %s %s by %s", interaction.guild_id, action, kind, target_id, interaction.user.id)
        await interaction.response.send_message(text, ephemeral=True)

    async def user(interaction: discord.Interaction, target: discord.User) -> None:
        await change(interaction, "user", target.id)

    async def role(interaction: discord.Interaction, target: discord.Role) -> None:
        await change(interaction, "role", target.id)

    async def channel(interaction: discord.Interaction, target: discord.abc.GuildChannel) -> None:
        await change(interaction, "channel", target.id)

    return [app_commands.Command(name=fn.__name__, description=f"{action} a {fn.__name__}", callback=fn) for fn in (user, role, channel)]


def run_bot(personas: Mapping[str, "Persona"], settings: BotSettings, token: SecretStr, state_dir: Path) -> None:
    """Run the bot until interrupted, answering as `personas` ({name: Persona}, the first one by default).

    `state_dir` holds permissions.json and channels.json. Raises ChatcloneError when Discord
    refuses the token or the Message Content intent is not enabled for the bot.
    """
    core = BotCore(personas, settings, state_dir)
    client = ChatcloneBot(core)
    try:
        client.run(token.get_secret_value(), log_handler=None)
    except discord.LoginFailure:
        raise ChatcloneError("Discord refused the bot token: copy it again from the Developer Portal (Bot, Reset Token)") from None
    except discord.PrivilegedIntentsRequired:
        raise ChatcloneError("enable the Message Content intent for the bot: Developer Portal, Bot, Privileged Gateway Intents") from None
    finally:
        core.close()
