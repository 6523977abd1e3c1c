"""``SchemaArtifact``: an artifact type of the original framework."""

from __future__ import annotations

from typing import ClassVar

from zenml.artifacts.base_artifact import BaseArtifact

__all__ = ["SchemaArtifact"]


class SchemaArtifact(BaseArtifact):
    """A data schema."""

    TYPE_NAME: ClassVar[str] = "SchemaArtifact"
