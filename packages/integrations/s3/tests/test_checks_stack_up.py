"""``zenml stack up`` with the s3 artifact store asks the bucket before saying "running".

moto for a missing bucket and missing credentials, SeaweedFS (which checks signatures)
for refused credentials, loopback sockets for a refused and a silent endpoint.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from conftest import S3Server, Zen


def register(zen: Zen, server: S3Server, tmp_path: Path, *extra: str,
             path: str | None = None, credentials: bool = True) -> None:
    """An s3 store, a new sqlite metadata store, the default orchestrator; active."""
    args = [f"--path={path or f's3://{server.bucket}/zenml'}",
            f'--client_kwargs={{"endpoint_url": "{server.url}"}}', *extra]
    if credentials:
        args += [f"--key={server.key}", f"--secret={server.secret}"]
    zen("artifact-store", "register", "s3_store", "--flavor=s3", *args)
    zen("metadata-store", "register", "s3_meta", "--flavor=sqlite",
        f"--uri={tmp_path / 's3_meta.db'}")
    zen("stack", "register", "s3_stack", "-o", "default", "-a", "s3_store", "-m", "s3_meta",
        "--set")


def store_state(zen: Zen) -> str:
    row = next(line for line in zen("stack", "describe").output.splitlines()
               if "ARTIFACT_STORE" in line)
    return " ".join(row.replace("│", " ").split()[3:])


def test_an_existing_bucket_is_reported_running(zen: Zen, s3: S3Server,
                                                tmp_path: Path) -> None:
    register(zen, s3, tmp_path)
    out = zen("stack", "up").output
    assert "artifact store 's3_store' (s3): running" in out
    assert store_state(zen) == "running"


def test_a_missing_bucket_fails_stack_up_in_one_line(zen: Zen, s3: S3Server,
                                                     tmp_path: Path) -> None:
    register(zen, s3, tmp_path, path="s3://no-such-bucket/zenml")
    line = zen.error("stack", "up")
    assert line.startswith("Error: S3 artifact store 's3_store' (bucket 'no-such-bucket'): "
                           "the bucket does not exist at ")
    assert "NoSuchBucket" in line and "create it" in line
    assert "no-such-bucket" not in [b["Name"] for b in s3.client.list_buckets()["Buckets"]]
    assert store_state(zen) == "not provisioned"
    assert "(bucket 'no-such-bucket')" in zen.error("artifact-store", "up")


def test_a_missing_bucket_without_credentials_fails_stack_up(zen: Zen, s3: S3Server,
                                                             tmp_path: Path) -> None:
    # the case of the report: no bucket, and no credentials anywhere (see conftest)
    register(zen, s3, tmp_path, path="s3://no-such-bucket/zenml", credentials=False)
    line = zen.error("stack", "up")
    assert line.startswith("Error: S3 artifact store 's3_store' (bucket 'no-such-bucket'): "
                           "no usable AWS credentials")
    assert "pass --key and --secret" in line


def test_a_bucket_deleted_after_up_is_noticed_by_the_next_up(zen: Zen, s3: S3Server,
                                                            tmp_path: Path) -> None:
    register(zen, s3, tmp_path)
    zen("stack", "up")
    s3.client.delete_bucket(Bucket=s3.bucket)
    assert "NoSuchBucket" in zen.error("stack", "up")
    assert store_state(zen) == "not provisioned"


@pytest.mark.seaweedfs
def test_refused_credentials_fail_stack_up(zen: Zen, weed: S3Server, tmp_path: Path) -> None:
    weed.secret = "not-the-secret"
    register(zen, weed, tmp_path)
    line = zen.error("stack", "up")
    assert line.startswith(f"Error: S3 artifact store 's3_store' (bucket '{weed.bucket}'): "
                           f"access denied by {weed.url} (SignatureDoesNotMatch")
    assert "not-the-secret" not in line
    assert store_state(zen) == "not provisioned"


@pytest.mark.seaweedfs
def test_the_right_credentials_on_seaweedfs_are_running(zen: Zen, weed: S3Server,
                                                        tmp_path: Path) -> None:
    register(zen, weed, tmp_path)
    assert "artifact store 's3_store' (s3): running" in zen("stack", "up").output


def test_a_refused_endpoint_fails_fast(zen: Zen, tmp_path: Path) -> None:
    with socket.socket() as port:
        port.bind(("127.0.0.1", 0))  # bound, never listening
        server = S3Server(url=f"http://127.0.0.1:{port.getsockname()[1]}", bucket="bucket")
        register(zen, server, tmp_path)
        started = time.monotonic()
        line = zen.error("stack", "up")
        elapsed = time.monotonic() - started
    assert f"cannot reach {server.url}" in line and "endpoint_url" in line
    assert elapsed < 10, elapsed


def test_a_silent_endpoint_with_the_default_timeouts_ends_stack_up_in_bounded_time(
        zen: Zen, silent_server: str, tmp_path: Path) -> None:
    # the defaults (60 s read timeout, 3 attempts, 2 s3fs tries) would wait 6 minutes;
    # the check of 'up' caps them
    register(zen, S3Server(url=silent_server, bucket="bucket"), tmp_path)
    started = time.monotonic()
    line = zen.error("stack", "up")
    elapsed = time.monotonic() - started
    assert f"no answer from {silent_server} within read_timeout=5 s" in line
    assert elapsed < 20, elapsed  # two 5 s attempts
