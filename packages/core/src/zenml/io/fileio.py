"""The original framework's file functions, on local paths and any artifact store URI.

``fileio.open(os.path.join(self.artifact.uri, "data.txt"), "w")`` and the
rest work as they did in zenml 0.8-0.10. A path is handled by the artifact
store it lies in, so the store's rules apply (its credentials, writes only
under its root, a file written under a temporary name until closed). The
stores looked at, in order:

1. those made current with :func:`artifact_store_scope` (materializers, reads);
2. the artifact store of the step run executing in this thread;
3. for a URI with a scheme (``s3://...``), the registered artifact stores whose
   path contains it.

Any other path goes to fsspec's filesystem for its scheme (the local disk for a
plain path). Paths are ``str`` (``bytes`` are decoded as UTF-8).
"""

from __future__ import annotations

import builtins
import contextvars
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from zenml.errors import ArtifactStoreError

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

    from zenml.artifact_stores.base import BaseArtifactStore

PathType = str | bytes

__all__ = [
    "PathType",
    "artifact_store_scope",
    "convert_to_str",
    "copy",
    "exists",
    "find_files",
    "glob",
    "is_remote",
    "is_root",
    "isdir",
    "listdir",
    "makedirs",
    "mkdir",
    "open",
    "remove",
    "rename",
    "rmtree",
    "size",
    "stat",
    "walk",
]

#: Integrations that bring the filesystem of a scheme, for the one-line hint.
_SCHEME_INTEGRATIONS = {"s3": "s3", "s3a": "s3", "gs": "gcp", "gcs": "gcp", "az": "azure",
                        "abfs": "azure", "abfss": "azure"}

_SCOPE: contextvars.ContextVar[tuple[BaseArtifactStore, ...]] = contextvars.ContextVar(
    "zenml_fileio_stores", default=())
#: Registered stores instantiated for a URI, by component id and config (each built once).
_REGISTERED: dict[tuple[str, str], BaseArtifactStore] = {}


def convert_to_str(path: PathType | os.PathLike[str]) -> str:
    """A path as ``str`` (``bytes`` decoded as UTF-8)."""
    if isinstance(path, bytes):
        return path.decode("utf-8")
    return os.fspath(path)


def _scheme(path: str) -> str:
    head, sep, _ = path.partition("://")
    return head.lower() if sep and head.replace("+", "").replace("-", "").isalnum() else ""


def is_remote(path: str) -> bool:
    """Whether ``path`` is a URI of a remote filesystem (``s3://``, ``gs://``...)."""
    return _scheme(convert_to_str(path)) not in ("", "file", "local")


def is_root(path: str) -> bool:
    """Whether ``path`` is the root of the local filesystem."""
    return os.path.dirname(os.path.abspath(path)) == os.path.abspath(path)


@contextmanager
def artifact_store_scope(store: BaseArtifactStore) -> Iterator[BaseArtifactStore]:
    """Within the block, paths under ``store``'s root go through ``store``."""
    token = _SCOPE.set((store, *_SCOPE.get()))
    try:
        yield store
    finally:
        _SCOPE.reset(token)


# -- which filesystem ----------------------------------------------------------------------

def _claims(store: BaseArtifactStore, path: str) -> bool:
    try:
        return store.contains(path, strict=False)
    except (ValueError, TypeError):
        return False


def _in_process_stores() -> list[BaseArtifactStore]:
    stores = list(_SCOPE.get())
    from zenml.execution.step_info import current_step_run

    info = current_step_run()
    if info is not None:
        stores.append(info.stack.artifact_store)
    return stores


def _registered_store(path: str) -> BaseArtifactStore | None:
    """A registered artifact store whose path contains the URI ``path``, if any."""
    try:
        from zenml.config.global_config import store_path
        from zenml.repository import Repository
        from zenml.stack.component_type import StackComponentType

        if not store_path().exists():  # never create a stack store just to look
            return None
        repository = Repository()
        models = repository.store.list_components(StackComponentType.ARTIFACT_STORE)
    except Exception:  # no readable stack store here (e.g. in a pod): use fsspec
        return None
    for model in models:
        root = str(model.config.get("path", "")).rstrip("/")
        if not root or _scheme(root) != _scheme(path):
            continue
        if path.rstrip("/") != root and not path.startswith(root + "/"):
            continue
        key = (model.id, repr(sorted(model.config.items())))
        cached = _REGISTERED.get(key)
        if cached is not None:
            if _claims(cached, path):
                return cached
            continue
        try:
            component = repository.instantiate(model)
        except Exception:  # its flavor is not installed: fsspec may still read it
            continue
        from zenml.artifact_stores.base import BaseArtifactStore

        if not isinstance(component, BaseArtifactStore):
            continue
        _REGISTERED[key] = component
        if _claims(component, path):
            return component
    return None


