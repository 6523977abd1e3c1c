"""The ``local`` artifact store: a folder on this machine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.artifact_stores.base import BaseArtifactStore
from zenml.artifact_stores.config import LocalArtifactStoreConfig

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = ["LocalArtifactStore"]


class LocalArtifactStore(BaseArtifactStore):
    """Stores artifacts under a folder on this machine."""

    config: LocalArtifactStoreConfig

    def get_filesystem(self) -> AbstractFileSystem:
        """fsspec's local filesystem."""
        from fsspec.implementations.local import LocalFileSystem

        return LocalFileSystem(auto_mkdir=True)

    def provision(self) -> None:
        """Create the store's folder."""
        self.makedirs(self.path)

    @property
    def is_provisioned(self) -> bool:
        """Whether the store's folder exists."""
        import os

        return os.path.isdir(self.path)
