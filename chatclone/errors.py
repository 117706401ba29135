"""The one exception hierarchy of chatclone; the CLI turns each into one line and an exit code."""


class ChatcloneError(Exception):
    """Base of every error chatclone raises on purpose (bad input, bad config, missing files)."""

    exit_code = 2


class ConfigError(ChatcloneError):
    """persona.toml is missing, unreadable or invalid; the message names the file and key."""


class WorkspaceError(ChatcloneError):
    """The workspace directory is missing, or already exists where it must not."""


class SourceError(ChatcloneError):
    """A source file cannot be parsed; the message names the file and what is wrong."""

    exit_code = 1

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class WarehouseError(ChatcloneError):
    """A warehouse query or migration failed."""


class DatasetError(ChatcloneError):
    """The dataset cannot be built from what the warehouse holds."""
