"""The base class of every artifact store: a filesystem rooted at ``path``.

Every operation that writes or deletes refuses a path outside the store's
root (compared after normalising ``..``, and for local stores after resolving
symlinks): whatever names a run carries, nothing outside the store is ever
written or removed through it. Files opened for writing (``"w"``) are written
under a temporary name and moved into place when complete, so a failed or
interrupted write never leaves a partial file under the real name.

While the launcher writes an output (:meth:`BaseArtifactStore.hash_while_writing`),
the files opened for writing under it feed the artifact's content hash as they
are written (:class:`HashingWriter`), so :meth:`BaseArtifactStore.content_hash`
need not read them back.

The content hash is BLAKE3 (a cryptographic hash several times cheaper than
SHA-256, so hashing a large output can hide behind writing it), stored as
``blake3:<56 hex digits>`` (224 bits of output, to fit the records' 64-character
column). Hashes recorded before it (64 hex digits, SHA-256, no prefix) keep their
meaning and never equal a new one: a store written before the change gets cache
misses once, never a wrong hit. See :data:`CONTENT_HASH_PREFIX`.
"""

from __future__ import annotations

import contextlib
import functools
import io
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, ClassVar, Protocol, cast

from zenml.artifact_stores.config import BaseArtifactStoreConfig
from zenml.errors import ArtifactStoreError
from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType
from zenml.utils.paths import is_under

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = ["CONTENT_HASH_PREFIX", "BaseArtifactStore", "FollowedHash", "HashingWriter",
           "binary_options", "content_digest", "content_hash_string", "is_write_mode",
           "preallocate", "temporary_name"]

#: Chunks at least this big are hashed in a helper thread while the caller writes
#: them (blake3 releases the GIL on large inputs), so hashing and writing overlap.
OVERLAP_BYTES = 1 << 20

#: The version tag of the content hash's definition: ``blake3:`` then the first
#: :data:`CONTENT_HASH_BYTES` bytes of BLAKE3 (hex) over ``<relative path>\0<bytes>\0``
#: per file, in sorted path order. An unprefixed 64-hex value is the SHA-256 of the
#: same bytes (recorded before the change); the two are never compared as equal.
CONTENT_HASH_PREFIX = "blake3:"
#: 224 bits (112-bit collision resistance): ``blake3:`` + 56 hex fits 64 characters.
CONTENT_HASH_BYTES = 28


class _Digest(Protocol):
    """What the content hash needs of a hasher (``blake3.blake3``)."""

    def update(self, data: Any, /) -> Any: ...

    def hexdigest(self, length: int = ...) -> str: ...


def content_digest() -> _Digest:
    """A fresh hasher of the content hash's definition (blake3, imported here, not at
    CLI import; one thread: the writing thread uses the other core)."""
    from blake3 import blake3

    return cast("_Digest", blake3())


def content_hash_string(digest: _Digest) -> str:
    """The stored form of a content hash: ``blake3:<56 hex digits>``."""
    return CONTENT_HASH_PREFIX + digest.hexdigest(length=CONTENT_HASH_BYTES)


def is_write_mode(mode: str) -> bool:
    """Whether opening a file with ``mode`` may create or change it."""
    return any(flag in mode for flag in "wax+")


def temporary_name(path: str) -> str:
    """A hidden sibling of ``path`` to write into before moving it into place."""
    folder, _, name = path.rstrip("/").rpartition("/")
    return f"{folder}/.{name}.{uuid.uuid4().hex[:12]}.partial"


