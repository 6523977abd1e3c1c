"""The base configuration of model deployers."""

from __future__ import annotations

from zenml.stack.config import StackComponentConfig

__all__ = ["BaseModelDeployerConfig"]


class BaseModelDeployerConfig(StackComponentConfig):
    """Base configuration of every model deployer."""
