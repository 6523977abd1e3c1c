"""``StatisticsArtifact``: an artifact type of the original framework."""

from __future__ import annotations

from typing import ClassVar

from zenml.artifacts.base_artifact import BaseArtifact

__all__ = ["StatisticsArtifact"]


class StatisticsArtifact(BaseArtifact):
    """Statistics of a dataset."""

    TYPE_NAME: ClassVar[str] = "StatisticsArtifact"
