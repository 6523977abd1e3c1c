"""Files private to their owner: folders 0700, files 0600, from the moment they exist.

Modes are given when a path is created (``os.mkdir(path, 0o700)``,
``os.open(..., 0o600)``), never by changing the process umask. Paths made
before zenml did so are tightened on first use, with one notice per process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["open_private", "private_dir", "replace_privately", "tighten"]

logger = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
_notified = False


def private_dir(path: Path | str) -> Path:
    """Create ``path`` and its missing parents as 0700 folders; return it.

    Folders that exist already are left as they are (see :func:`tighten`).
    """
    path = Path(path)
    missing: list[Path] = []
    current = path
    while not current.is_dir():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise
    return path


def open_private(path: Path | str, flags: int = os.O_WRONLY | os.O_CREAT | os.O_APPEND) -> int:
    """``os.open`` a file that is created 0600 (an existing file keeps its mode)."""
    return os.open(path, flags, FILE_MODE)


@contextlib.contextmanager
def replace_privately(path: Path | str, mode: str = "w", *, durable: bool = False,
                      **kwargs: Any) -> Iterator[IO[Any]]:
    """Write ``path`` whole or not at all: a 0600 temporary file beside it, renamed
    over ``path`` when the block ends without error, removed otherwise.

    ``durable`` flushes the file and the folder's entry to disk before returning
    (for small records that must survive a crash; artifacts skip it). A link at
    ``path`` is replaced, not followed. ``OSError`` from creating the temporary
    file or writing it reaches the caller, with ``path`` left as it was.
    """
    folder, name = os.path.split(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix=f".{name[:32]}.", suffix=".partial",
                                             dir=folder)
    try:
        with os.fdopen(descriptor, mode, **kwargs) as handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    if durable and hasattr(os, "O_DIRECTORY"):  # make the rename itself durable
        folder_descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder_descriptor)
        finally:
            os.close(folder_descriptor)


def tighten(paths: Iterable[Path | str], reason: str = "zenml's stores may hold secrets"
            ) -> list[Path]:
    """Remove group and other permissions from existing ``paths`` owned by this user.

    Symbolic links, paths of other users and folders with the sticky bit
    (shared folders such as ``/tmp``) are left alone. The first change in a
    process logs one warning; returns the paths changed.
    """
    global _notified
    if not hasattr(os, "geteuid"):  # Windows: modes do not carry these permissions
        return []
    changed: list[tuple[Path, int, int]] = []
    for item in paths:
        path = Path(item)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode) or info.st_uid != os.geteuid():
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX:
            continue
        mode = stat.S_IMODE(info.st_mode)
        if not mode & 0o077:
            continue
        try:
            os.chmod(path, mode & ~0o077)
        except OSError as error:
            logger.debug("Cannot restrict %s to its owner: %s", path, error.strerror)
            continue
        changed.append((path, mode, mode & ~0o077))
    if changed:
        first, old, new = changed[0]
        more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
        log = logger.debug if _notified else logger.warning
        _notified = True
        log("Restricted %s%s to their owner (%o -> %o): %s", first, more, old, new, reason)
    return [path for path, _, _ in changed]
