"""Content hashes followed while outputs are written (issue 18, goal 3), and the
per-step fast paths around them: each gives what the slow path gave."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zenml.artifact_stores.base as artifact_base
from zenml.artifact_stores.base import CONTENT_HASH_PREFIX, BaseArtifactStore
from zenml.artifact_stores.config import LocalArtifactStoreConfig
from zenml.artifact_stores.local import LocalArtifactStore
from zenml.errors import EntityExistsError
from zenml.materializers import build_registry
from zenml.materializers.numpy_materializer import NumpyMaterializer, _read_npy, _write_npy
from zenml.metadata_stores.records import ExecutionStatus
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import Output, step


@pytest.fixture
def store(tmp_path: Path) -> LocalArtifactStore:
    return LocalArtifactStore(name="s", id=str(uuid.uuid4()), flavor="local",
                              config=LocalArtifactStoreConfig(path=str(tmp_path / "store")))


def _followed_and_read_back(store: LocalArtifactStore, uri: str,
                            write: Any) -> tuple[str | None, str | None]:
    """(the hash followed while ``write(uri)`` ran, or None; the hash read back after)."""
    store.makedirs(uri)
    with store.hash_while_writing(uri):
        write(uri)
        followed = store._followed_hash(uri)
        returned = store.content_hash(uri)
    read_back = store.content_hash(uri)  # outside the block: always read back
    assert returned == read_back
    return followed, read_back


VALUES: list[Any] = [
    7, "text ünïcode", b"\x00\xffbytes", None, {"a": [1, 2]}, [1, "two"],
    np.arange(10.0), np.random.default_rng(1).random((64, 33)),
    np.asfortranarray(np.arange(12.0).reshape(3, 4)), np.arange(24).reshape(4, 6)[:, ::2],
    np.array(["a", "bc"]), np.array([1, 2], dtype="datetime64[s]"), np.zeros((0, 3)),
    np.array([1, "x"], dtype=object), np.arange(2 * 2**20, dtype=np.uint8),  # > 1 MiB
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__ + str(
    getattr(v, "shape", "")))
def test_the_followed_hash_is_the_hash_of_the_files_written(
        store: LocalArtifactStore, value: Any) -> None:
    materializer = build_registry().get(type(value))
    followed, read_back = _followed_and_read_back(
        store, f"{store.path}/a/{uuid.uuid4().hex}",
        lambda uri: materializer(uri, store).handle_return(value))
    assert followed == read_back  # one file written front to back: followed, not read
    assert read_back is not None


def test_the_npy_fast_path_writes_the_bytes_numpy_save_writes() -> None:
    arrays = [np.arange(10.0), np.asfortranarray(np.ones((3, 5))), np.array(3.5),
              np.zeros((0, 3)), np.array(["a", "bc"]), np.arange(6, dtype=">i2"),
              np.zeros(3, dtype=[("x", "<i4"), ("y", ">f8")]),
              np.array([1, 2], dtype="datetime64[s]"), np.ones((2, 3), dtype=bool)]
    for array in arrays:
        expected, written = io.BytesIO(), io.BytesIO()
        np.save(expected, array, allow_pickle=False)
        assert _write_npy(written, array), array.dtype
        assert written.getvalue() == expected.getvalue(), array.dtype
    assert not _write_npy(io.BytesIO(), np.arange(12).reshape(3, 4)[:, ::2])
    assert not _write_npy(io.BytesIO(), np.array([1, "x"], dtype=object))


def test_writes_it_cannot_follow_are_read_back(store: LocalArtifactStore) -> None:
    def out_of_order(uri: str) -> None:  # sorted order is a.bin before b.bin
        for name in ("b.bin", "a.bin"):
            with store.open(f"{uri}/{name}", "wb") as handle:
                handle.write(name.encode())

    def seeks(uri: str) -> None:
        with store.open(f"{uri}/data.bin", "wb") as handle:
            handle.write(b"0123456789")
            handle.seek(2)
            handle.write(b"xx")

    def changed_behind_its_back(uri: str) -> None:
        with store.open(f"{uri}/data.bin", "wb") as handle:
            handle.write(b"abc")
        with open(f"{uri}/data.bin", "ab") as raw:  # not through the store
            raw.write(b"def")

    def appended(uri: str) -> None:
        with store.open(f"{uri}/data.bin", "wb") as handle:
            handle.write(b"abc")
        with store.open(f"{uri}/data.bin", "ab") as handle:
            handle.write(b"def")

    def extra_file(uri: str) -> None:
        with store.open(f"{uri}/a.bin", "wb") as handle:
            handle.write(b"abc")
        Path(f"{uri}/z.bin").write_bytes(b"zzz")

    for write in (out_of_order, seeks, changed_behind_its_back, appended, extra_file):
        followed, read_back = _followed_and_read_back(
            store, f"{store.path}/{write.__name__}", write)
        assert followed is None, write.__name__
        assert read_back is not None


def test_nested_files_in_sorted_order_are_followed(store: LocalArtifactStore) -> None:
    def nested(uri: str) -> None:
        for name in ("0/data.json", "1/data.json", "metadata.json"):
            store.makedirs(os.path.dirname(f"{uri}/{name}"))
            with store.open(f"{uri}/{name}", "w") as handle:
                handle.write(name)

    followed, read_back = _followed_and_read_back(store, f"{store.path}/nested", nested)
    assert followed == read_back


def test_a_failed_write_leaves_no_file_and_no_followed_hash(store: LocalArtifactStore) -> None:
    uri = f"{store.path}/failed"
    store.makedirs(uri)
    with store.hash_while_writing(uri):
        with pytest.raises(RuntimeError), store.open(f"{uri}/data.bin", "wb") as handle:
            handle.write(b"partial")
            raise RuntimeError("the materializer failed")
        assert store._followed_hash(uri) is None
    assert os.listdir(uri) == []


def test_a_pipeline_records_the_hash_of_the_files_it_wrote() -> None:
    @step
    def make() -> Output(array=np.ndarray, number=int):  # type: ignore[valid-type]
        return np.arange(3 * 2**18, dtype=np.float64), 3

    @step
    def total(array: np.ndarray, number: int) -> float:
        return float(array.sum()) + number

    @pipeline
    def hashed(make, total):
        array, number = make()
        total(array=array, number=number)

    run = hashed(make=make(), total=total()).run()
    artifact_store = Repository().active_stack.artifact_store
    outputs = [output for s in run.steps for output in s.outputs.values()]
    assert len(outputs) == 3
    for output in outputs:
        assert output.content_hash == artifact_store.content_hash(output.uri)
        assert output.content_hash.startswith(CONTENT_HASH_PREFIX)
    again = hashed(make=make(), total=total()).run()  # same content: every step cached
    assert [s.status for s in again.steps] == [ExecutionStatus.CACHED] * 2
    assert again.get_step("total").output.read() == float(sum(range(3 * 2**18))) + 3


def test_the_local_root_guard_agrees_with_the_full_check(tmp_path: Path) -> None:
    root = tmp_path / "store"
    (root / "a" / "b").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (root / "out").symlink_to(tmp_path / "outside")
    (root / "in").symlink_to(root / "a")
    (tmp_path / "rootlink").symlink_to(root)
    paths = ["", "/", "/a", "/a/b/c/d", "/out", "/out/x", "/in/b", "/a/../../x",
             "/../store/a", "/../outside/x", "/new/x/y", "/./a"]
    for configured in (root, tmp_path / "rootlink"):
        store = LocalArtifactStore(name="s", id="1", flavor="local",
                                   config=LocalArtifactStoreConfig(path=str(configured)))
        for suffix in paths:
            for strict in (True, False):
                path = f"{configured}{suffix}"
                assert store.contains(path, strict=strict) == BaseArtifactStore.contains(
                    store, path, strict=strict), (path, strict)
    store = LocalArtifactStore(name="s", id="1", flavor="local",
                               config=LocalArtifactStoreConfig(path=str(root)))
    assert not store.contains(f"{root}/out/x") and store.contains(f"{root}/in/b")


def test_a_step_left_running_is_replaced_and_a_finished_one_is_refused() -> None:
    metadata_store = Repository().active_stack.metadata_store
    run_id = str(uuid.uuid4())
    metadata_store.create_run(run_id=run_id, run_name="r", pipeline_name="p",
                              stack_name="default", enable_cache=True, num_steps=1)

    def start() -> str:
        step_run_id = str(uuid.uuid4())
        metadata_store.start_step_run(
            step_run_id=step_run_id, run_id=run_id, name="s", entrypoint_name="s",
            source="m:s", parameters={}, cache_key="k", inputs={})
        return step_run_id

    start()  # as a killed process leaves it: running
    replacement = start()
    assert [s.id for s in metadata_store.get_step_runs(run_id)] == [replacement]
    metadata_store.complete_step_run(replacement, [])
    with pytest.raises(EntityExistsError, match="already ran"):
        start()
    with pytest.raises(Exception, match=r"(?i)foreign key|constraint"):
        metadata_store.start_step_run(
            step_run_id=str(uuid.uuid4()), run_id=str(uuid.uuid4()), name="s",
            entrypoint_name="s", source="m:s", parameters={}, cache_key="k", inputs={})
    assert [s.status for s in metadata_store.get_step_runs(run_id)] == [
        ExecutionStatus.COMPLETED]


def test_numpy_outputs_round_trip_through_the_hashing_writer(
        store: LocalArtifactStore) -> None:
    array = np.random.default_rng(2).random((300, 500))
    uri = f"{store.path}/round"
    store.makedirs(uri)
    with store.hash_while_writing(uri):
        NumpyMaterializer(uri, store).handle_return(array)
    np.testing.assert_array_equal(NumpyMaterializer(uri, store).handle_input(np.ndarray), array)


def test_pandas_frames_and_series_are_hashed_as_written(store: LocalArtifactStore) -> None:
    pd = pytest.importorskip("pandas") if os.environ.get("CI") != "true" else __import__(
        "pandas")
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    for value in (frame, frame["a"].rename("named")):
        materializer = build_registry().get(type(value))
        followed, read_back = _followed_and_read_back(
            store, f"{store.path}/pd/{uuid.uuid4().hex}",
            lambda uri, v=value, m=materializer: m(uri, store).handle_return(v))
        assert followed == read_back


def test_a_materializer_may_close_what_it_was_given(store: LocalArtifactStore) -> None:
    def closes(uri: str) -> None:
        with store.open(f"{uri}/a.txt", "w") as text:
            text.write("ünï")
            text.close()
        with store.open(f"{uri}/b.bin", "wb") as binary:
            binary.write(b"\x00\x01")
            binary.close()

    followed, read_back = _followed_and_read_back(store, f"{store.path}/closes", closes)
    assert followed == read_back
    assert Path(f"{store.path}/closes/a.txt").read_text(encoding="utf-8") == "ünï"


def _definition(folder: Path) -> str:
    """The content hash's definition computed here, independently of the store's code:
    ``blake3:`` + the first 28 bytes (hex) of BLAKE3 over ``<relative path>\\0<bytes>\\0``
    per file, in sorted order of the paths relative to the folder (with a leading /)."""
    from blake3 import blake3

    digest = blake3()
    files = sorted("/" + p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if p.is_file())
    for relative in files:
        digest.update(relative.encode() + b"\0" + (folder / relative[1:]).read_bytes() + b"\0")
    return "blake3:" + digest.hexdigest(length=28)


def test_the_hash_is_versioned_blake3_and_fits_the_records_column(
        store: LocalArtifactStore) -> None:
    def nested(uri: str) -> None:
        for name in ("0/data.bin", "1/data.bin", "z.txt"):
            store.makedirs(os.path.dirname(f"{uri}/{name}"))
            with store.open(f"{uri}/{name}", "wb") as handle:
                handle.write(name.encode() * 1000)
                handle.write(np.arange(2**18, dtype=np.float64))  # 2 MiB: the helper thread

    followed, read_back = _followed_and_read_back(store, f"{store.path}/def", nested)
    expected = _definition(Path(store.path) / "def")
    assert followed == read_back == expected
    assert len(expected) == 63 <= 64  # zenml_md_artifacts.content_hash is String(64)
    sha = hashlib.sha256()
    for name in ("/0/data.bin", "/1/data.bin", "/z.txt"):
        sha.update(name.encode() + b"\0" + Path(f"{store.path}/def{name}").read_bytes() + b"\0")
    assert sha.hexdigest() not in (followed, followed.partition(":")[2])  # new != old


def _old_definition(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash outputs as before the change: SHA-256, 64 hex digits, no prefix."""
    class Sha256:
        def __init__(self) -> None:
            self.inner = hashlib.sha256()

        def update(self, data: Any) -> None:
            self.inner.update(data)

        def hexdigest(self, length: int = 32) -> str:
            return self.inner.hexdigest()

    monkeypatch.setattr(artifact_base, "content_digest", Sha256)
    monkeypatch.setattr(artifact_base, "content_hash_string", lambda d: d.hexdigest())


