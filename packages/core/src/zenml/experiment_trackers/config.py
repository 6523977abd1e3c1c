"""The base configuration of experiment trackers."""

from __future__ import annotations

from zenml.stack.config import StackComponentConfig

__all__ = ["BaseExperimentTrackerConfig"]


class BaseExperimentTrackerConfig(StackComponentConfig):
    """Base configuration of every experiment tracker."""
