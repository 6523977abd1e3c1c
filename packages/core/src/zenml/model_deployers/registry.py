"""The persistent record of one model deployer's services.

One JSON file per model deployer, ``<local stores>/model_deployers/<deployer
id>/services.json``, beside a folder per service for the files its server
needs (model copies, logs). Every change is a read-modify-write under an
exclusive lock on ``services.lock``, and the file is replaced atomically
(written to a temporary file, flushed to disk, renamed over the old one), so
concurrent processes never lose an update and a killed process never leaves
half a file.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from zenml.model_deployers.service import ServiceError

__all__ = ["REGISTRY_FILENAME", "ServiceRegistry", "deployers_dir"]

REGISTRY_FILENAME = "services.json"
_LOCK_FILENAME = "services.lock"
_VERSION = 1
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def deployers_dir() -> Path:
    """Where every model deployer keeps its registry: ``<local stores>/model_deployers``."""
    from zenml.config.global_config import local_stores_dir

    return local_stores_dir() / "model_deployers"


@contextmanager
def _exclusive(handle: IO[Any]) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
        try:
            yield
        finally:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class ServiceRegistry:
    """Service records of one model deployer, by service uuid."""

    def __init__(self, deployer_id: str, root: Path | None = None) -> None:
        if not _SAFE_ID.match(deployer_id):
            raise ServiceError(f"Model deployer id '{deployer_id}' cannot name a folder")
        self.deployer_id = deployer_id
        self.folder = (root or deployers_dir()) / deployer_id
        self.path = self.folder / REGISTRY_FILENAME

    def __repr__(self) -> str:
        return f"ServiceRegistry({str(self.path)!r})"

    def service_folder(self, uuid: str) -> Path:
        """A folder for the files of one service (created on demand)."""
        if not _SAFE_ID.match(uuid):
            raise ServiceError(f"Service uuid '{uuid}' cannot name a folder")
        return self.folder / "services" / uuid

    # -- reading -------------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"version": _VERSION, "deployer_id": self.deployer_id, "services": {},
                    "suspended": []}
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
                raise ValueError("no 'services' mapping")
        except ValueError as error:
            raise ServiceError(f"The service registry {self.path} is damaged ({error}); move "
                               f"it away to start with no services") from None
        data.setdefault("suspended", [])
        return data

    def records(self) -> list[dict[str, Any]]:
        """Every service record, oldest first."""
        services = self._read()["services"].values()
        return sorted(services, key=lambda r: (str(r.get("created", "")), str(r.get("uuid"))))

    def get(self, uuid: str) -> dict[str, Any] | None:
        """One record, or None."""
        record = self._read()["services"].get(uuid)
        return dict(record) if isinstance(record, dict) else None

    def suspended(self) -> list[str]:
        """The uuids of services that ``zenml stack down`` stopped (``stack up`` restarts them)."""
        return [str(u) for u in self._read()["suspended"]]

    # -- writing -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[dict[str, Any]]:
        """Read, let the caller change, and write back the whole file under the lock."""
        from zenml.utils.files import open_private, private_dir

        private_dir(self.folder)
        descriptor = open_private(self.folder / _LOCK_FILENAME, os.O_RDWR | os.O_CREAT)
        with os.fdopen(descriptor, "a+b") as lock, _exclusive(lock):
            data = self._read()
            yield data
            self._write(data)

    def _write(self, data: dict[str, Any]) -> None:
        from zenml.utils.files import replace_privately

        with replace_privately(self.path, "w", durable=True, encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)

    def put(self, record: dict[str, Any]) -> None:
        """Add or replace the record with ``record['uuid']``."""
        uuid = str(record["uuid"])
        with self.transaction() as data:
            data["services"][uuid] = record

    def remove(self, uuid: str) -> bool:
        """Forget a service (and that it was suspended); True if it was known."""
        with self.transaction() as data:
            known = data["services"].pop(uuid, None) is not None
            data["suspended"] = [u for u in data["suspended"] if u != uuid]
        return known

    def set_suspended(self, uuids: list[str]) -> None:
        """Remember which services ``stack down`` stopped."""
        with self.transaction() as data:
            data["suspended"] = sorted(set(uuids))

    def unsuspend(self, uuid: str) -> None:
        """Drop one service from the suspended list (it was started or deleted by hand)."""
        with self.transaction() as data:
            data["suspended"] = [u for u in data["suspended"] if u != uuid]
