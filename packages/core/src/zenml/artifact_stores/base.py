"""The base class of every artifact store: a filesystem rooted at ``path``.

Every operation that writes or deletes refuses a path outside the store's
root (compared after normalising ``..``, and for local stores after resolving
symlinks): whatever names a run carries, nothing outside the store is ever
written or removed through it. Files opened for writing (``"w"``) are written
under a temporary name and moved into place when complete, so a failed or
interrupted write never leaves a partial file under the real name.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, ClassVar

from zenml.artifact_stores.config import BaseArtifactStoreConfig
from zenml.errors import ArtifactStoreError
from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType
from zenml.utils.paths import is_under

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = ["BaseArtifactStore", "is_write_mode", "temporary_name"]


def is_write_mode(mode: str) -> bool:
    """Whether opening a file with ``mode`` may create or change it."""
    return any(flag in mode for flag in "wax+")


def temporary_name(path: str) -> str:
    """A hidden sibling of ``path`` to write into before moving it into place."""
    folder, _, name = path.rstrip("/").rpartition("/")
    return f"{folder}/.{name}.{uuid.uuid4().hex[:12]}.partial"


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

    # -- the root guard ------------------------------------------------------------------
    def _comparable(self, path: str) -> str:
        """``path`` as the filesystem names it (protocol stripped), for :meth:`contains`."""
        return str(self.filesystem._strip_protocol(path))

    def contains(self, path: str, *, strict: bool = True) -> bool:
        """Whether ``path`` is inside the store's root (or the root itself, if not strict)."""
        return is_under(self._comparable(self.path), self._comparable(path),
                        local=self.config.is_local, strict=strict)

    def check_inside(self, path: str, action: str, *, strict: bool = True) -> None:
        """Refuse (:class:`ArtifactStoreError`) to ``action`` a path outside the root."""
        if not self.contains(path, strict=strict):
            raise ArtifactStoreError(
                f"Artifact store '{self.name}': refusing to {action} '{path}', which is "
                f"outside the artifact store's root '{self.path}'; artifact paths must "
                f"stay under the root (a name or a symlink led outside)")

    # -- files ----------------------------------------------------------------------------
    @contextmanager
    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> Iterator[IO[Any]]:
        """Open a file in the store (writes go under a temporary name until complete)."""
        if not is_write_mode(mode):
            with self.filesystem.open(path, mode, **kwargs) as handle:
                yield handle
            return
        self.check_inside(path, "write")
        if "w" not in mode:  # appending or updating works on the file itself
            with self.filesystem.open(path, mode, **kwargs) as handle:
                yield handle
            return
        temporary = temporary_name(path)
        try:
            with self.filesystem.open(temporary, mode, **kwargs) as handle:
                yield handle
            self.filesystem.mv(temporary, path)
        except BaseException:
            with contextlib.suppress(Exception):  # the write failed either way
                if self.filesystem.exists(temporary):
                    self.filesystem.rm_file(temporary)
            raise

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists."""
        return bool(self.filesystem.exists(path))

    def makedirs(self, path: str) -> None:
        """Create ``path`` and its parents (no error if it exists)."""
        self.check_inside(path, "create", strict=False)
        self.filesystem.makedirs(path, exist_ok=True)

    def listdir(self, path: str) -> list[str]:
        """The names of the entries directly under ``path``."""
        return sorted(
            entry.rstrip("/").rsplit("/", 1)[-1]
            for entry in self.filesystem.ls(path, detail=False)
        )

    def remove(self, path: str) -> None:
        """Delete one file (inside the store)."""
        self.check_inside(path, "delete")
        self.filesystem.rm_file(path)

    def rmtree(self, path: str) -> None:
        """Delete a folder and everything under it (inside the store, not the root)."""
        self.check_inside(path, "delete")
        self.filesystem.rm(path, recursive=True)

    def copyfile(self, src: str, dst: str, overwrite: bool = False) -> None:
        """Copy one file inside the store."""
        self.check_inside(src, "copy")
        self.check_inside(dst, "copy to")
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