def test_a_store_written_with_the_old_hash_misses_once_then_hits(
        monkeypatch: pytest.MonkeyPatch) -> None:
    @step(enable_cache=False)  # re-run every time: its output is hashed anew each run
    def produce() -> np.ndarray:
        return np.arange(2**18, dtype=np.float64)

    @step
    def consume(array: np.ndarray) -> float:
        return float(array.sum())

    @pipeline
    def versioned(produce, consume):
        consume(produce())

    with monkeypatch.context() as patched:
        _old_definition(patched)
        old = versioned(produce=produce(), consume=consume()).run()
    old_hash = old.get_step("produce").output.content_hash
    assert old_hash is not None and len(old_hash) == 64 and ":" not in old_hash
    assert old.get_step("consume").status == ExecutionStatus.COMPLETED

    new = versioned(produce=produce(), consume=consume()).run()  # same bytes, new definition
    new_hash = new.get_step("produce").output.content_hash
    assert new_hash == _definition(Path(new.get_step("produce").output.uri))
    assert new_hash != old_hash
    assert new.get_step("consume").status == ExecutionStatus.COMPLETED  # a miss, once
    again = versioned(produce=produce(), consume=consume()).run()
    assert again.get_step("consume").status == ExecutionStatus.CACHED  # then a hit
    assert again.get_step("consume").output.read() == float(sum(range(2**18)))


