"""The ``local`` artifact store: a folder on this machine."""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

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

    @contextmanager
    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> Iterator[IO[Any]]:
        """A plain file object (numpy and pandas use their fast paths on it)."""
        if any(flag in mode for flag in "wax+"):
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        if "b" not in mode:
            kwargs.setdefault("encoding", "utf-8")
        with builtins.open(path, mode, **kwargs) as handle:
            yield handle

    def provision(self) -> None:
        """Create the store's folder."""
        self.makedirs(self.path)

    @property
    def is_provisioned(self) -> bool:
        """Whether the store's folder exists."""
        return os.path.isdir(self.path)