@functools.cache
def _fallocate() -> Callable[[int, int, int, int], int] | None:
    """Linux's ``fallocate(fd, mode, offset, length)`` from the C library (None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = getattr(libc, "fallocate64", None) or libc.fallocate
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
    function.restype = ctypes.c_int
    return cast("Callable[[int, int, int, int], int]", function)


def preallocate(handle: IO[bytes], size: int) -> None:
    """Reserve disk space for ``size`` bytes about to be written at ``handle``'s position
    (Linux ``fallocate`` with ``FALLOC_FL_KEEP_SIZE``, as ``numpy.tofile`` does): the
    file's size does not change, and the kernel then allocates the blocks in one go
    instead of page by page (100 MB: ~20 ms of writing becomes ~14 ms here). Never
    emulated by writing zeros; anything unsupported is silently skipped."""
    function = _fallocate()
    if function is None:
        return
    try:
        descriptor, offset = handle.fileno(), handle.tell()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return
    function(descriptor, 1, offset, size)  # 1 = FALLOC_FL_KEEP_SIZE; errors ignored


class FollowedHash:
    """The content hash of one artifact folder, fed by the files written under it.

    It is the hash :meth:`BaseArtifactStore.content_hash` reads back (BLAKE3
    over ``<relative path>\\0<bytes>\\0`` per file, in sorted order), valid only
    while the files are written one at a time, in sorted order, front to back;
    anything else marks it invalid and the files are read back instead.
    """

    def __init__(self) -> None:
        self.digest = content_digest()
        self.files: list[tuple[str, int]] = []
        self.valid = True
        self._open: str | None = None
        self._lock = threading.Lock()

    def begin(self, relative: str) -> bool:
        """A file starts being written; False (and invalid) if out of order."""
        with self._lock:
            if not self.valid or self._open is not None or (
                    self.files and relative <= self.files[-1][0]):
                self.valid = False
                return False
            self._open = relative
            self.digest.update(relative.encode() + b"\0")
            return True

    def end(self, relative: str, size: int) -> None:
        """The file is complete with ``size`` bytes."""
        with self._lock:
            if self._open != relative:
                self.valid = False
                return
            self._open = None
            self.digest.update(b"\0")
            self.files.append((relative, size))

    def result(self, listing: list[tuple[str, int]]) -> str | None:
        """The hash, if ``listing`` (relative path, size; sorted) is what was written."""
        if self.valid and self._open is None and listing == self.files:
            return content_hash_string(self.digest)
        return None


class HashingWriter(io.BufferedIOBase):
    """A binary write handle that feeds what passes through it to a :class:`FollowedHash`.

    Large chunks are hashed in a helper thread while this thread writes them;
    nothing is copied. ``seek``, ``truncate`` and ``fileno`` work but stop the
    hash being followed (the files are read back instead). It is deliberately
    not a real file object: numpy then writes through :meth:`write`.
    """

    def __init__(self, handle: IO[bytes], followed: FollowedHash, relative: str) -> None:
        super().__init__()
        self._handle = handle
        self._followed = followed
        self._relative = relative
        self._size = 0
        self._finished = False

    def _stop_following(self) -> None:
        self._followed.valid = False

    def write(self, data: Any) -> int:  # type: ignore[override]
        """Hash and write ``data`` (any bytes-like object)."""
        if self.closed:
            raise ValueError("write to a closed file")
        view = memoryview(data)
        if not view.c_contiguous:
            view = memoryview(view.tobytes())
        view = view.cast("B")
        size = view.nbytes
        if size >= OVERLAP_BYTES:
            preallocate(self._handle, size)
            helper = threading.Thread(target=self._followed.digest.update, args=(view,),
                                      name="zenml-hash", daemon=True)
            helper.start()
            try:
                written = self._handle.write(view)
            finally:
                helper.join()
        else:
            self._followed.digest.update(view)
            written = self._handle.write(view)
        if written is not None and written != size:
            self._stop_following()
            size = written
        self._size += size
        return size

    def finish(self) -> None:
        """Record the file as complete (once); the caller closes the real handle."""
        if not self._finished:
            self._finished = True
            if not self.closed and not self._handle.closed:
                self._handle.flush()
            self._followed.end(self._relative, self._size)

    def flush(self) -> None:
        """Flush the real handle."""
        if not self.closed and not self._handle.closed:
            self._handle.flush()

    def close(self) -> None:
        """Finish the file and close the real handle."""
        if not self.closed:
            self.finish()
            if not self._handle.closed:
                self._handle.close()
        super().close()

    def writable(self) -> bool:
        """Yes."""
        return True

    def readable(self) -> bool:
        """No."""
        return False

    def seekable(self) -> bool:
        """Whether the real handle can seek."""
        return bool(self._handle.seekable())

    def tell(self) -> int:
        """The real handle's position."""
        return int(self._handle.tell())

    def seek(self, offset: int, whence: int = 0) -> int:
        """Seek the real handle (the hash is then read back)."""
        self._stop_following()
        return int(self._handle.seek(offset, whence))

    def truncate(self, size: int | None = None) -> int:
        """Truncate the real handle (the hash is then read back)."""
        self._stop_following()
        return int(self._handle.truncate(size))

    def fileno(self) -> int:
        """The real handle's descriptor (the hash is then read back)."""
        self._stop_following()
        return int(self._handle.fileno())

    @property
    def name(self) -> Any:
        """The real handle's name."""
        return getattr(self._handle, "name", None)


