"""The ``local`` artifact store: a folder on this machine.

Its file operations use ``os`` and ``shutil`` directly (fsspec's local
filesystem is imported only when :attr:`~LocalArtifactStore.filesystem` is
asked for), and materializers get plain file objects, so numpy and pandas use
their fast paths.
"""

from __future__ import annotations

import builtins
import glob as globbing
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, cast

from zenml.artifact_stores.base import BaseArtifactStore, binary_options, is_write_mode
from zenml.artifact_stores.config import LocalArtifactStoreConfig
from zenml.utils.files import private_dir, replace_privately

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = ["LocalArtifactStore"]


def _local(path: str) -> str:
    """``path`` without a ``file://`` prefix."""
    return path[len("file://"):] if path.startswith("file://") else path


class LocalArtifactStore(BaseArtifactStore):
    """Stores artifacts under a folder on this machine."""

    config: LocalArtifactStoreConfig

    def get_filesystem(self) -> AbstractFileSystem:
        """fsspec's local filesystem."""
        from fsspec.implementations.local import LocalFileSystem

        return LocalFileSystem(auto_mkdir=True)

    def _comparable(self, path: str) -> str:
        return os.path.abspath(_local(path))

    _real_root: tuple[str, str] | None = None  # (the root as configured, resolved)

    def contains(self, path: str, *, strict: bool = True) -> bool:
        """Whether ``path`` is inside the store's root (or the root itself, if not strict).

        As the base class's check (symlinks resolved), but only the part of
        ``path`` below the root is looked at, one ``lstat`` per existing
        component; a symlink or ``..`` there gets the full check.
        """
        root = self.path
        if self._real_root is None or self._real_root[0] != root:
            self._real_root = (root, os.path.realpath(root))
        real_root = self._real_root[1]
        absolute = os.path.abspath(_local(path))
        if absolute in (root, real_root):
            return not strict
        prefix = root.rstrip("/") + "/"
        if not absolute.startswith(prefix) or ".." in _local(path).split("/"):
            return super().contains(path, strict=strict)
        current = real_root
        for part in absolute[len(prefix):].split("/"):
            current = os.path.join(current, part)
            try:
                mode = os.lstat(current).st_mode
            except FileNotFoundError:
                break  # nothing below a missing folder can be a link
            except OSError:
                return super().contains(path, strict=strict)
            if stat.S_ISLNK(mode):
                return super().contains(path, strict=strict)
        return True

    @contextmanager
    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> Iterator[IO[Any]]:
        """A plain file object (numpy and pandas use their fast paths on it).

        A file opened with ``"w"`` is written as a private (0600) temporary file
        beside it and renamed over ``path`` when the block ends without error;
        otherwise the temporary file is removed and ``path`` is left as it was.
        While a hash is followed for its artifact (:meth:`hash_while_writing`),
        the file is handed out hashed as it is written.
        """
        path = _local(path)
        if "b" not in mode:
            kwargs.setdefault("encoding", "utf-8")
        if not is_write_mode(mode):
            with builtins.open(path, mode, **kwargs) as handle:
                yield handle
            return
        self.check_inside(path, "write")
        private_dir(os.path.dirname(os.path.abspath(path)))
        found = self._follower(path)
        if "w" not in mode:  # appending or updating works on the file itself
            if found is not None:
                found[0].valid = False
            with builtins.open(path, mode, **kwargs) as handle:
                yield handle
            return
        if found is None:
            with replace_privately(path, mode, **kwargs) as handle:
                yield handle
            return
        binary = mode.replace("t", "") + ("" if "b" in mode else "b")
        with replace_privately(path, binary, **binary_options(kwargs)) as handle, \
                self._hashing_handle(path, handle, mode, **kwargs) as wrapped:
            yield wrapped

    def _listing(self, path: str) -> list[tuple[str, int]]:
        root = self._comparable(path.rstrip("/"))
        if not os.path.isdir(root):
            return [("", os.path.getsize(root))]
        files = []
        for folder, _dirs, names in os.walk(root, followlinks=True):
            for name in names:
                full = os.path.join(folder, name)
                files.append((full[len(root):], os.path.getsize(full)))
        return sorted(files)

    def _read_file(self, path: str) -> IO[bytes]:
        return cast("IO[bytes]", builtins.open(path, "rb"))

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists."""
        return os.path.exists(_local(path))

    def makedirs(self, path: str) -> None:
        """Create ``path`` and its parents, private to their owner (0700; no error if it
        exists)."""
        self.check_inside(path, "create", strict=False)
        private_dir(_local(path))

    def listdir(self, path: str) -> list[str]:
        """The names of the entries directly under ``path``."""
        path = _local(path)
        if not os.path.isdir(path):
            os.stat(path)  # FileNotFoundError when missing, as fsspec's
            return [os.path.basename(path.rstrip("/"))]
        return sorted(os.listdir(path))

    def remove(self, path: str) -> None:
        """Delete one file (inside the store)."""
        self.check_inside(path, "delete")
        os.remove(_local(path))

    def rmtree(self, path: str) -> None:
        """Delete a folder and everything under it (inside the store, not the root)."""
        self.check_inside(path, "delete")
        path = _local(path)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)

    def copyfile(self, src: str, dst: str, overwrite: bool = False) -> None:
        """Copy one file inside the store."""
        self.check_inside(src, "copy")
        self.check_inside(dst, "copy to")
        if not overwrite and self.exists(dst):
            raise FileExistsError(f"{dst} exists; pass overwrite=True to replace it")
        private_dir(os.path.dirname(os.path.abspath(_local(dst))))
        shutil.copyfile(_local(src), _local(dst))

    def glob(self, pattern: str) -> list[str]:
        """The paths matching ``pattern``."""
        return sorted(globbing.glob(_local(pattern), recursive=True))

    def provision(self) -> None:
        """Create the store's folder."""
        self.makedirs(self.path)

    @property
    def is_provisioned(self) -> bool:
        """Whether the store's folder exists."""
        return os.path.isdir(self.path)
