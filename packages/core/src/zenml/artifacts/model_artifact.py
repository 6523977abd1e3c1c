"""``ModelArtifact``: an artifact type of the original framework."""

from __future__ import annotations

from typing import ClassVar

from zenml.artifacts.base_artifact import BaseArtifact

__all__ = ["ModelArtifact"]


class ModelArtifact(BaseArtifact):
    """A trained model."""

    TYPE_NAME: ClassVar[str] = "ModelArtifact"