def _fsspec_filesystem(path: str) -> AbstractFileSystem:
    import fsspec

    scheme = _scheme(path) or "file"
    try:
        return fsspec.filesystem(scheme)
    except (ImportError, ValueError) as error:
        integration = _SCHEME_INTEGRATIONS.get(scheme)
        fix = (f"run 'zenml integration install {integration}'" if integration
               else "install the fsspec filesystem package for it")
        raise ArtifactStoreError(f"No filesystem for '{scheme}://' paths ({path}): {fix} "
                                 f"({str(error).strip().splitlines()[0]})") from None


class _Target:
    """Where a path's operations go: an artifact store (with its rules) or fsspec."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.store: BaseArtifactStore | None = None
        for store in _in_process_stores():
            if _claims(store, path):
                self.store = store
                break
        if self.store is None and is_remote(path):
            self.store = _registered_store(path)
        self.fs: AbstractFileSystem = (self.store.filesystem if self.store is not None
                                       else _fsspec_filesystem(path))

    def guard(self, path: str, action: str, strict: bool = True) -> None:
        if self.store is not None:
            self.store.check_inside(path, action, strict=strict)

    def same(self, other: _Target) -> bool:
        return self.store is other.store and type(self.fs) is type(other.fs)

    def uri(self, found: str) -> str:
        """A path fsspec returned, with the scheme of the path asked about."""
        scheme = _scheme(self.path)
        if scheme and scheme not in ("file", "local") and "://" not in found:
            return f"{scheme}://{found}"
        return found


def _target(path: PathType) -> tuple[_Target, str]:
    text = convert_to_str(path)
    return _Target(text), text


# -- files --------------------------------------------------------------------------------

class _ClosingFile:
    """A file written through an artifact store: closing it moves it into place."""

    def __init__(self, manager: Any) -> None:
        self._manager = manager
        self._handle: IO[Any] = manager.__enter__()
        self._open = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._handle)

    def __enter__(self) -> _ClosingFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._finish(*exc)

    def close(self) -> None:
        """Finish the write (the file appears under its real name)."""
        self._finish(None, None, None)

    @property
    def closed(self) -> bool:
        """Whether the file is closed."""
        return not self._open

    def _finish(self, *exc: Any) -> None:
        if self._open:
            self._open = False
            self._manager.__exit__(*exc)

    def __del__(self) -> None:
        if getattr(self, "_open", False):
            self.close()


def open(path: PathType, mode: str = "r") -> Any:
    """Open a file (text mode ``"r"`` by default), as a file object (``with`` works too)."""
    target, text = _target(path)
    writing = any(flag in mode for flag in "wax+")
    if target.store is not None and writing:
        kwargs: dict[str, Any] = {} if "b" in mode else {"encoding": "utf-8"}
        return _ClosingFile(target.store.open(text, mode, **kwargs))
    if target.store is None and _scheme(text) in ("", "file", "local"):
        local = text[len("file://"):] if text.startswith("file://") else text
        if "b" in mode:
            return builtins.open(local, mode)
        return builtins.open(local, mode, encoding="utf-8")
    if "b" not in mode:
        return target.fs.open(text, mode, encoding="utf-8")
    return target.fs.open(text, mode)


def exists(path: PathType) -> bool:
    """Whether ``path`` exists."""
    target, text = _target(path)
    return bool(target.fs.exists(text))


def isdir(path: PathType) -> bool:
    """Whether ``path`` is a directory."""
    target, text = _target(path)
    return bool(target.fs.isdir(text))


def listdir(path: PathType) -> list[str]:
    """The names of the entries directly in the directory ``path`` (no paths)."""
    target, text = _target(path)
    if not target.fs.isdir(text):
        raise FileNotFoundError(f"{text} is not a directory")
    return sorted(entry.rstrip("/").rsplit("/", 1)[-1]
                  for entry in target.fs.ls(text, detail=False)
                  if entry.rstrip("/") != target.fs._strip_protocol(text).rstrip("/"))


def makedirs(path: PathType) -> None:
    """Create the directory ``path`` and its parents (no error if it exists)."""
    target, text = _target(path)
    if target.store is not None:
        target.store.makedirs(text)
    else:
        target.fs.makedirs(text, exist_ok=True)


def mkdir(path: PathType) -> None:
    """Create the directory ``path``; its parent must exist."""
    target, text = _target(path)
    target.guard(text, "create", strict=False)
    target.fs.mkdir(text, create_parents=False)


def remove(path: PathType) -> None:
    """Delete the file ``path``."""
    target, text = _target(path)
    if not target.fs.exists(text):
        raise FileNotFoundError(f"{text} does not exist")
    target.guard(text, "delete")
    target.fs.rm_file(text)


def rmtree(dir_path: PathType) -> None:
    """Delete the directory ``dir_path`` and everything in it."""
    target, text = _target(dir_path)
    if not target.fs.isdir(text):
        raise TypeError(f"Path '{text}' is not a directory.")
    target.guard(text, "delete")
    target.fs.rm(text, recursive=True)


def copy(src: PathType, dst: PathType, overwrite: bool = False) -> None:
    """Copy the file ``src`` to ``dst`` (across filesystems too)."""
    source, src_text = _target(src)
    destination, dst_text = _target(dst)
    if not overwrite and destination.fs.exists(dst_text):
        raise FileExistsError(f"Destination file '{dst_text}' already exists and "
                              f"`overwrite` is false.")
    if source.same(destination):
        destination.guard(dst_text, "copy to")
        source.fs.copy(src_text, dst_text)
        return
    with open(src_text, "rb") as reader, open(dst_text, "wb") as writer:
        while chunk := reader.read(1 << 20):
            writer.write(chunk)


def rename(src: PathType, dst: PathType, overwrite: bool = False) -> None:
    """Move ``src`` to ``dst`` on one filesystem."""
    source, src_text = _target(src)
    destination, dst_text = _target(dst)
    if not source.same(destination):
        raise NotImplementedError(f"Renaming from {src_text} to {dst_text} across "
                                  f"filesystems is not supported; copy, then remove")
    if not overwrite and destination.fs.exists(dst_text):
        raise FileExistsError(f"Destination file '{dst_text}' already exists and "
                              f"`overwrite` is false.")
    source.guard(src_text, "move")
    destination.guard(dst_text, "move to")
    source.fs.mv(src_text, dst_text, recursive=True)


def glob(pattern: PathType) -> list[str]:
    """The paths matching ``pattern`` (with its scheme)."""
    target, text = _target(pattern)
    return sorted(target.uri(str(found)) for found in target.fs.glob(text))


def stat(path: PathType) -> Any:
    """``os.stat`` of a local path; the filesystem's info (a dict) of a remote one."""
    target, text = _target(path)
    if not is_remote(text):
        return os.stat(text[len("file://"):] if text.startswith("file://") else text)
    return target.fs.info(text)


def size(path: PathType) -> int:
    """The size of a file in bytes."""
    target, text = _target(path)
    return int(target.fs.size(text))


def walk(top: PathType, topdown: bool = True,
         onerror: Callable[..., None] | None = None
         ) -> Iterable[tuple[str, list[str], list[str]]]:
    """``(directory, subdirectory names, file names)`` for every directory under ``top``."""
    target, text = _target(top)
    if not is_remote(text):
        yield from os.walk(text, topdown=topdown, onerror=onerror)
        return
    for root, dirs, files in target.fs.walk(text, topdown=topdown, on_error="omit"):
        yield target.uri(str(root)), list(dirs), list(files)


def find_files(dir_path: PathType, pattern: str) -> Iterable[str]:
    """The files under ``dir_path`` whose name matches ``pattern`` (``*.png``)."""
    import fnmatch

    for root, _, files in walk(dir_path):
        for name in files:
            if fnmatch.fnmatch(name, pattern):
                yield f"{root.rstrip('/')}/{name}" if is_remote(root) else os.path.join(root,
                                                                                        name)
