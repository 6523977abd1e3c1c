"""The base configuration of secrets managers."""

from __future__ import annotations

from zenml.stack.config import StackComponentConfig

__all__ = ["BaseSecretsManagerConfig", "LocalSecretsManagerConfig"]


class BaseSecretsManagerConfig(StackComponentConfig):
    """Base configuration of every secrets manager."""


class LocalSecretsManagerConfig(BaseSecretsManagerConfig):
    """Secrets encrypted in a file in the config folder; the key in the OS keyring or beside.

    The key is kept apart from the file: in the operating system keyring, or in a
    0600 key file beside the global config folder (see ``zenml.secrets_managers.local``).
    """

    @property
    def is_local(self) -> bool:
        """A file on this machine (pods of a remote orchestrator cannot read it)."""
        return True
