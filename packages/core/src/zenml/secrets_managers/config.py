"""The base configuration of secrets managers."""

from __future__ import annotations

from zenml.stack.config import StackComponentConfig

__all__ = ["BaseSecretsManagerConfig"]


class BaseSecretsManagerConfig(StackComponentConfig):
    """Base configuration of every secrets manager."""
