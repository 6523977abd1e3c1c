"""``ServiceArtifact``: an artifact type of the original framework."""

from __future__ import annotations

from typing import ClassVar

from zenml.artifacts.base_artifact import BaseArtifact

__all__ = ["ServiceArtifact"]


class ServiceArtifact(BaseArtifact):
    """A running service (e.g. a deployed model server)."""

    TYPE_NAME: ClassVar[str] = "ServiceArtifact"
