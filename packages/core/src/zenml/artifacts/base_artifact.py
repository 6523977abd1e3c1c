"""``BaseArtifact``: the original framework's artifact type, as its materializers saw it.

A materializer written for that framework reads and writes files under
``self.artifact.uri``; its ``ASSOCIATED_ARTIFACT_TYPES`` name one of the
artifact classes of :mod:`zenml.artifacts`. Here an artifact is plain data:
where its files are, and the output name.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["BaseArtifact"]


class BaseArtifact:
    """An artifact folder: ``uri`` is where its files are; ``name`` the output's name."""

    TYPE_NAME: ClassVar[str] = "BaseArtifact"

    def __init__(self, uri: str = "", name: str = "", id: str | None = None) -> None:
        self.uri = uri
        self.name = name
        self.id = id

    @property
    def type_name(self) -> str:
        """The artifact type's name (``DataArtifact``, ``ModelArtifact``...)."""
        return self.TYPE_NAME

    def __repr__(self) -> str:
        return f"{type(self).__name__}(uri={self.uri!r}, name={self.name!r})"
