"""Where the Discord bot's token comes from (its settings are `[bot]` in persona.toml, config.BotSettings).

The token is never a setting: it comes from an environment variable (`token_env`, default
DISCORD_TOKEN) or from a secrets file kept outside the repository (`secrets_file`, a TOML file
with `discord_token = "..."`). It is carried as a pydantic SecretStr, so reprs, logs and
exceptions show `**********`.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from chatclone.config import BotSettings
from chatclone.errors import ConfigError

log = logging.getLogger(__name__)

TOKEN_KEY = "discord_token"


def resolve_token(settings: BotSettings, environ: Mapping[str, str], base_dir: Path) -> SecretStr:
    """The bot token: from environment variable `settings.token_env` in `environ`, else from `settings.secrets_file`.

    A relative secrets_file is read from `base_dir` (the workspace). Raises ConfigError, in one
    line and without the token, when neither has one or the file is unreadable.
    """
    if value := environ.get(settings.token_env, "").strip():
        return SecretStr(value)
    if not settings.secrets_file:
        raise ConfigError(f"no Discord bot token: set ${settings.token_env}, or [bot] secrets_file to a TOML file with {TOKEN_KEY} = \"...\"")
    path = Path(settings.secrets_file).expanduser()
    path = path if path.is_absolute() else Path(base_dir) / path
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: secrets file not found ([bot] secrets_file); set ${settings.token_env} or create it") from None
    except tomllib.TOMLDecodeError as e:
        # The decoder's message gives only the position, never the text around it.
        raise ConfigError(f"{path}: not valid TOML ({e})") from None
    token = data.get(TOKEN_KEY)
    if not isinstance(token, str) or not token.strip():
        raise ConfigError(f"{path}: no {TOKEN_KEY} = \"...\" in the secrets file")
    if path.stat().st_mode & 0o077:
        log.warning("%s can be read by other users; chmod 600 it", path)
    return SecretStr(token.strip())