class BaseArtifactStore(StackComponent):
    """Stores artifacts through an fsspec filesystem.

    Subclasses implement :meth:`get_filesystem`; every file operation below
    goes through it, so a flavor only says which filesystem it is.
    """

    TYPE: ClassVar[StackComponentType] = StackComponentType.ARTIFACT_STORE
    config: BaseArtifactStoreConfig
    _fs: AbstractFileSystem | None = None
    _followed: dict[str, FollowedHash] = {}  # replaced whole, never changed in place
    _followed_lock: ClassVar[threading.Lock] = threading.Lock()

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

    # -- following content hashes while writing -------------------------------------
    @contextmanager
    def hash_while_writing(self, uri: str) -> Iterator[None]:
        """Follow the content hash of the artifact folder ``uri`` while it is written.

        Files opened for writing under ``uri`` inside the block feed the hash
        (:class:`HashingWriter`); :meth:`content_hash` called inside the block
        returns it without reading the files back when it could follow them all.
        """
        root = self._comparable(uri.rstrip("/"))
        followed = FollowedHash()
        with self._followed_lock:
            self._followed = {**self._followed, root: followed}
        try:
            yield
        finally:
            with self._followed_lock:
                self._followed = {k: v for k, v in self._followed.items() if v is not followed}

    def _follower(self, path: str) -> tuple[FollowedHash, str] | None:
        """The hash followed for the artifact ``path`` is in, and ``path`` relative to it."""
        if not self._followed:
            return None
        comparable = self._comparable(path)
        for root, followed in self._followed.items():
            if comparable.startswith(root + "/"):
                return followed, comparable[len(root):]
        return None

    @contextmanager
    def _hashing_handle(self, path: str, handle: IO[Any], mode: str,
                        **kwargs: Any) -> Iterator[IO[Any]]:
        """``handle`` (a binary write handle of ``path``), hashed while written when
        a hash is followed for it; text ``mode`` gets a text layer (``encoding``,
        ``errors``, ``newline`` from ``kwargs``). For flavors' own ``open``."""
        found = self._follower(path)
        if found is None or not found[0].begin(found[1]):
            if found is not None:
                found[0].valid = False
            if "b" in mode:
                yield handle
            else:
                text = io.TextIOWrapper(handle, **_text_options(kwargs))  # type: ignore[arg-type]
                yield text
                if not text.closed:
                    text.flush()
                    text.detach()
            return
        followed, relative = found
        writer = HashingWriter(handle, followed, relative)
        try:
            if "b" in mode:
                yield cast("IO[bytes]", writer)
            else:
                text = io.TextIOWrapper(cast("IO[bytes]", writer), **_text_options(kwargs))
                yield text
                if not text.closed:
                    text.flush()
                    text.detach()
            writer.finish()
        except BaseException:
            followed.valid = False
            raise

    def _followed_hash(self, path: str) -> str | None:
        """The hash followed for the artifact folder ``path``, if it is valid."""
        followed = self._followed.get(self._comparable(path.rstrip("/")))
        if followed is None or not followed.valid:
            return None
        return followed.result(self._listing(path))

    def _listing(self, path: str) -> list[tuple[str, int]]:
        """The files under ``path`` as (path relative to it, size), sorted; a file
        ``path`` is ``[("", size)]``."""
        fs = self.filesystem
        root = str(fs._strip_protocol(path.rstrip("/")))
        if not fs.isdir(root):
            return [("", int(fs.size(root) or 0))]
        found = fs.find(root, detail=True)
        return sorted((str(name)[len(root):], int(info.get("size") or 0))
                      for name, info in found.items())

    def _read_file(self, path: str) -> IO[bytes]:
        """Open a file of the store for reading bytes (for :meth:`content_hash`)."""
        return cast("IO[bytes]", self.filesystem.open(path, "rb"))

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
            found = self._follower(path)
            if found is not None:
                found[0].valid = False
            with self.filesystem.open(path, mode, **kwargs) as handle:
                yield handle
            return
        temporary = temporary_name(path)
        try:
            if self._follower(path) is None:
                with self.filesystem.open(temporary, mode, **kwargs) as handle:
                    yield handle
            else:
                binary = mode.replace("t", "") + ("" if "b" in mode else "b")
                with self.filesystem.open(temporary, binary, **binary_options(kwargs)) as handle, \
                        self._hashing_handle(path, handle, mode, **kwargs) as wrapped:
                    yield wrapped
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
        """``blake3:<hex>`` of every file under ``path`` (names and bytes), for cache keys.

        Followed while the files were written (:meth:`hash_while_writing`) when
        it could be; else the files are read back. Stores that know a content
        checksum already (an object store's ETag) may override this to avoid
        reading the files back; ``None`` means "unknown", and the artifact is
        then identified by its id.
        """
        followed = self._followed_hash(path)
        if followed is not None:
            return followed
        root = self._comparable(path.rstrip("/"))
        digest = content_digest()
        for relative, _size in self._listing(path):
            digest.update(relative.encode() + b"\0")
            with self._read_file(root + relative) as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
            digest.update(b"\0")
        return content_hash_string(digest)

    def glob(self, pattern: str) -> list[str]:
        """The paths matching ``pattern``."""
        return sorted(self.filesystem.glob(pattern))


_TEXT_OPTIONS = ("encoding", "errors", "newline")


def _text_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The text layer's options among ``open``'s keyword arguments (UTF-8 by default)."""
    options: dict[str, Any] = {k: kwargs[k] for k in _TEXT_OPTIONS if k in kwargs}
    options.setdefault("encoding", "utf-8")
    return options


def binary_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``open``'s keyword arguments for the binary file under a text layer (all but the
    text layer's own), so that a hashed write is opened as an unhashed one would be."""
    return {k: v for k, v in kwargs.items() if k not in _TEXT_OPTIONS}
