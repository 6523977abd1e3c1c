"""``DataAnalysisArtifact``: an artifact type of the original framework."""

from __future__ import annotations

from typing import ClassVar

from zenml.artifacts.base_artifact import BaseArtifact

__all__ = ["DataAnalysisArtifact"]


class DataAnalysisArtifact(BaseArtifact):
    """The result of an analysis of data (e.g. drift reports)."""

    TYPE_NAME: ClassVar[str] = "DataAnalysisArtifact"
