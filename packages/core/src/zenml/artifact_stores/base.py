"""The base class of every artifact store: a filesystem rooted at ``path``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, ClassVar

from zenml.artifact_stores.config import BaseArtifactStoreConfig
from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = ["BaseArtifactStore"]


class BaseArtifactStore(StackComponent):
    """Stores artifacts through an fsspec filesystem.

    Subclasses implement :meth:`get_filesystem`; every file operation below
    goes through it, so a flavor only says which filesystem it is.
    """

    TYPE: ClassVar[StackComponentType] = StackComponentType.ARTIFACT_STORE
    config: BaseArtifactStoreConfig
    _fs: AbstractFileSystem | None = None

    @property
    def path(self) -> str:
        """The root path or URI of the store."""
        return self.config.path

    def get_filesystem(self) -> AbstractFileSystem:
        """Create the fsspec filesystem (called once, then cached)."""
        raise NotImplementedError

    @property
    def filesystem(self) -> AbstractFileSystem:
        """The fsspec filesystem the store works through."""
        if self._fs is None:
            self._fs = self.get_filesystem()
        return self._fs

    @contextmanager
    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> Iterator[IO[Any]]:
        """Open a file in the store."""
        with self.filesystem.open(path, mode, **kwargs) as handle:
            yield handle

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists."""
        return bool(self.filesystem.exists(path))

    def makedirs(self, path: str) -> None:
        """Create ``path`` and its parents (no error if it exists)."""
        self.filesystem.makedirs(path, exist_ok=True)

    def listdir(self, path: str) -> list[str]:
        """The names of the entries directly under ``path``."""
        return sorted(
            entry.rstrip("/").rsplit("/", 1)[-1]
            for entry in self.filesystem.ls(path, detail=False)
        )

    def remove(self, path: str) -> None:
        """Delete one file."""
        self.filesystem.rm_file(path)

    def rmtree(self, path: str) -> None:
        """Delete a folder and everything under it."""
        self.filesystem.rm(path, recursive=True)

    def copyfile(self, src: str, dst: str, overwrite: bool = False) -> None:
        """Copy one file inside the store."""
        if not overwrite and self.exists(dst):
            raise FileExistsError(f"{dst} exists; pass overwrite=True to replace it")
        self.filesystem.copy(src, dst)

    def content_hash(self, path: str) -> str | None:
        """SHA-256 of every file under ``path`` (names and bytes), for cache keys.

        Stores that know a content checksum already (an object store's ETag)
        may override this to avoid reading the files back; ``None`` means
        "unknown", and the artifact is then identified by its id.
        """
        import hashlib

        root = str(self.filesystem._strip_protocol(path.rstrip("/")))
        digest = hashlib.sha256()
        files = sorted(self.filesystem.find(root)) if self.filesystem.isdir(root) else [root]
        for file in files:
            digest.update(str(file)[len(root):].encode() + b"\0")
            with self.filesystem.open(file, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
            digest.update(b"\0")
        return digest.hexdigest()

    def glob(self, pattern: str) -> list[str]:
        """The paths matching ``pattern``."""
        return sorted(self.filesystem.glob(pattern))
