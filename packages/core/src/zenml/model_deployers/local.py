"""Services served by a background process on this machine (``LocalDaemonService``).

The process is started in its own session (its own process group), with its
output in a log file, so it outlives the pipeline or command that started
it. Its pid, the process's start time (to tell it from a later process that
reuses the pid) and its ports are kept in the service's record; ``stop``
signals the whole process group, waits for it to be gone and kills it if it
does not leave in time. Only the standard library is used here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from zenml.model_deployers.service import (
    DEFAULT_SERVICE_TIMEOUT,
    BaseService,
    ServiceError,
    ServiceState,
    ServiceStatus,
    ServiceTimeoutError,
)
from zenml.processes import (
    CHILDREN,
    process_alive,
    process_group_alive,
    process_start_time,
    reap,
)

__all__ = [
    "LocalDaemonService",
    "free_ports",
    "http_get",
    "http_post_json",
    "process_alive",
    "process_group_alive",
    "spawn_detached",
    "stop_process_group",
]

_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# -- processes ------------------------------------------------------------------------------

def spawn_detached(command: Sequence[str], cwd: Path, log_path: Path,
                   env: Mapping[str, str] | None = None) -> tuple[int, str | None]:
    """Start ``command`` in a new session, output appended to ``log_path``.

    Returns the pid (which is also the process group id) and its start time.
    """
    from zenml.utils.files import open_private, private_dir

    private_dir(log_path.parent)
    with os.fdopen(open_private(log_path), "ab") as log:
        process = subprocess.Popen(list(command), cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   close_fds=True, env=dict(env) if env is not None else None)
    CHILDREN[process.pid] = process
    return process.pid, process_start_time(process.pid)


def stop_process_group(pid: int, start_time: str | None, timeout: float = 10.0,
                       force: bool = False) -> None:
    """SIGTERM (SIGKILL with ``force``) the group of ``pid`` and wait until it is gone.

    A group that has not left after ``timeout`` seconds is killed; one that
    survives even that raises :class:`ServiceTimeoutError`.
    """
    leader_alive = process_alive(pid, start_time)
    if not leader_alive and not process_group_alive(pid):
        return
    deadline = time.monotonic() + timeout
    sent = signal.SIGKILL if force else signal.SIGTERM
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sent)
    while process_group_alive(pid):
        if time.monotonic() > deadline:
            if sent == signal.SIGKILL:
                raise ServiceTimeoutError(f"Process group {pid} did not exit after SIGKILL")
            sent = signal.SIGKILL
            deadline = time.monotonic() + 10.0
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        time.sleep(0.05)
    reap(pid)


def free_ports(count: int, host: str = "127.0.0.1", prefer: Sequence[int] = ()) -> list[int]:
    """``count`` distinct free TCP ports on ``host``, reusing those of ``prefer`` still free."""
    sockets: list[socket.socket] = []
    ports: list[int] = []
    try:
        for wanted in [*prefer[:count], *([0] * count)]:
            if len(ports) == count:
                break
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            if wanted:  # a port the server had: free again even while in TIME_WAIT
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, wanted))
            except OSError:
                sock.close()
                continue
            sockets.append(sock)
            ports.append(sock.getsockname()[1])
    finally:
        for sock in sockets:
            sock.close()
    return ports


# -- HTTP -----------------------------------------------------------------------------------

def http_get(url: str, timeout: float = 1.0) -> int:
    """The status code of ``GET url`` (0 when nothing answers); no proxies."""
    try:
        with _LOOPBACK.open(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (OSError, ValueError):
        return 0


def http_post_json(url: str, body: Any, timeout: float = 60.0,
                   headers: Mapping[str, str] | None = None, use_proxies: bool = False) -> Any:
    """``POST`` JSON and return the decoded JSON answer; errors are :class:`ServiceError`."""
    import json

    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", **(headers or {})})
    opener = urllib.request.build_opener() if use_proxies else _LOOPBACK
    try:
        with opener.open(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace").strip().replace("\n", " ")[:300]
        raise ServiceError(f"Prediction request to {url} failed: HTTP {error.code} "
                           f"{detail}") from None
    except (OSError, ValueError) as error:
        raise ServiceError(f"Prediction request to {url} failed: {error}") from None


# -- the service ----------------------------------------------------------------------------

class LocalDaemonService(BaseService):
    """A service whose server is a background process on this machine.

    Subclasses name the ports they need (:attr:`PORTS`), build the command
    (:meth:`_command`, after preparing files in :attr:`folder` if needed) and
    say which URL answers 200 once the server is ready (:meth:`_ready_url`).
    ``attrs`` holds ``pid``, ``start_time``, ``ports`` and ``folder``.
    """

    PORTS: ClassVar[int] = 1
    #: Environment variables removed from the server's environment (by prefix).
    DROP_ENV_PREFIXES: ClassVar[tuple[str, ...]] = ()
    #: Times a start is retried when the server could not bind its ports.
    PORT_RETRIES: ClassVar[int] = 3
    SERVICE_TYPE: ClassVar[str] = "local process"

    @property
    def is_local(self) -> bool:
        """Always: the server runs on this machine."""
        return True

    @property
    def folder(self) -> Path:
        """The service's own folder (files of the server, its log)."""
        folder = self.attrs.get("folder")
        if folder:
            return Path(folder)
        if not self.deployer_id:
            raise ServiceError(f"Service {self.uuid} belongs to no model deployer")
        from zenml.model_deployers.registry import ServiceRegistry

        path = ServiceRegistry(self.deployer_id).service_folder(self.uuid)
        self.attrs["folder"] = str(path)
        return path

    @property
    def log_path(self) -> Path:
        """The server's output (beside the service folders: a failed start keeps it)."""
        return self.folder.parent.parent / "logs" / f"{self.uuid}.log"

    @property
    def pid(self) -> int | None:
        """The server process's id, while it is meant to run."""
        pid = self.attrs.get("pid")
        return int(pid) if pid else None

    @property
    def ports(self) -> list[int]:
        """The ports the server listens on (the first serves HTTP)."""
        return [int(p) for p in self.attrs.get("ports") or []]

    # -- for subclasses ------------------------------------------------------------------

    @abstractmethod
    def _command(self, ports: list[int]) -> list[str]:
        """The command line of the server (prepare its files here)."""

    @abstractmethod
    def _ready_url(self) -> str:
        """A URL that answers 200 once the server serves predictions."""

    def _environment(self) -> dict[str, str]:
        return {key: value for key, value in os.environ.items()
                if not key.startswith(self.DROP_ENV_PREFIXES or ("\0",))}

    # -- BaseService ---------------------------------------------------------------------

    def _process_alive(self) -> bool:
        return process_alive(self.pid, self.attrs.get("start_time"))

    def check_status(self) -> ServiceStatus:
        """Stopped without a process; running once the ready URL answers 200."""
        if self.pid is None:
            return ServiceStatus(ServiceState.STOPPED)
        if not self._process_alive():
            return ServiceStatus(ServiceState.ERROR,
                                 f"the server process {self.pid} is gone (see {self.log_path}); "
                                 f"start it again")
        if http_get(self._ready_url()) == 200:
            return ServiceStatus(ServiceState.RUNNING, f"pid {self.pid}")
        return ServiceStatus(ServiceState.STARTING, f"pid {self.pid}, not ready yet")

    def start(self, timeout: float = DEFAULT_SERVICE_TIMEOUT) -> None:
        """Start the server (unless it runs) and wait until it is ready."""
        if self._process_alive():
            self._wait_ready(time.monotonic() + timeout, 0)
            return
        deadline = time.monotonic() + timeout
        from zenml.utils.files import private_dir

        private_dir(self.folder)
        for attempt in range(self.PORT_RETRIES):
            ports = free_ports(self.PORTS, prefer=self.ports if attempt == 0 else ())
            command = self._command(ports)
            log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
            pid, start_time = spawn_detached(command, self.folder, self.log_path,
                                             self._environment())
            self.attrs.update(pid=pid, start_time=start_time, ports=ports)
            self.save()  # recorded before waiting: another process can stop it
            try:
                self._wait_ready(deadline, log_start)
                if self.attrs.pop("start_failed", None):
                    self.save()
                return
            except ServiceError as error:
                self.attrs["start_failed"] = True
                self._kill()
                text = self._log_since(log_start)
                if ("address already in use" in text.lower()
                        and attempt + 1 < self.PORT_RETRIES and time.monotonic() < deadline):
                    continue
                raise error from None

    def _wait_ready(self, deadline: float, log_start: int) -> None:
        url = self._ready_url()
        while True:
            if not self._process_alive():
                line = self._last_error_line(log_start)
                raise ServiceError(f"Model server {self.uuid} ('{self.config.model_name}') "
                                   f"exited while starting: {line} (log: {self.log_path})")
            if http_get(url) == 200:
                return
            if time.monotonic() > deadline:
                raise ServiceTimeoutError(
                    f"Model server {self.uuid} ('{self.config.model_name}') did not become "
                    f"ready in time; it was stopped (log: {self.log_path})")
            time.sleep(0.1)

    def _log_since(self, offset: int) -> str:
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(offset)
                return handle.read().decode(errors="replace")
        except OSError:
            return ""

    def _last_error_line(self, offset: int = 0) -> str:
        lines = [line.strip() for line in self._log_since(offset).splitlines()[-200:]
                 if line.strip()]
        for line in reversed(lines):
            if "error" in line.lower() or "exception" in line.lower():
                return line[:300]
        return lines[-1][:300] if lines else "no output"

    def _kill(self, timeout: float = 10.0, force: bool = True) -> None:
        pid = self.pid
        if pid is not None:
            stop_process_group(pid, self.attrs.get("start_time"), timeout=timeout, force=force)
        self.attrs.update(pid=None, start_time=None)
        self.save()

    def stop(self, timeout: float = DEFAULT_SERVICE_TIMEOUT, force: bool = False) -> None:
        """Signal the server's process group and wait until it has exited."""
        self._kill(timeout=timeout, force=force)

    def remove(self, timeout: float = DEFAULT_SERVICE_TIMEOUT, force: bool = False) -> None:
        """Stop the server and delete its folder (and its log, unless its last start failed)."""
        import shutil

        self.stop(timeout, force=force)
        shutil.rmtree(self.folder, ignore_errors=True)
        if not self.attrs.get("start_failed"):
            self.log_path.unlink(missing_ok=True)

    def describe(self) -> dict[str, Any]:
        """Adds the process id, ports, folder and log file."""
        info = super().describe()
        info.update(PID=self.pid or "", PORTS=", ".join(map(str, self.ports)),
                    FOLDER=str(self.folder), LOG=str(self.log_path))
        return info
