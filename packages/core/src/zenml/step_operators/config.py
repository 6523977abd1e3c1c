"""The base configuration of step operators."""

from __future__ import annotations

from zenml.stack.config import StackComponentConfig

__all__ = ["BaseStepOperatorConfig"]


class BaseStepOperatorConfig(StackComponentConfig):
    """Base configuration of every step operator."""
