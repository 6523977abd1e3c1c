"""``zenml.io.fileio`` and ``zenml.io.utils`` as the original framework's code used them
(issue 15, item 3): local paths, and paths inside an artifact store (through the store)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zenml.errors import ArtifactStoreError
from zenml.io import fileio, utils
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import Output, StepContext, step


def test_a_local_round_trip_with_the_eras_functions(tmp_path: Path) -> None:
    root = str(tmp_path / "data")
    fileio.makedirs(os.path.join(root, "a", "b"))
    fileio.makedirs(os.path.join(root, "a", "b"))  # no error when it exists
    with fileio.open(os.path.join(root, "a", "text.txt"), "w") as handle:
        handle.write("héllo\n")
    assert fileio.open(os.path.join(root, "a", "text.txt")).read() == "héllo\n"
    with fileio.open(os.path.join(root, "a", "b", "blob.bin"), "wb") as handle:
        handle.write(b"\x00\x01")
    assert fileio.exists(os.path.join(root, "a", "text.txt"))
    assert not fileio.exists(os.path.join(root, "nothing"))
    assert fileio.isdir(os.path.join(root, "a")) and not fileio.isdir(
        os.path.join(root, "a", "text.txt"))
    assert fileio.listdir(os.path.join(root, "a")) == ["b", "text.txt"]
    assert fileio.glob(os.path.join(root, "a", "*.txt")) == [os.path.join(root, "a", "text.txt")]
    assert fileio.stat(os.path.join(root, "a", "b", "blob.bin")).st_size == 2
    assert fileio.size(os.path.join(root, "a", "b", "blob.bin")) == 2
    walked = {root_: (sorted(dirs), sorted(files)) for root_, dirs, files in fileio.walk(root)}
    assert walked[os.path.join(root, "a")] == (["b"], ["text.txt"])
    assert list(fileio.find_files(root, "*.bin")) == [os.path.join(root, "a", "b", "blob.bin")]

    with pytest.raises(FileNotFoundError):
        fileio.mkdir(os.path.join(root, "x", "y"))  # the parent must exist
    fileio.mkdir(os.path.join(root, "x"))

    source, copied = os.path.join(root, "a", "text.txt"), os.path.join(root, "x", "copy.txt")
    fileio.copy(source, copied)
    with pytest.raises(FileExistsError):
        fileio.copy(source, copied)
    fileio.copy(os.path.join(root, "a", "b", "blob.bin"), copied, overwrite=True)
    assert fileio.open(copied, "rb").read() == b"\x00\x01"

    moved = os.path.join(root, "x", "moved.txt")
    fileio.rename(copied, moved)
    assert not fileio.exists(copied) and fileio.exists(moved)
    fileio.remove(moved)
    with pytest.raises(FileNotFoundError):
        fileio.remove(moved)
    with pytest.raises(TypeError, match="not a directory"):
        fileio.rmtree(source)
    fileio.rmtree(os.path.join(root, "a"))
    assert fileio.listdir(root) == ["x"]


def test_the_eras_io_utils(tmp_path: Path) -> None:
    target = str(tmp_path / "deep" / "er" / "file.json")
    utils.create_file_if_not_exists(target)
    assert utils.read_file_contents_as_string(target) == "{}"
    utils.create_file_if_not_exists(target, "not written")
    utils.write_file_contents_as_string(target, "[1]")
    assert utils.read_file_contents_as_string(target) == "[1]"
    utils.copy_dir(str(tmp_path / "deep"), str(tmp_path / "copy"))
    assert utils.read_file_contents_as_string(str(tmp_path / "copy" / "er" / "file.json")) == "[1]"
    utils.create_dir_recursive_if_not_exists(str(tmp_path / "p" / "q"))
    utils.create_dir_if_not_exists(str(tmp_path / "p" / "q" / "r"))
    assert fileio.isdir(str(tmp_path / "p" / "q" / "r"))
    assert utils.get_parent(target) == "er" and utils.get_grandparent(target) == "deep"
    assert utils.resolve_relative_path("s3://b/k") == "s3://b/k"
    assert utils.is_remote("s3://b/k") and not utils.is_remote(target)
    assert Path(utils.get_global_config_directory()) == Path(os.environ["ZENML_CONFIG_PATH"])
    with pytest.raises(FileNotFoundError):
        utils.read_file_contents_as_string(str(tmp_path / "missing"))


def test_paths_in_a_store_in_scope_keep_the_stores_rules() -> None:
    store = Repository().active_stack.artifact_store
    inside = f"{store.path}/era/file.txt"
    with fileio.artifact_store_scope(store):
        fileio.makedirs(f"{store.path}/era")
        handle = fileio.open(inside, "w")
        handle.write("partial")
        # written under a temporary name until closed: never half a file under the real one
        assert not fileio.exists(inside)
        handle.close()
        assert fileio.open(inside).read() == "partial"
        with pytest.raises(ArtifactStoreError, match="outside the artifact store's root"):
            fileio.rmtree(store.path)  # the root itself is not the store's to delete
        assert fileio.exists(inside)


@step
def era_writer(context: StepContext) -> Output(uri=str):
    """Writes next to its outputs with fileio, as the era's steps did."""
    from zenml.environment import Environment

    assert Environment().step_is_running
    folder = f"{context.artifact_store.path}/era_notes"
    fileio.makedirs(folder)
    path = os.path.join(folder, "note.txt")
    with fileio.open(path, "w") as handle:
        handle.write("written in a step")
    return path


@pipeline
def era_fileio_pipeline(writer):
    writer()


def test_a_step_writes_into_its_artifact_store_through_fileio() -> None:
    run = era_fileio_pipeline(writer=era_writer()).run()
    path = run.get_step("writer").output.read()
    store = Repository().active_stack.artifact_store
    assert store.contains(path)
    assert fileio.open(path).read() == "written in a step"
    assert fileio.listdir(os.path.dirname(path)) == ["note.txt"]


def test_an_unknown_scheme_is_one_line() -> None:
    with pytest.raises(ArtifactStoreError, match=r"No filesystem for 'nosuchfs://'") as caught:
        fileio.exists("nosuchfs://bucket/key")
    assert "\n" not in str(caught.value)
