"""The base configuration of alerters."""

from __future__ import annotations

from zenml.stack.config import StackComponentConfig

__all__ = ["BaseAlerterConfig"]


class BaseAlerterConfig(StackComponentConfig):
    """Base configuration of every alerter."""
