"""The base configuration of feature stores."""

from __future__ import annotations

from zenml.stack.config import StackComponentConfig

__all__ = ["BaseFeatureStoreConfig"]


class BaseFeatureStoreConfig(StackComponentConfig):
    """Base configuration of every feature store."""
