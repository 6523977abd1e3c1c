"""What tests that start servers share: stopping a process by its PID, keeping the
machine's AWS settings away from an S3 store, and moto's S3 server on loopback.

Nothing here imports moto or pytest at import time.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

__all__ = ["aws_isolation", "isolate_aws", "moto_s3_server", "stop_process",
           "without_machine_aws"]


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0,
                 kill_timeout: float | None = None) -> None:
    """Stop a process this test started, by its PID: SIGTERM, then SIGKILL if it is still
    there after ``timeout`` seconds (waiting ``kill_timeout``, default ``timeout``, more)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout if kill_timeout is None else kill_timeout)


def aws_isolation(folder: Path | str) -> dict[str, str]:
    """The variables that point boto at files under ``folder`` that do not exist and
    off the EC2 metadata service (no AWS setting of the machine is read)."""
    folder = Path(folder)
    return {"AWS_CONFIG_FILE": str(folder / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(folder / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true"}


def without_machine_aws(env: Mapping[str, str], folder: Path | str) -> dict[str, str]:
    """``env`` without any ``AWS_*`` variable, plus :func:`aws_isolation`'s."""
    return {**{k: v for k, v in env.items() if not k.startswith("AWS_")},
            **aws_isolation(folder)}


def isolate_aws(monkeypatch: pytest.MonkeyPatch, folder: Path | str) -> None:
    """:func:`without_machine_aws` for this test's own environment."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in aws_isolation(folder).items():
        monkeypatch.setenv(name, value)


@contextlib.contextmanager
def moto_s3_server() -> Iterator[str]:
    """moto's S3 server on a free loopback port (its URL), stopped at the end."""
    moto_server = importlib.import_module("moto.server")  # a test dependency, not zenml's

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
