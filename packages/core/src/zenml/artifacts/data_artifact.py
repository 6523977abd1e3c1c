"""``DataArtifact``: an artifact type of the original framework."""

from __future__ import annotations

from typing import ClassVar

from zenml.artifacts.base_artifact import BaseArtifact

__all__ = ["DataArtifact"]


class DataArtifact(BaseArtifact):
    """Data (datasets, arrays, frames)."""

    TYPE_NAME: ClassVar[str] = "DataArtifact"
