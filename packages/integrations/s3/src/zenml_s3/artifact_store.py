"""The ``s3`` artifact store: artifacts in an S3 bucket, through s3fs.

This is the only module of zenml-s3 that imports s3fs and botocore, and it is
imported only when a stack using the store is instantiated (a pipeline run,
``zenml stack up``, the post-execution API).

What it adds to :class:`~zenml.artifact_stores.base.BaseArtifactStore`:

- each process uses its own s3fs filesystem (a step forked by a parallel run
  makes a new one: s3fs's event loop does not survive a fork);
- files are written in parts of :attr:`S3ArtifactStore.BLOCK_SIZE` (multipart
  upload), :attr:`S3ArtifactStore.UPLOAD_CONCURRENCY` of them on the way at once,
  so a large artifact is never held whole in memory, even when it is handed
  over in one ``write`` call (numpy's arrays); a write that
  fails or is interrupted is aborted, never committed half-written;
- the first operation on a bucket lists one key of it, so a missing bucket or
  refused credentials are named precisely, before a step's code runs (the
  launcher checks the output folders first); S3 has no folders, so
  :meth:`~S3ArtifactStore.makedirs` does nothing else (s3fs's would create a
  missing bucket);
- ``zenml stack up`` reports the store provisioned only when one listing of its
  prefix answers with the configured credentials (:attr:`~S3ArtifactStore.is_provisioned`,
  bounded by :attr:`~S3ArtifactStore.CHECK_TIMEOUT`); otherwise
  :meth:`~S3ArtifactStore.provision` raises the one-line cause (zenml creates no bucket);
- :meth:`~S3ArtifactStore.content_hash` is computed from the objects' ETags and
  sizes (one listing), without reading the artifact back;
- errors from botocore and s3fs (missing bucket, refused credentials,
  unreachable or silent endpoint) become one-line :class:`ArtifactStoreError`
  messages naming the store, the bucket, the cause and the fix.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, ClassVar

from zenml.artifact_stores.base import BaseArtifactStore
from zenml.errors import ProvisioningError
from zenml_s3.errors import ArtifactStoreError
from zenml_s3.flavors import S3ArtifactStoreConfig

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = ["S3ArtifactStore"]

# Error codes S3 answers for refused credentials or permissions.
_DENIED = frozenset({
    "403", "AccessDenied", "AccountProblem", "AllAccessDisabled", "ExpiredToken", "Forbidden",
    "InvalidAccessKeyId", "InvalidToken", "InvalidSecurity", "SignatureDoesNotMatch",
    "TokenRefreshRequired", "UnauthorizedAccess",
})
# The bucket lives in another region than the client signs for.
_REGION = frozenset({"301", "PermanentRedirect", "AuthorizationHeaderMalformed"})
# Answers that mean "no such object" (or a conditional write that lost): they stay
# the FileNotFoundError / FileExistsError s3fs raises, which callers may rely on.
_PASS_THROUGH = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchUpload", "PreconditionFailed"})


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and the exceptions it was raised from (causes, then contexts)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(seen) < 16:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _one_line(text: object) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return " ".join(lines)[:300]


class _PartWriter(io.RawIOBase):
    """An s3fs write handle fed at most one part (``part_size`` bytes) at a time.

    A large ``write`` (numpy hands over a whole array's memory at once) would
    otherwise be copied whole into s3fs's buffer and again into one part as
    large as the file; sliced, each part is uploaded as the buffer fills, so
    the upload holds about one part in memory, and the same bytes make the
    same parts (hence the same ETags) however the writer chunked them.
    """

    def __init__(self, raw: Any, part_size: int) -> None:
        super().__init__()
        self._raw = raw
        self._part_size = part_size

    def writable(self) -> bool:
        """Always: a write handle."""
        return True

    def write(self, data: Any) -> int:
        """Hand ``data`` to s3fs a part at a time (no copy of it here)."""
        try:
            view = memoryview(data).cast("B")
        except (TypeError, ValueError):  # not a plain contiguous buffer: as it is
            return int(self._raw.write(data))
        with view:
            for start in range(0, len(view), self._part_size):
                self._raw.write(view[start:start + self._part_size])
            return len(view)

    def tell(self) -> int:
        """Bytes written so far."""
        return int(self._raw.tell())

    def flush(self) -> None:
        """Upload a full part if there is one (s3fs's flush)."""
        if not self._raw.closed:
            self._raw.flush()

    def close(self) -> None:
        """Commit the upload (closing the s3fs file)."""
        if not self.closed:
            try:
                self._raw.close()
            finally:
                super().close()


class _ConcurrentUpload(io.RawIOBase):
    """A write handle that uploads one object in parts, several at once.

    s3fs's own file uploads one part at a time, waiting for each; here up to
    ``concurrency`` parts of ``part_size`` bytes travel together while the caller
    goes on writing, so at most ``concurrency + 1`` parts are in memory. The parts
    are those s3fs would make (the same ETags for the same bytes). An object
    smaller than one part is one PUT. Nothing is committed unless the handle is
    closed; :meth:`discard` aborts the upload instead.
    """

    def __init__(self, filesystem: Any, path: str, part_size: int, concurrency: int) -> None:
        super().__init__()
        self._fs = filesystem
        self._path = path
        self._bucket, self._key, _ = filesystem.split_path(path)
        self._part_size = part_size
        self._concurrency = max(1, concurrency)
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._pending: list[tuple[int, Any]] = []  # (part number, future of its answer)
        self._parts: list[dict[str, Any]] = []
        self._sent = 0  # parts handed over so far
        self._written = 0
        self._discarded = False

    def writable(self) -> bool:
        """Always: a write handle."""
        return True

    def tell(self) -> int:
        """Bytes written so far."""
        return self._written

    def write(self, data: Any) -> int:
        """Add ``data``; every full part goes up while the caller writes on."""
        if self.closed:
            raise ValueError("write to a closed file")
        try:
            view = memoryview(data).cast("B")
        except (TypeError, ValueError):  # not a plain contiguous buffer: its bytes
            view = memoryview(bytes(data))
        size = len(view)
        start = 0
        with view:
            while start < size:
                take = min(self._part_size - len(self._buffer), size - start)
                self._buffer += view[start:start + take]
                start += take
                if len(self._buffer) >= self._part_size:
                    self._send()
        self._written += size
        return size

    def _send(self) -> None:
        """Start uploading the buffer as the next part (waiting if enough are on the way)."""
        import asyncio

        if self._upload_id is None:
            answer = self._fs.call_s3("create_multipart_upload", Bucket=self._bucket,
                                      Key=self._key)
            self._upload_id = str(answer["UploadId"])
        while len(self._pending) >= self._concurrency:
            self._settle_oldest()
        self._sent += 1
        body, self._buffer = bytes(self._buffer), bytearray()
        future = asyncio.run_coroutine_threadsafe(self._fs._call_s3(
            "upload_part", Bucket=self._bucket, Key=self._key, PartNumber=self._sent,
            UploadId=self._upload_id, Body=body), self._fs.loop)
        self._pending.append((self._sent, future))

    def _settle_oldest(self) -> None:
        number, future = self._pending.pop(0)
        answer = future.result()
        part = {"PartNumber": number, "ETag": answer["ETag"]}
        if "ChecksumSHA256" in answer:
            part["ChecksumSHA256"] = answer["ChecksumSHA256"]
        self._parts.append(part)

    def close(self) -> None:
        """Commit the object: the last part and the completion, or one PUT."""
        if self.closed:
            return
        try:
            if not self._discarded:
                if self._upload_id is None:
                    self._fs.call_s3("put_object", Bucket=self._bucket, Key=self._key,
                                     Body=bytes(self._buffer))
                else:
                    if self._buffer:
                        self._send()
                    while self._pending:
                        self._settle_oldest()
                    self._fs.call_s3("complete_multipart_upload", Bucket=self._bucket,
                                     Key=self._key, UploadId=self._upload_id,
                                     MultipartUpload={"Parts": self._parts})
                self._fs.invalidate_cache(self._path)
        finally:
            self._buffer = bytearray()
            super().close()

    def discard(self) -> None:
        """Abort: no object is committed (parts on the way are let finish, then dropped)."""
        self._discarded = True
        for _, future in self._pending:
            with contextlib.suppress(Exception):
                future.result()
        self._pending.clear()
        try:
            if self._upload_id is not None:
                self._fs.call_s3("abort_multipart_upload", Bucket=self._bucket,
                                 Key=self._key, UploadId=self._upload_id)
        finally:
            self._buffer = bytearray()
            super().close()


class S3ArtifactStore(BaseArtifactStore):
    """Stores artifacts under ``s3://BUCKET/PREFIX`` (AWS or any S3-compatible server)."""

    config: S3ArtifactStoreConfig

    #: Part size of multipart uploads (and read-ahead size): a file is sent in
    #: parts of this size as it is written, so at most a few parts are in memory.
    #: S3 allows 10,000 parts per object: ~156 GiB with small writes (numpy writes
    #: 16 MiB chunks, which become parts of their own size).
    BLOCK_SIZE: ClassVar[int] = 16 * 2**20
    #: Read-ahead size of files opened for reading: each range request fetches this
    #: much, so a 100 MB array read in numpy's small pieces costs 2 requests, not 7
    #: (measured on SeaweedFS: ``numpy.load`` of 100 MB 1.08 s with 16 MiB, 0.70 s
    #: with 64 MiB, as fast as one GET of the whole object).
    READ_BLOCK_SIZE: ClassVar[int] = 64 * 2**20
    #: Parts of one file uploaded at the same time (s3fs sends one after another).
    UPLOAD_CONCURRENCY: ClassVar[int] = 2
    #: How often s3fs repeats a call that timed out or broke off while reading
    #: (each try already has botocore's own bounded retries).
    S3FS_RETRIES: ClassVar[int] = 2

    #: Bounds of the check ``zenml stack up`` makes (one listing): seconds to connect
    #: and to wait for the answer, and attempts, each capping the configured value,
    #: so a silent or unreachable endpoint fails ``up`` in seconds, not minutes.
    CHECK_TIMEOUT: ClassVar[float] = 5
    CHECK_ATTEMPTS: ClassVar[int] = 2

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._checked_buckets: set[str] = set()
        self._state: tuple[ArtifactStoreError | None] | None = None  # the check's answer
        self._fs_pid = os.getpid()

    # -- the filesystem -------------------------------------------------------------------
    @property
    def filesystem(self) -> AbstractFileSystem:
        """This process's s3fs filesystem: a forked child (a step of a parallel run) makes
        its own, as s3fs's event loop and connections do not survive a fork."""
        if self._fs is None or self._fs_pid != os.getpid():
            self._fs = self.get_filesystem()
            self._fs_pid = os.getpid()
        return self._fs

    @property
    def bucket(self) -> str:
        """The bucket of the store's path."""
        return self.config.bucket

    def get_filesystem(self) -> AbstractFileSystem:
        """An ``s3fs.S3FileSystem`` with this store's credentials and client settings."""
        return self._new_filesystem(self.config.config_kwargs, self.S3FS_RETRIES)

    def _new_filesystem(self, config_kwargs: dict[str, Any], retries: int
                        ) -> AbstractFileSystem:
        import s3fs  # type: ignore[import-untyped, import-not-found]

        self._check_kwargs()
        kwargs: dict[str, Any] = {
            "client_kwargs": dict(self.config.client_kwargs),
            "config_kwargs": dict(config_kwargs),
            "s3_additional_kwargs": dict(self.config.s3_additional_kwargs),
            "default_block_size": self.BLOCK_SIZE,
            # Steps may run in other processes: a cached listing would go stale.
            "use_listings_cache": False,
            "skip_instance_cache": True,
        }
        for name in ("key", "secret", "token"):
            value = getattr(self.config, name)
            if value is not None:
                kwargs[name] = value.get_secret_value()
        filesystem = s3fs.S3FileSystem(**kwargs)
        filesystem.retries = retries
        return filesystem

    def _check_kwargs(self) -> None:
        """Unknown client or Config arguments fail here, in one line, not at the first call."""
        import inspect

        from aiobotocore.config import AioConfig  # type: ignore[import-untyped, import-not-found]
        from botocore.session import Session  # type: ignore[import-untyped, import-not-found]

        given = set(self.config.client_kwargs)
        reserved = {"self", "service_name", "config", "aws_access_key_id",
                    "aws_secret_access_key", "aws_session_token"}
        allowed = set(inspect.signature(Session.create_client).parameters) - reserved
        unknown = sorted(given - allowed)
        if unknown:
            raise self._error(f"unknown client_kwargs {', '.join(unknown)}",
                              f"valid ones are {', '.join(sorted(allowed))}")
        try:
            AioConfig(**self.config.config_kwargs)
        except Exception as error:
            raise self._error(f"invalid config_kwargs ({_one_line(error)})",
                              "use botocore Config arguments such as connect_timeout, "
                              "read_timeout, retries") from None

    # -- errors -------------------------------------------------------------------------
    def _endpoint(self) -> str:
        url = (self.config.client_kwargs.get("endpoint_url")
               or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL"))
        return str(url) if url else "AWS S3"

    def _error(self, cause: str, fix: str) -> ArtifactStoreError:
        return ArtifactStoreError(
            f"S3 artifact store '{self.name}' (bucket '{self.bucket}'): {cause}; {fix}")

    def translate(self, error: BaseException, read_timeout: float | None = None
                  ) -> ArtifactStoreError | None:
        """The one-line error for a failure of S3 or of the connection, else None.

        ``read_timeout`` is the one in force when it is not the configured one.
        """
        from botocore.exceptions import (  # type: ignore[import-untyped, import-not-found]
            ClientError,
            ConnectionClosedError,
            CredentialRetrievalError,
            EndpointConnectionError,
            NoCredentialsError,
            PartialCredentialsError,
            ProfileNotFound,
            ReadTimeoutError,
        )
        from botocore.exceptions import (  # type: ignore[import-untyped, import-not-found]
            ConnectionError as BotoConnectionError,
        )
        from fsspec.exceptions import FSTimeoutError

        if isinstance(error, ArtifactStoreError):
            return error
        endpoint = self._endpoint()
        for err in _chain(error):
            name = type(err).__name__
            if isinstance(err, (NoCredentialsError, PartialCredentialsError,
                                CredentialRetrievalError, ProfileNotFound)):
                return self._error(
                    f"no usable AWS credentials ({name}: {_one_line(err)})",
                    "pass --key and --secret, or set AWS_ACCESS_KEY_ID and "
                    "AWS_SECRET_ACCESS_KEY (or an AWS profile) where the step runs")
            if isinstance(err, ClientError):
                details = err.response.get("Error", {})
                code = str(details.get("Code", ""))
                message = _one_line(details.get("Message") or err)
                if code in _PASS_THROUGH:
                    return None
                if code == "NoSuchBucket":
                    return self._error(
                        f"the bucket does not exist at {endpoint} (NoSuchBucket)",
                        "create it, or fix --path (and client_kwargs' endpoint_url)")
                if code in _DENIED:
                    return self._error(
                        f"access denied by {endpoint} ({code}: {message})",
                        "check --key, --secret and --token (or the AWS credentials of the "
                        "environment the step runs in) and the bucket's permissions")
                if code in _REGION:
                    return self._error(
                        f"the bucket is in another region ({code}: {message})",
                        'set client_kwargs to {"region_name": "<the bucket\'s region>"}')
                return self._error(f"{endpoint} refused the request ({code}: {message})",
                                   "check the store's configuration and the server")
            if isinstance(err, (ReadTimeoutError, FSTimeoutError)):
                timeout = (read_timeout if read_timeout is not None
                           else self.config.config_kwargs.get("read_timeout"))
                return self._error(
                    f"no answer from {endpoint} within read_timeout={timeout} s "
                    f"({name}: {_one_line(err)})",
                    "check that the server is healthy, or raise config_kwargs' read_timeout")
            if isinstance(err, (EndpointConnectionError, ConnectionClosedError,
                                BotoConnectionError)) or type(err).__module__.startswith(
                                    "aiohttp"):
                return self._error(
                    f"cannot reach {endpoint} ({name}: {_one_line(err)})",
                    "check client_kwargs' endpoint_url and that the server is up and "
                    "reachable from where the step runs")
        return None

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except Exception as error:
            translated = self.translate(error)
            if translated is None or translated is error:
                raise
            raise translated from error

    # -- files --------------------------------------------------------------------------
    @contextmanager
    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> Iterator[IO[Any]]:
        """Open an object; text modes are UTF-8 like the local store.

        A write is committed when the block ends without an error; if it raises,
        the upload is aborted and no object (or the previous one) is left. Writes
        outside the store's path are refused.
        """
        writing = any(flag in mode for flag in "wax+")
        if writing:
            self.check_inside(path, "write")
        self._check_bucket(path)
        text = "b" not in mode
        text_kwargs = {name: kwargs.pop(name) for name in ("encoding", "errors", "newline")
                       if name in kwargs}
        if not writing:
            kwargs.setdefault("block_size", self.READ_BLOCK_SIZE)
        raw: Any
        with self._translated():
            if mode.replace("t", "").replace("b", "") == "w" and not kwargs:
                raw = _ConcurrentUpload(self.filesystem, path, self.BLOCK_SIZE,
                                        self.UPLOAD_CONCURRENCY)
            else:
                raw = self.filesystem.open(
                    path, mode.replace("t", "") + ("b" if text else ""), **kwargs)
        binary: Any = (_PartWriter(raw, self.BLOCK_SIZE)
                       if writing and not isinstance(raw, _ConcurrentUpload) else raw)
        handle: IO[Any] = (io.TextIOWrapper(binary, **{"encoding": "utf-8", **text_kwargs})
                           if text else binary)
        try:
            yield handle
        except BaseException as error:
            if writing:
                self._discard(raw)
            else:
                raw.close()
            translated = self.translate(error) if isinstance(error, Exception) else None
            if translated is None or translated is error:
                raise
            raise translated from error
        try:
            with self._translated():
                handle.close()
        except BaseException:
            if writing:
                self._discard(raw)
            raise

    @staticmethod
    def _discard(raw: Any) -> None:
        """Abort an unfinished upload (nothing is committed) and close the file."""
        with contextlib.suppress(Exception):  # the upload is abandoned either way
            raw.discard()
        if not isinstance(raw, _ConcurrentUpload):  # that one is closed by discard()
            raw.closed = True

    def _check_bucket(self, path: str) -> None:
        """List one key of ``path``'s bucket, once per bucket: the first contact with S3
        names a missing bucket or refused credentials precisely (a refused HEAD
        request only says 403)."""
        bucket, _, key = str(self.filesystem._strip_protocol(path)).partition("/")
        if bucket in self._checked_buckets:
            return
        # the store's own prefix, where the credentials may be limited to it
        prefix = self.config.path[len(f"s3://{self.bucket}"):].lstrip("/")
        if bucket != self.bucket or not key.startswith(prefix):
            prefix = ""
        with self._translated():
            self.filesystem.call_s3("list_objects_v2", Bucket=bucket, Prefix=prefix, MaxKeys=1)
        self._checked_buckets.add(bucket)

    # -- stack state (zenml stack up) -----------------------------------------------------
    @property
    def is_provisioned(self) -> bool:
        """Whether the bucket answers a listing of the store's prefix with the configured
        credentials (asks the server once per instance)."""
        return self._bucket_problem() is None

    def provision(self) -> None:
        """zenml does not create buckets: say why the bucket does not answer, and the fix."""
        problem = self._bucket_problem()
        if problem is not None:
            raise ProvisioningError(str(problem))

    # A bucket has nothing to start or stop: ``is_running``, ``resume`` and ``suspend``
    # keep their defaults, and bringing the store down never deletes the bucket.

    def _check_config_kwargs(self) -> dict[str, Any]:
        """The configured botocore Config with timeouts and attempts capped for the check."""
        config = copy.deepcopy(dict(self.config.config_kwargs))
        for name in ("connect_timeout", "read_timeout"):
            value = config.get(name)
            config[name] = (min(value, self.CHECK_TIMEOUT) if isinstance(value, (int, float))
                            else self.CHECK_TIMEOUT)
        retries = dict(config.get("retries") or {})
        total = retries.pop("total_max_attempts", None)
        legacy = retries.pop("max_attempts", None)
        if total is None and isinstance(legacy, int):
            total = legacy + 1
        retries["total_max_attempts"] = (max(1, min(total, self.CHECK_ATTEMPTS))
                                         if isinstance(total, int) else self.CHECK_ATTEMPTS)
        config["retries"] = retries
        return config

    def _bucket_problem(self) -> ArtifactStoreError | None:
        """Why the bucket does not answer with the configured credentials (None: it does)."""
        if self._state is not None:
            return self._state[0]
        config = self._check_config_kwargs()
        prefix = self.config.path[len(f"s3://{self.bucket}"):].lstrip("/")
        problem: ArtifactStoreError | None = None
        try:
            filesystem = self._new_filesystem(config, retries=1)
            filesystem.call_s3("list_objects_v2", Bucket=self.bucket, Prefix=prefix, MaxKeys=1)
        except ArtifactStoreError as error:
            problem = error
        except Exception as error:
            problem = self.translate(error, read_timeout=config["read_timeout"]) or self._error(
                f"{self._endpoint()} answered the listing of the bucket with "
                f"{type(error).__name__} ({_one_line(error)})",
                "check --path, client_kwargs' endpoint_url and the server")
        else:
            self._checked_buckets.add(self.bucket)
        self._state = (problem,)
        return problem

    def exists(self, path: str) -> bool:
        """Whether an object or a prefix with objects exists at ``path``."""
        self._check_bucket(path)
        with self._translated():
            return super().exists(path)

    def makedirs(self, path: str) -> None:
        """S3 has no folders: only check (once) that the bucket exists and can be listed.

        s3fs's own ``makedirs`` would create a missing bucket.
        """
        self.check_inside(path, "create", strict=False)
        self._check_bucket(path)

    def listdir(self, path: str) -> list[str]:
        """The names directly under ``path``."""
        self._check_bucket(path)
        with self._translated():
            return super().listdir(path)

    def remove(self, path: str) -> None:
        """Delete one object."""
        self._check_bucket(path)
        with self._translated():
            super().remove(path)

    def rmtree(self, path: str) -> None:
        """Delete every object under ``path``."""
        self._check_bucket(path)
        with self._translated():
            super().rmtree(path)

    def copyfile(self, src: str, dst: str, overwrite: bool = False) -> None:
        """Copy one object (server side)."""
        self._check_bucket(dst)
        with self._translated():
            super().copyfile(src, dst, overwrite=overwrite)

    def glob(self, pattern: str) -> list[str]:
        """The paths matching ``pattern``."""
        self._check_bucket(pattern)
        with self._translated():
            return super().glob(pattern)

    def content_hash(self, path: str) -> str | None:
        """SHA-256 over the names, sizes and ETags of the objects under ``path``.

        One listing instead of reading the artifact back. The same bytes written
        the same way (same part size) give the same ETags, so identical outputs
        keep downstream cache keys. When the server gives no ETag, the objects
        are read back (the base class's hash).
        """
        self._check_bucket(path)
        with self._translated():
            fs = self.filesystem
            root = str(fs._strip_protocol(path.rstrip("/")))
            entries: dict[str, dict[str, Any]] = fs.find(root, detail=True)
        if not entries:
            return None
        digest = hashlib.sha256(b"zenml-s3 etags v1\0")
        for name in sorted(entries):
            info = entries[name]
            etag = str(info.get("ETag") or "").strip('"')
            if not etag:
                with self._translated():
                    return super().content_hash(path)
            relative = name[len(root):] if name.startswith(root) else name
            digest.update(f"{relative}\0{info.get('size')}\0{etag}\0".encode())
        return digest.hexdigest()
