"""The ``local`` artifact store: a folder on this machine."""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from zenml.artifact_stores.base import BaseArtifactStore, is_write_mode
from zenml.artifact_stores.config import LocalArtifactStoreConfig
from zenml.utils.files import replace_privately

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

    def _comparable(self, path: str) -> str:
        return os.path.abspath(path[len("file://"):] if path.startswith("file://") else path)

    @contextmanager
    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> Iterator[IO[Any]]:
        """A plain file object (numpy and pandas use their fast paths on it).

        A file opened with ``"w"`` is written as a private (0600) temporary file
        beside it and renamed over ``path`` when the block ends without error;
        otherwise the temporary file is removed and ``path`` is left as it was.
        """
        if "b" not in mode:
            kwargs.setdefault("encoding", "utf-8")
        if not is_write_mode(mode):
            with builtins.open(path, mode, **kwargs) as handle:
                yield handle
            return
        self.check_inside(path, "write")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        if "w" not in mode:  # appending or updating works on the file itself
            with builtins.open(path, mode, **kwargs) as handle:
                yield handle
            return
        with replace_privately(path, mode, **kwargs) as handle:
            yield handle

    def provision(self) -> None:
        """Create the store's folder."""
        self.makedirs(self.path)

    @property
    def is_provisioned(self) -> bool:
        """Whether the store's folder exists."""
        return os.path.isdir(self.path)
