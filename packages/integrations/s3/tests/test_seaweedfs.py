"""Against SeaweedFS (``weed mini``), a real S3 server that checks request signatures:
credentials from the config or the environment, refused credentials, streaming uploads,
and a pipeline whose step processes get their credentials from the deployment.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from zenml_s3.errors import ArtifactStoreError

from zenml.errors import RunFailedError
from zenml.materializers.numpy_materializer import NumpyMaterializer
from zenml.metadata_stores.records import ExecutionStatus
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import step

from conftest import S3Server, Zen, import_or_need

pytestmark = pytest.mark.seaweedfs
np = import_or_need("numpy")

MiB = 2**20
CALLS: list[str] = []


@pytest.mark.parametrize(("key", "secret", "code"), [
    ("zenml-test-key", "wrong-secret", "SignatureDoesNotMatch"),
    ("unknown-key", "zenml-test-secret", "InvalidAccessKeyId"),
])
def test_wrong_credentials_are_one_line(weed: S3Server, key: str, secret: str,
                                        code: str) -> None:
    store = weed.store(key=key, secret=secret)
    started = time.perf_counter()
    with pytest.raises(ArtifactStoreError) as error:
        store.makedirs(f"{store.path}/run")
    message = str(error.value)
    assert message.startswith(f"S3 artifact store 's3_store' (bucket '{weed.bucket}'): "
                              f"access denied by {weed.url} ({code}: ")
    assert "check --key, --secret and --token" in message and "\n" not in message
    assert secret not in message
    assert time.perf_counter() - started < 5  # refused, not retried
    refused = pytest.raises(ArtifactStoreError, match=code)
    with refused, store.open(f"{store.path}/x/data.json", "w") as handle:
        handle.write("1")
    assert weed.keys() == []


def test_credentials_come_from_the_environment_when_the_fields_are_empty(
        weed: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    store = weed.store(key=None, secret=None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed.key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed.secret)
    with store.open(f"{store.path}/env/data.json", "w") as handle:
        handle.write("42")
    assert weed.keys() == ["zenml/env/data.json"]
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    with pytest.raises(ArtifactStoreError, match="SignatureDoesNotMatch"):
        weed.store(key=None, secret=None).makedirs(f"{store.path}/env")


def test_a_missing_bucket(weed: S3Server) -> None:
    store = weed.store(path="s3://no-such-bucket-here/zenml")
    with pytest.raises(ArtifactStoreError, match=r"\(bucket 'no-such-bucket-here'\): the bucket "
                                                 r"does not exist at .*NoSuchBucket"):
        store.makedirs(f"{store.path}/run")


def test_large_writes_stream_in_parts_without_holding_the_file(weed: S3Server) -> None:
    store = weed.store()
    store.makedirs(store.path)
    chunk = b"z" * MiB

    def peak_writing(name: str, mib: int) -> int:
        tracemalloc.start()
        try:
            with store.open(f"{store.path}/big/{name}", "wb") as handle:
                for _ in range(mib):
                    handle.write(chunk)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak_writing("small.bin", 48), peak_writing("large.bin", 144)
    head = weed.client.head_object(Bucket=weed.bucket, Key="zenml/big/large.bin")
    assert head["ContentLength"] == 144 * MiB
    assert head["ETag"].strip('"').endswith("-9")  # nine 16 MiB parts
    # memory holds a few parts whatever the file's size, never the file
    assert large < small * 1.25 + 4 * MiB and large < 96 * MiB, (small, large)
    print(f"traced peak writing 48 MiB: {small / MiB:.0f} MiB, 144 MiB: {large / MiB:.0f} MiB")


def test_one_large_write_is_uploaded_part_by_part(weed: S3Server) -> None:
    """numpy hands a whole array's memory to one ``write``: it is still sent in parts of
    the store's block size, never copied whole, and makes the same object (ETag) as the
    same bytes written in small pieces."""
    store = weed.store()
    store.makedirs(store.path)
    data = np.random.default_rng(2).bytes(72 * MiB)

    def peak_writing(name: str, pieces: int) -> int:
        view = memoryview(data)
        step_size = len(data) // pieces
        tracemalloc.start()
        try:
            with store.open(f"{store.path}/big/{name}", "wb") as handle:
                for start in range(0, len(data), step_size):
                    handle.write(view[start:start + step_size])
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    whole, pieces = peak_writing("whole.bin", 1), peak_writing("pieces.bin", 72)
    heads = {name: weed.client.head_object(Bucket=weed.bucket, Key=f"zenml/big/{name}")
             for name in ("whole.bin", "pieces.bin")}
    assert heads["whole.bin"]["ETag"].strip('"').endswith("-5")  # 4 parts of 16 MiB + 8
    assert heads["whole.bin"]["ETag"] == heads["pieces.bin"]["ETag"]
    # a few parts in memory, as for small writes; not the 72 MiB written
    assert whole < pieces * 1.25 + 4 * MiB and whole < 96 * MiB, (whole / MiB, pieces / MiB)
    with store.open(f"{store.path}/big/whole.bin") as handle:
        assert handle.read() == data
    print(f"traced peak writing 72 MiB at once: {whole / MiB:.0f} MiB, in 1 MiB pieces: "
          f"{pieces / MiB:.0f} MiB")


def test_a_50_mb_numpy_artifact_round_trips(weed: S3Server) -> None:
    store = weed.store()
    uri = f"{store.path}/run/step/output"
    array = np.random.default_rng(1).random(50_000_000 // 8)
    NumpyMaterializer(uri, store).handle_return(array)
    head = weed.client.head_object(Bucket=weed.bucket, Key="zenml/run/step/output/data.npy")
    assert "-" in head["ETag"]  # multipart
    assert np.array_equal(NumpyMaterializer(uri, store).handle_input(np.ndarray), array)
    first = store.content_hash(uri)
    NumpyMaterializer(f"{store.path}/again", store).handle_return(array)
    assert store.content_hash(f"{store.path}/again") == first


@step
def produce() -> int:
    CALLS.append("produce")
    return 20


@step
def double(x: int) -> int:
    CALLS.append("double")
    return 2 * x


@pipeline
def weed_pipeline(produce, double):
    double(produce())


def _stack(zen: Zen, weed: S3Server, tmp_path: Path, secret: str) -> None:
    zen("artifact-store", "register", "weed_store", "--flavor=s3",
        f"--path=s3://{weed.bucket}/zenml", f'--client_kwargs={{"endpoint_url": "{weed.url}"}}',
        f"--key={weed.key}", f"--secret={secret}")
    zen("metadata-store", "register", "weed_meta", "--flavor=sqlite",
        f"--uri={tmp_path / 'meta.db'}")
    zen("stack", "register", "weed_stack", "-o", "default", "-a", "weed_store",
        "-m", "weed_meta", "--set")


def test_a_pipeline_and_its_step_processes_on_seaweedfs(zen: Zen, weed: S3Server,
                                                        tmp_path: Path) -> None:
    _stack(zen, weed, tmp_path, weed.secret)
    run = weed_pipeline(produce=produce(), double=double()).run()
    assert run is not None and run.get_step("double").output.read() == 40
    deployment = weed_pipeline(produce=produce(), double=double()).deployment(
        Repository().active_stack, enable_cache=False)
    file = tmp_path / "deployment.json"
    file.write_text(deployment.to_json())
    for spec in deployment.steps:  # no AWS_* variables: the credentials travel in the spec
        done = subprocess.run(
            [sys.executable, "-m", "zenml.execution.entrypoint", "--deployment", str(file),
             "--step", spec.name], capture_output=True, text=True, timeout=120, cwd="/")
        assert done.returncode == 0, done.stderr
    other = Repository().get_pipeline("weed_pipeline").get_run(deployment.run_name)
    assert other.status is ExecutionStatus.COMPLETED
    assert other.get_step("double").output.read() == 40
    assert len(weed.keys(f"zenml/weed_pipeline/{deployment.run_name}/")) == 2


def test_refused_credentials_fail_the_step_before_its_code_runs(zen: Zen, weed: S3Server,
                                                                tmp_path: Path) -> None:
    _stack(zen, weed, tmp_path, "wrong-secret")
    CALLS.clear()
    with pytest.raises(RunFailedError, match="SignatureDoesNotMatch") as error:
        weed_pipeline(produce=produce(), double=double()).run()
    assert "ArtifactStoreError: S3 artifact store 'weed_store'" in str(error.value)
    assert CALLS == []
    run = Repository().get_pipeline("weed_pipeline").runs[-1]
    assert run.status is ExecutionStatus.FAILED
    assert run.get_step("produce").outputs == {}