READ_ARRAYS: list[Any] = [
    np.arange(10.0), np.asfortranarray(np.arange(12.0).reshape(3, 4)), np.array(3.5),
    np.zeros((0, 3)), np.zeros((2, 0, 3), order="F"), np.array(["a", "bc"]),
    np.arange(6, dtype=">i2"), np.zeros(3, dtype=[("x", "<i4"), ("y", ">f8")]),
    np.array([1, 2], dtype="datetime64[s]"), np.ones((2, 3), dtype=bool),
    np.random.default_rng(3).random((257, 1031)),
]


@pytest.mark.parametrize("array", READ_ARRAYS, ids=lambda a: f"{a.dtype}{a.shape}")
def test_the_npy_fast_reader_reads_what_numpy_load_reads(array: Any) -> None:
    for version in ((1, 0), (2, 0)):
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, array, version=version)
        buffer.seek(0)
        read = _read_npy(buffer)
        expected = np.load(io.BytesIO(buffer.getvalue()))
        assert read is not None
        assert read.dtype == expected.dtype and read.shape == expected.shape
        assert read.flags.f_contiguous == expected.flags.f_contiguous
        np.testing.assert_array_equal(read, expected)


class _ReadOnly(io.RawIOBase):
    """A handle with ``read`` in small pieces and no ``readinto`` (as some file-likes)."""

    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def read(self, size: int = -1) -> bytes:
        size = min(size if size >= 0 else len(self._data), 1000)
        chunk = self._data[self._at:self._at + size]
        self._at += len(chunk)
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        self._at = offset
        return offset

    def readable(self) -> bool:
        return True

    readinto = None  # type: ignore[assignment]


