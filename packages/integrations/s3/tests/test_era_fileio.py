"""``zenml.io.fileio`` on ``s3://`` URIs (issue 15, item 3), against moto.

A URI under a registered s3 artifact store goes through that store: its
credentials and endpoint apply (none are in the environment here), writes stay
under its root and appear only when complete; names come back as ``s3://`` URIs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zenml.errors import ArtifactStoreError
from zenml.io import fileio, utils
from zenml.pipelines import pipeline
from zenml.steps import Output, StepContext, step

from conftest import S3Server, Zen

# the era's alias of the store class is the package's class
from zenml.integrations.s3.artifact_stores.s3_artifact_store import S3ArtifactStore  # isort: skip


@pytest.fixture
def s3_stack(zen: Zen, s3: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
             ) -> S3Server:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    zen("artifact-store", "register", "s3_store", "--flavor=s3",
        f"--path=s3://{s3.bucket}/zenml", f'--client_kwargs={{"endpoint_url": "{s3.url}"}}',
        f"--key={s3.key}", f"--secret={s3.secret}")
    zen("metadata-store", "register", "s3_meta", "--flavor=sqlite",
        f"--uri={tmp_path / 's3_meta.db'}")
    zen("stack", "register", "s3_stack", "-o", "default", "-a", "s3_store", "-m", "s3_meta",
        "--set")
    return s3


def test_a_round_trip_on_a_registered_stores_uris(s3_stack: S3Server, tmp_path: Path) -> None:
    s3 = s3_stack
    root = f"s3://{s3.bucket}/zenml/era"
    fileio.makedirs(root)
    with fileio.open(f"{root}/a/text.txt", "w") as handle:
        handle.write("héllo")
        assert s3.keys("zenml/era/a/") == []  # nothing under the real name until complete
    assert s3.client.get_object(Bucket=s3.bucket, Key="zenml/era/a/text.txt")[
        "Body"].read() == "héllo".encode()
    assert fileio.open(f"{root}/a/text.txt").read() == "héllo"
    with fileio.open(f"{root}/a/b/blob.bin", "wb") as handle:
        handle.write(b"\x00" * 10)
    assert fileio.exists(f"{root}/a/text.txt") and not fileio.exists(f"{root}/none")
    assert fileio.isdir(f"{root}/a") and not fileio.isdir(f"{root}/a/text.txt")
    assert fileio.listdir(f"{root}/a") == ["b", "text.txt"]
    assert fileio.glob(f"{root}/a/*.txt") == [f"{root}/a/text.txt"]
    assert fileio.size(f"{root}/a/b/blob.bin") == 10
    walked = {top: sorted(files) for top, _, files in fileio.walk(root)}
    assert walked[f"{root}/a/b"] == ["blob.bin"]
    assert list(fileio.find_files(root, "*.bin")) == [f"{root}/a/b/blob.bin"]

    # across filesystems, both ways
    local = tmp_path / "local.txt"
    fileio.copy(f"{root}/a/text.txt", str(local))
    assert local.read_text(encoding="utf-8") == "héllo"
    fileio.copy(str(local), f"{root}/c/from_local.txt")
    with pytest.raises(FileExistsError):
        fileio.copy(str(local), f"{root}/c/from_local.txt")
    fileio.rename(f"{root}/c/from_local.txt", f"{root}/c/renamed.txt")
    assert s3.keys("zenml/era/c/") == ["zenml/era/c/renamed.txt"]
    utils.copy_dir(f"{root}/a", f"{root}/copy")
    assert utils.read_file_contents_as_string(f"{root}/copy/text.txt") == "héllo"

    fileio.remove(f"{root}/c/renamed.txt")
    fileio.rmtree(f"{root}/a")
    assert s3.keys("zenml/era/a/") == []
    with pytest.raises(ArtifactStoreError, match="outside the artifact store's root"):
        fileio.rmtree(f"s3://{s3.bucket}/zenml")


@step
def note_writer(context: StepContext) -> Output(uri=str):
    """Writes a file beside the run's artifacts with fileio, as the era's steps did."""
    path = os.path.join(context.artifact_store.path, "notes", "note.txt")
    with fileio.open(path, "w") as handle:
        handle.write("from a step")
    return path


@pipeline
def notes_pipeline(writer):
    writer()


def test_a_step_on_the_s3_stack_writes_through_fileio(s3_stack: S3Server) -> None:
    s3 = s3_stack
    run = notes_pipeline(writer=note_writer()).run()
    uri = run.get_step("writer").output.read()
    assert uri == f"s3://{s3.bucket}/zenml/notes/note.txt"
    assert s3.keys("zenml/notes/") == ["zenml/notes/note.txt"]
    assert fileio.open(uri).read() == "from a step"
    assert S3ArtifactStore.__module__ == "zenml_s3.artifact_store"
