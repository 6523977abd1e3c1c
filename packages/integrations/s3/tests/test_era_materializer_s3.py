"""A materializer of the original framework on the s3 store (issue 15, item 5), against moto.

Written as then: ``fileio.open(os.path.join(self.artifact.uri, "data.txt"))``.
The artifact's URI is ``s3://...``; its files land in the bucket, inside the
artifact, through the registered store (its credentials: none are in the
environment); the post-execution API and a later step (through
``context.metadata_store``) read them back.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Type  # noqa: UP035 - written as the era wrote it

import pytest

from zenml.artifacts import DataArtifact
from zenml.io import fileio
from zenml.materializers.base_materializer import BaseMaterializer
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import StepContext, step

from conftest import S3Server, Zen


class Note:
    def __init__(self, text: str):
        self.text = text


class NoteMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES = (Note,)
    ASSOCIATED_ARTIFACT_TYPES = (DataArtifact,)

    def handle_input(self, data_type: Type[Note]) -> Note:  # noqa: UP006
        super().handle_input(data_type)
        with fileio.open(os.path.join(self.artifact.uri, "data.txt"), "r") as f:
            return Note(f.read())

    def handle_return(self, note: Note) -> None:
        super().handle_return(note)
        with fileio.open(os.path.join(self.artifact.uri, "data.txt"), "w") as f:
            f.write(note.text)


@step
def write_note() -> Note:
    return Note("on s3")


@step(enable_cache=False)
def read_history(context: StepContext, note: Note) -> str:
    try:
        prior_runs = context.metadata_store.get_pipeline("notes").runs
    except KeyError:  # the first run: no earlier run, as the era's step-fixture docs
        prior_runs = []
    earlier = [run.get_step("writer").output.read().text for run in prior_runs]
    return f"{note.text}|{len(earlier)}|{','.join(earlier)}"


@pipeline
def notes(writer, reader):
    reader(note=writer())


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


def test_an_era_materializer_writes_into_the_s3_artifact(s3_stack: S3Server,
                                                          isolated: Path) -> None:
    s3 = s3_stack
    notes(writer=write_note(), reader=read_history()).run()
    notes(writer=write_note(), reader=read_history()).run()
    runs = Repository().get_pipeline(pipeline_name="notes").runs
    first, second = runs
    produced = first.get_step(name="write_note").output
    assert produced.uri.startswith(f"s3://{s3.bucket}/zenml/notes/")
    key = produced.uri.removeprefix(f"s3://{s3.bucket}/") + "/data.txt"
    body = s3.client.get_object(Bucket=s3.bucket, Key=key)["Body"].read()
    assert body == b"on s3"
    assert produced.read().text == "on s3"
    # each run's reader saw the earlier runs' notes, read from the bucket, not its own run
    assert first.get_step("reader").output.read() == "on s3|0|"
    assert second.get_step("reader").output.read() == "on s3|1|on s3"
    assert second.get_step("writer").is_cached
    # nothing was written to the local disk
    assert not [p for p in isolated.rglob("data.txt")]
