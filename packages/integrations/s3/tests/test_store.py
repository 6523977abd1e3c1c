"""The S3 artifact store's file operations and errors, against moto's real S3 API server."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from zenml_s3.errors import ArtifactStoreError

from zenml.materializers.numpy_materializer import NumpyMaterializer

from conftest import S3Server, import_or_need

MiB = 2**20


def test_open_modes_match_the_local_store(s3: S3Server) -> None:
    store = s3.store()
    root = f"{store.path}/run/step/output"
    store.makedirs(root)
    with store.open(f"{root}/data.json", "w") as handle:
        handle.write('{"name": "Zoë"}')  # text is UTF-8, as in the local store
    with store.open(f"{root}/data.json", "r") as handle:
        assert handle.read() == '{"name": "Zoë"}'
    with store.open(f"{root}/data.bin", "wb") as handle:
        handle.write(b"\x00\x01binary")
    with store.open(f"{root}/data.bin", "rb") as handle:
        assert handle.read() == b"\x00\x01binary"
    with store.open(f"{root}/data.bin") as handle:  # "rb" is the default
        assert handle.read(1) == b"\x00"
    raw = s3.client.get_object(Bucket=s3.bucket, Key="zenml/run/step/output/data.json")
    assert raw["Body"].read() == '{"name": "Zoë"}'.encode()


def test_listing_exists_copy_and_deletes(s3: S3Server) -> None:
    store = s3.store()
    base = f"{store.path}/run"
    for name in ("a/data.json", "a/sub/x.bin", "b/data.json"):
        with store.open(f"{base}/{name}", "wb") as handle:
            handle.write(name.encode())
    assert store.listdir(base) == ["a", "b"]
    assert store.listdir(f"{base}/a") == ["data.json", "sub"]
    assert store.exists(f"{base}/a") and store.exists(f"{base}/a/sub/x.bin")
    assert not store.exists(f"{base}/c") and not store.exists(f"{base}/a/data")
    assert store.glob(f"{base}/*/data.json") == [f"{s3.bucket}/zenml/run/a/data.json",
                                                 f"{s3.bucket}/zenml/run/b/data.json"]
    store.copyfile(f"{base}/b/data.json", f"{base}/c/data.json")
    with pytest.raises(FileExistsError):
        store.copyfile(f"{base}/b/data.json", f"{base}/c/data.json")
    store.copyfile(f"{base}/a/data.json", f"{base}/c/data.json", overwrite=True)
    with store.open(f"{base}/c/data.json", "rb") as handle:
        assert handle.read() == b"a/data.json"
    store.remove(f"{base}/c/data.json")
    assert not store.exists(f"{base}/c")
    store.rmtree(f"{base}/a")
    assert s3.keys("zenml/") == ["zenml/run/b/data.json"]
    # a missing object stays a FileNotFoundError
    with pytest.raises(FileNotFoundError), store.open(f"{base}/a/data.json", "rb"):
        pass


def test_listing_and_deleting_more_than_a_page_of_objects(s3: S3Server) -> None:
    store = s3.store()
    store.filesystem.pipe({f"{s3.bucket}/zenml/many/{i:04d}": b"x" for i in range(1100)})
    names = store.listdir(f"{store.path}/many")
    assert len(names) == 1100 and names[0] == "0000" and names[-1] == "1099"
    assert len(store.glob(f"{store.path}/many/10*")) == 100
    started = time.perf_counter()
    store.rmtree(f"{store.path}/many")  # two DeleteObjects batches of at most 1000
    assert s3.keys("zenml/") == [] and time.perf_counter() - started < 30


def test_a_failed_write_leaves_no_object_and_no_pending_upload(s3: S3Server) -> None:
    store = s3.store()
    path = f"{store.path}/run/step/output/data.bin"
    broken = pytest.raises(RuntimeError, match="materializer broke")
    with broken, store.open(path, "wb") as handle:
        for _ in range(40):  # 40 MiB: two 16 MiB parts are already uploaded
            handle.write(b"x" * MiB)
        assert s3.uploads() != []
        raise RuntimeError("materializer broke")
    assert s3.uploads() == []
    assert s3.keys("zenml/") == []
    with pytest.raises(ValueError, match="text broke"), store.open(path, "w") as handle:
        handle.write("half a JSON document")
        raise ValueError("text broke")
    assert s3.keys("zenml/") == []


def test_a_50_mb_numpy_artifact_round_trips_in_parts(s3: S3Server) -> None:
    np = import_or_need("numpy")
    store = s3.store()
    uri = f"{store.path}/run/step/output"
    array = np.random.default_rng(0).random(50_000_000 // 8)
    started = time.perf_counter()
    NumpyMaterializer(uri, store).handle_return(array)
    written = time.perf_counter() - started
    head = s3.client.head_object(Bucket=s3.bucket, Key="zenml/run/step/output/data.npy")
    assert head["ContentLength"] > 50_000_000
    parts = int(head["ETag"].strip('"').rpartition("-")[2])  # multipart ETags end in -N
    assert parts >= 3, head["ETag"]
    started = time.perf_counter()
    back = NumpyMaterializer(uri, store).handle_input(np.ndarray)
    read = time.perf_counter() - started
    assert np.array_equal(back, array)
    print(f"50 MB numpy artifact on moto: write {written:.2f} s ({parts} parts), "
          f"read {read:.2f} s")


def test_content_hash_comes_from_etags_without_reading(s3: S3Server,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    store = s3.store()

    def write(uri: str, size: int, fill: bytes = b"x") -> None:
        with store.open(f"{uri}/data.bin", "wb") as handle:
            for _ in range(size // MiB):
                handle.write(fill * MiB)
        with store.open(f"{uri}/meta.json", "w") as handle:
            handle.write(f'{{"size": {size}}}')

    write(f"{store.path}/one", 20 * MiB)  # multipart (2 parts)
    write(f"{store.path}/two", 20 * MiB)
    write(f"{store.path}/three", 20 * MiB, fill=b"y")
    write(f"{store.path}/one2", 2 * MiB)  # a sibling whose name starts like "one"

    def no_reading(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("content_hash read an object back")

    monkeypatch.setattr(store.filesystem, "open", no_reading)
    one, two = store.content_hash(f"{store.path}/one"), store.content_hash(f"{store.path}/two/")
    assert one == two and one is not None and len(one) == 64
    assert store.content_hash(f"{store.path}/three") != one
    assert store.content_hash(f"{store.path}/one2") != one
    assert store.content_hash(f"{store.path}/nothing-here") is None


# -- errors ---------------------------------------------------------------------------------
def test_a_missing_bucket_is_one_line_and_never_created(s3: S3Server) -> None:
    store = s3.store(path="s3://no-such-bucket/zenml")
    with pytest.raises(ArtifactStoreError) as error:
        store.makedirs(f"{store.path}/run/step/output")
    message = str(error.value)
    assert message.startswith("S3 artifact store 's3_store' (bucket 'no-such-bucket'): "
                              "the bucket does not exist")
    assert "NoSuchBucket" in message and s3.url in message and "\n" not in message
    assert "no-such-bucket" not in [b["Name"] for b in s3.client.list_buckets()["Buckets"]]
    missing = pytest.raises(ArtifactStoreError, match="NoSuchBucket")
    with missing, store.open(f"{store.path}/x/data.json", "w") as handle:
        handle.write("1")
    with pytest.raises(ArtifactStoreError, match="NoSuchBucket"):  # not a mere False
        store.exists(f"{store.path}/x")


def test_an_unreachable_endpoint_fails_fast_in_one_line() -> None:
    port = socket.socket()
    port.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    url = f"http://127.0.0.1:{port.getsockname()[1]}"
    store = S3Server(url=url, bucket="bucket").store()
    started = time.perf_counter()
    with pytest.raises(ArtifactStoreError) as error:
        store.makedirs(f"{store.path}/run")
    elapsed = time.perf_counter() - started
    port.close()
    message = str(error.value)
    assert message.startswith(f"S3 artifact store 's3_store' (bucket 'bucket'): cannot reach "
                              f"{url} (EndpointConnectionError")
    assert "endpoint_url" in message and "\n" not in message
    assert elapsed < 15, elapsed  # 3 attempts with backoff


def test_a_silent_endpoint_times_out_within_the_configured_bound(silent_server: str) -> None:
    store = S3Server(url=silent_server, bucket="bucket").store(
        config_kwargs={"read_timeout": 1, "retries": {"total_max_attempts": 1}})
    started = time.perf_counter()
    with pytest.raises(ArtifactStoreError) as error:
        store.makedirs(f"{store.path}/run")
    elapsed = time.perf_counter() - started
    assert f"no answer from {silent_server} within read_timeout=1 s" in str(error.value)
    # s3fs tries twice (S3FS_RETRIES), botocore once per try: two 1 s timeouts, not
    # s3fs's default five tries times botocore's default retries
    assert 1.5 < elapsed < 8, elapsed


def test_bad_client_settings_fail_on_first_use_in_one_line(s3: S3Server) -> None:
    store = s3.store(client_kwargs={"endpoint_url": s3.url, "endpoint": "x"})
    with pytest.raises(ArtifactStoreError, match=r"unknown client_kwargs endpoint; valid ones "
                                                 r"are .*endpoint_url"):
        store.exists(f"{store.path}/x")
    store = s3.store(config_kwargs={"no_such_option": 1})
    with pytest.raises(ArtifactStoreError, match="invalid config_kwargs"):
        store.exists(f"{store.path}/x")