def test_the_npy_fast_reader_falls_back_and_refuses_truncated_files() -> None:
    objects = io.BytesIO()
    np.save(objects, np.array([1, "x"], dtype=object), allow_pickle=True)
    objects.seek(0)
    assert _read_npy(objects) is None and objects.tell() == 0  # numpy.load reads it
    array = np.arange(5000, dtype=np.int32)
    whole = io.BytesIO()
    np.save(whole, array)
    np.testing.assert_array_equal(_read_npy(_ReadOnly(whole.getvalue())), array)
    with pytest.raises(ValueError, match="EOF"):
        _read_npy(io.BytesIO(whole.getvalue()[:-4]))


def test_hashing_imports_blake3_only_when_an_output_is_hashed() -> None:
    import subprocess
    import sys

    code = ("import sys, zenml.cli, zenml.artifact_stores.base, "
            "zenml.materializers.numpy_materializer; print('blake3' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("mode", ["wb", "w"])
def test_a_hashed_write_takes_open_options_as_an_unhashed_one(store: LocalArtifactStore,
                                                              mode: str) -> None:
    """Options beyond the text layer's reach the file while a hash is followed too: an
    unbuffered binary write stays unbuffered (its bytes are on disk before close), an
    option the file does not take is refused the same way in both."""
    uri = os.path.join(store.path, "artifact")
    store.makedirs(uri)
    path = os.path.join(uri, "data")
    for following in (False, True):
        with contextlib.ExitStack() as stack:
            if following:
                stack.enter_context(store.hash_while_writing(uri))
            with pytest.raises(TypeError), store.open(path, mode, not_an_option=1):
                pass
    with store.hash_while_writing(uri):
        with store.open(path, "wb", buffering=0) as handle:
            handle.write(b"abc")
            temporaries = [name for name in os.listdir(uri) if name != "data"]
            assert [os.path.getsize(os.path.join(uri, t)) for t in temporaries] == [3]
        assert store._followed_hash(uri) == store.content_hash(uri) is not None
