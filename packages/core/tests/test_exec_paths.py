"""Names are data, never paths: artifact URIs, the path guard, and artifact stores that
refuse to write or delete outside their root (issue 13, defect 1)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zenml.artifact_stores.base import BaseArtifactStore
from zenml.artifact_stores.config import BaseArtifactStoreConfig, LocalArtifactStoreConfig
from zenml.artifact_stores.local import LocalArtifactStore
from zenml.errors import ArtifactStoreError
from zenml.utils.paths import (
    PathEscapeError,
    decode_segment,
    encode_segment,
    is_under,
    join_under,
)


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


# -- the encoding ---------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_a_name_encodes_to_one_safe_segment_and_back(name: str) -> None:
    segment = encode_segment(name)
    assert segment not in ("", ".", "..") and not segment.startswith(".")
    assert "/" not in segment and "\\" not in segment and "\0" not in segment
    assert segment.isascii() and segment.isprintable()
    assert len(segment) <= 128
    if "~~" in segment:  # too long once encoded: cut, and told apart by a hash
        assert encode_segment(name + "x") != segment
    else:
        assert decode_segment(segment) == name
    if name.isascii() and len(name) <= 42:
        assert decode_segment(segment) == name


def test_plain_names_and_ids_stay_readable() -> None:
    assert encode_segment("train_model-2") == "train_model-2"
    run_id = str(uuid.uuid4())
    assert encode_segment(run_id) == run_id
    assert encode_segment("../../x") == "~2E.~2F..~2Fx"
    assert encode_segment("a b") == "a~20b"


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=200, max_size=400))
def test_long_names_are_bounded_and_stay_distinct(name: str) -> None:
    segment = encode_segment(name)
    assert len(segment) <= 128
    assert encode_segment(name + "x") != segment
    with pytest.raises(ValueError, match="shortened"):
        decode_segment(segment)


def test_join_under_refuses_segments_that_are_paths(tmp_path: Path) -> None:
    root = str(tmp_path / "root")
    assert join_under(root, "a", "b") == f"{root}/a/b"
    assert join_under("s3://bucket/zenml/", "a") == "s3://bucket/zenml/a"
    for bad in ("..", ".", "", "a/b", "../x", "a\\b", "a\0b"):
        with pytest.raises(PathEscapeError):
            join_under(root, bad)


def test_is_under_compares_normalised_and_resolved_paths(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "inside").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", root / "link")
    assert is_under(str(root), str(root / "inside" / "f"), local=True)
    assert not is_under(str(root), str(root / ".." / "outside"), local=True)
    assert not is_under(str(root), str(root / "link" / "f"), local=True)  # the symlink leaves
    assert is_under(str(root), str(root / "link" / "f"), local=False)  # lexically inside
    assert not is_under(str(root), f"{root}-sibling/f", local=True)
    assert not is_under(str(root), str(root), local=True, strict=True)
    assert is_under("s3://b/zenml", "s3://b/zenml/x/../y")
    assert not is_under("s3://b/zenml", "s3://b/zenml/../other")
    assert not is_under("s3://b/zenml", "s3://b/zenmlx/y")
    assert not is_under("s3://b/zenml", "gs://b/zenml/y")


# -- the artifact store guard ---------------------------------------------------------------
@pytest.fixture
def store(tmp_path: Path) -> LocalArtifactStore:
    store = LocalArtifactStore(name="guarded", id=str(uuid.uuid4()), flavor="local",
                               config=LocalArtifactStoreConfig(path=str(tmp_path / "store")))
    store.provision()
    return store


def test_the_store_refuses_to_write_or_delete_outside_its_root(
        store: LocalArtifactStore, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    escape = f"{store.path}/../victim"
    attempts: list[Any] = [
        lambda: store.rmtree(escape),
        lambda: store.remove(f"{escape}/keep.txt"),
        lambda: store.makedirs(f"{escape}/new"),
        lambda: store.copyfile(f"{store.path}/a", f"{escape}/copy"),
        lambda: store.rmtree(store.path),  # the root itself is not a step's to delete
    ]
    for attempt in attempts:
        with pytest.raises(ArtifactStoreError, match="outside the artifact store"):
            attempt()
    for mode in ("w", "wb", "a", "x"):
        with pytest.raises(ArtifactStoreError, match="outside"), \
                store.open(f"{escape}/keep.txt", mode):
            pass
    assert files_under(victim) == {victim / "keep.txt"}
    assert (victim / "keep.txt").read_text() == "precious"
    assert [p.name for p in victim.iterdir()] == ["keep.txt"]


def test_a_symlink_inside_the_store_cannot_lead_outside(
        store: LocalArtifactStore, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    os.symlink(victim, Path(store.path) / "link")
    with pytest.raises(ArtifactStoreError, match="outside"):
        store.rmtree(f"{store.path}/link")
    with pytest.raises(ArtifactStoreError, match="outside"), \
            store.open(f"{store.path}/link/keep.txt", "w"):
        pass
    assert (victim / "keep.txt").read_text() == "precious"
    # reading is not guarded (old runs may point anywhere), and paths inside work
    with store.open(f"{store.path}/link/keep.txt", "r") as handle:
        assert handle.read() == "precious"
    store.makedirs(f"{store.path}/a/b")
    with store.open(f"{store.path}/a/b/f.txt", "w") as handle:
        handle.write("ok")
    store.copyfile(f"{store.path}/a/b/f.txt", f"{store.path}/a/g.txt")
    store.remove(f"{store.path}/a/g.txt")
    store.rmtree(f"{store.path}/a")
    assert sorted(os.listdir(store.path)) == ["link"]


def test_a_write_appears_only_when_complete_and_a_failed_one_leaves_nothing(
        store: LocalArtifactStore) -> None:
    path = f"{store.path}/out/data.bin"
    store.makedirs(f"{store.path}/out")
    with store.open(path, "wb") as handle:
        handle.write(b"x" * 1000)
        assert not os.path.exists(path)  # written under a temporary name
    assert Path(path).read_bytes() == b"x" * 1000
    assert os.listdir(f"{store.path}/out") == ["data.bin"]
    assert Path(path).stat().st_mode & 0o077 == 0  # private to its owner
    with pytest.raises(RuntimeError, match="boom"), store.open(path, "wb") as handle:
        handle.write(b"partial")
        raise RuntimeError("boom")
    assert Path(path).read_bytes() == b"x" * 1000  # the old content, untouched
    assert os.listdir(f"{store.path}/out") == ["data.bin"]  # no temporary file left


class MemoryArtifactStore(BaseArtifactStore):
    """An artifact store on fsspec's in-memory filesystem: the base class's own behaviour."""

    def get_filesystem(self) -> Any:
        from fsspec.implementations.memory import MemoryFileSystem

        return MemoryFileSystem(skip_instance_cache=True)


def test_the_fsspec_base_writes_through_a_temporary_name_and_guards_its_root() -> None:
    store = MemoryArtifactStore(name="memory", id=str(uuid.uuid4()), flavor="memory",
                                config=BaseArtifactStoreConfig(path="memory://root/zenml"))
    fs = store.filesystem
    fs.pipe("/root/other/keep.txt", b"precious")
    path = f"{store.path}/run/data.bin"
    with store.open(path, "wb") as handle:
        handle.write(b"complete")
        assert not store.exists(path)
    assert fs.cat(path) == b"complete"
    with pytest.raises(OSError, match="full"), store.open(path, "wb") as handle:
        handle.write(b"partial")
        raise OSError("disk full")
    assert fs.cat(path) == b"complete"
    assert store.listdir(f"{store.path}/run") == ["data.bin"]
    for attempt in (lambda: store.rmtree("memory://root/other"),
                    lambda: store.remove("memory://root/zenml/../other/keep.txt"),
                    lambda: store.makedirs("memory://root/zenmlx")):
        with pytest.raises(ArtifactStoreError, match="outside"):
            attempt()
    with pytest.raises(ArtifactStoreError, match="outside"), \
            store.open("memory://root/other/keep.txt", "wb"):
        pass
    assert fs.cat("/root/other/keep.txt") == b"precious"


def test_every_folder_and_file_of_a_run_is_private(tmp_path: Path) -> None:
    """A run's artifact folders are made 0700 and its files 0600, also under a root the
    user made readable by others (names of runs and steps are not shown either)."""
    import stat

    from zenml.pipelines import pipeline
    from zenml.repository import Repository
    from zenml.steps import step

    @step
    def numbers() -> list:
        return [1, 2, 3]

    @step
    def total(values: list) -> int:
        return sum(values)

    @pipeline
    def private_run(numbers, total):
        total(numbers())

    root = tmp_path / "shared"
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    store = LocalArtifactStore(name="s", id="1", flavor="local",
                               config=LocalArtifactStoreConfig(path=str(root)))
    store.makedirs(f"{store.path}/made/by/makedirs")
    artifact_root = Path(Repository().active_stack.artifact_store.path)
    run = private_run(numbers=numbers(), total=total()).run(run_name="private-run")
    assert run is not None and run.get_step("total").output.read() == 6
    made = [root / "made", root / "made/by", root / "made/by/makedirs"]
    written = list((artifact_root / "private_run").rglob("*"))
    assert any(p.is_file() for p in written) and any(p.is_dir() for p in written)
    for path in [*made, *written]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
