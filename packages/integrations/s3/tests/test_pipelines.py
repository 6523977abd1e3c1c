"""Pipelines on a stack with the s3 artifact store, registered with the real CLI, on moto.

Every artifact lands in the bucket (none on local disk), the post-execution API
reads them back, a step run in another process through the step entrypoint gets
its credentials from the deployment, and a step whose write fails is recorded
as failed with no artifact.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest

from zenml.errors import RunFailedError
from zenml.materializers import BaseMaterializer, register_materializer
from zenml.metadata_stores.records import ExecutionStatus
from zenml.pipelines import BasePipeline, pipeline
from zenml.repository import Repository
from zenml.steps import BaseStepConfig, Output, step

from conftest import S3Server, Zen, import_or_need, run_zenml

np = import_or_need("numpy")


class ArrayConfig(BaseStepConfig):
    size: int = 1000


@step
def make_array(config: ArrayConfig) -> np.ndarray:
    return np.arange(config.size, dtype=np.float64)


@step
def count() -> int:
    return 7


@step
def summarise(array: np.ndarray, n: int) -> Output(total=float, scaled=np.ndarray):
    return float(array.sum()) * n, array * n


@pipeline
def s3_pipeline(make_array, count, summarise):
    summarise(make_array(), count())


def make(size: int = 1000) -> BasePipeline:
    return s3_pipeline(make_array=make_array(config=ArrayConfig(size=size)), count=count(),
                       summarise=summarise())


def register_s3_stack(zen: Zen, s3: S3Server, tmp_path: Path, *credentials: str) -> None:
    """An s3 store on moto, a new sqlite metadata store, the default orchestrator; active."""
    zen("artifact-store", "register", "s3_store", "--flavor=s3",
        f"--path=s3://{s3.bucket}/zenml",
        f'--client_kwargs={{"endpoint_url": "{s3.url}"}}', *credentials)
    # the default metadata store is coupled to the default artifact store: a new one
    zen("metadata-store", "register", "s3_meta", "--flavor=sqlite",
        f"--uri={tmp_path / 's3_meta.db'}")
    zen("stack", "register", "s3_stack", "-o", "default", "-a", "s3_store", "-m", "s3_meta",
        "--set")


def artifact_rows(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "s3_meta.db") as db:
        return int(db.execute("SELECT count(*) FROM zenml_md_artifacts").fetchone()[0])


@pytest.fixture
def s3_stack(zen: Zen, s3: S3Server, tmp_path: Path) -> S3Server:
    register_s3_stack(zen, s3, tmp_path, f"--key={s3.key}", f"--secret={s3.secret}")
    return s3


def test_every_artifact_is_written_to_and_read_from_the_bucket(
        s3_stack: S3Server, isolated: Path) -> None:
    s3 = s3_stack
    run = make().run()
    assert run is not None and run.status is ExecutionStatus.COMPLETED
    prefix = f"zenml/s3_pipeline/{run.name}"
    # <pipeline>/<run>/<step>/<attempt: the step run id's first 8 characters>/<output>
    folder = {s.name: f"{prefix}/{s.name}/{s.id[:8]}" for s in run.steps}
    assert s3.keys(prefix) == [
        f"{folder['count']}/output/data.json",
        f"{folder['make_array']}/output/data.npy",
        f"{folder['summarise']}/scaled/data.npy",
        f"{folder['summarise']}/total/data.json",
    ]
    total = s3.client.get_object(Bucket=s3.bucket, Key=f"{folder['summarise']}/total/data.json")
    assert json.loads(total["Body"].read()) == 499500.0 * 7
    # nothing was written to the local default artifact store
    local = [p for p in isolated.rglob("*") if p.is_file() and "s3_pipeline" in str(p)]
    assert local == []

    # the post-execution API reads them back from the bucket
    again = Repository().get_pipeline("s3_pipeline").runs[-1]
    assert again.name == run.name
    outputs = again.get_step("summarise").outputs
    assert outputs["total"].uri == f"s3://{s3.bucket}/{folder['summarise']}/total"
    assert outputs["total"].read() == 499500.0 * 7
    assert np.array_equal(outputs["scaled"].read(), np.arange(1000) * 7)
    assert again.get_step("count").output.read() == 7
    assert {k: v.read().shape for k, v in again.get_step("summarise").inputs.items()
            if k == "array"} == {"array": (1000,)}
    assert all(a.content_hash and len(a.content_hash) == 64
               for a in again.get_step("summarise").outputs.values())


def test_a_second_run_is_cached_and_a_changed_input_is_not(s3_stack: S3Server) -> None:
    make().run()
    second = make().run()
    assert second is not None
    assert [s.status for s in second.steps] == [ExecutionStatus.CACHED] * 3
    third = make(size=10).run()  # make_array reruns; summarise sees a new input hash
    assert third is not None
    assert {s.name: s.status for s in third.steps} == {
        "make_array": ExecutionStatus.COMPLETED, "count": ExecutionStatus.CACHED,
        "summarise": ExecutionStatus.COMPLETED}
    assert third.get_step("summarise").outputs["total"].read() == 45.0 * 7


def test_identical_outputs_keep_the_downstream_cache(s3_stack: S3Server) -> None:
    make().run()
    rerun = make().run(enable_cache=False)  # rewritten, byte for byte the same
    assert rerun is not None
    hashes = [r.get_step("make_array").output.content_hash
              for r in Repository().get_pipeline("s3_pipeline").runs]
    assert hashes[0] == hashes[1]


def test_a_step_runs_through_the_entrypoint_with_the_deployments_credentials(
        s3_stack: S3Server, tmp_path: Path) -> None:
    s3 = s3_stack
    deployment = make().deployment(Repository().active_stack)
    store = next(c for c in deployment.stack.components if c.type.value == "artifact_store")
    assert store.config["key"] == s3.key and store.config["secret"] == s3.secret
    file = tmp_path / "deployment.json"
    file.write_text(deployment.to_json())
    # the step processes have no AWS credentials of their own (the fixture removed every
    # AWS_* variable and points the AWS config files at nothing)
    assert not any(name.startswith("AWS_ACCESS") for name in os.environ)
    for spec in deployment.steps:
        done = subprocess.run(
            [sys.executable, "-m", "zenml.execution.entrypoint", "--deployment", str(file),
             "--step", spec.name], capture_output=True, text=True, timeout=120, cwd="/")
        assert done.returncode == 0, done.stderr
    run = Repository().get_pipeline("s3_pipeline").get_run(deployment.run_name)
    assert run.status is ExecutionStatus.COMPLETED
    assert run.get_step("summarise").outputs["total"].read() == 499500.0 * 7
    assert len(s3.keys(f"zenml/s3_pipeline/{deployment.run_name}/")) == 4


def test_without_credentials_the_entrypoint_fails_in_one_line(
        zen: Zen, s3: S3Server, tmp_path: Path) -> None:
    register_s3_stack(zen, s3, tmp_path)  # no --key/--secret: the AWS chain, which is empty
    deployment = make().deployment(Repository().active_stack)
    done = subprocess.run(
        [sys.executable, "-m", "zenml.execution.entrypoint", "--deployment-json",
         deployment.to_json(), "--step", "count"], capture_output=True, text=True,
        timeout=120, cwd="/")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: Step 'count' of run ")
    assert ("ArtifactStoreError: S3 artifact store 's3_store' (bucket 'zenml-artifacts'): "
            "no usable AWS credentials (NoCredentialsError") in last
    assert "Traceback" not in done.stderr


# -- failing writes --------------------------------------------------------------------------
class Blob:
    """Written by a materializer that breaks after 40 MiB (two parts uploaded)."""


@register_materializer
class BreakingMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (Blob,)

    def handle_return(self, data: Any) -> None:
        with self.open("data.bin", "wb") as handle:
            for _ in range(40):
                handle.write(b"x" * 2**20)
            raise OSError("disk of the materializer broke")


@step
def two_outputs() -> Output(number=int, blob=Blob):
    return 1, Blob()


@step
def delete_the_bucket() -> int:
    import boto3

    client = boto3.client("s3", endpoint_url=BUCKET_TO_DELETE["url"], region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="x")
    bucket = BUCKET_TO_DELETE["bucket"]
    for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)
    return 1


BUCKET_TO_DELETE: dict[str, str] = {}


@pipeline
def breaking_pipeline(first):
    first()


def test_a_failing_write_fails_the_step_and_records_no_artifact(
        s3_stack: S3Server, tmp_path: Path) -> None:
    s3 = s3_stack
    with pytest.raises(RunFailedError, match="disk of the materializer broke") as error:
        breaking_pipeline(first=two_outputs()).run()
    assert "\n" not in str(error.value)
    run = Repository().get_pipeline("breaking_pipeline").runs[-1]
    assert run.status is ExecutionStatus.FAILED
    step_view = run.get_step("first")
    assert step_view.status is ExecutionStatus.FAILED and step_view.outputs == {}
    assert artifact_rows(tmp_path) == 0  # not even the output that was written
    prefix = f"zenml/breaking_pipeline/{run.name}/first/"
    # the blob was never committed, and the failed step removed the output it did write
    assert s3.keys(prefix) == []
    assert s3.uploads() == []  # and its upload was aborted


def test_a_bucket_gone_during_a_step_fails_it_in_one_line(
        s3_stack: S3Server, tmp_path: Path) -> None:
    BUCKET_TO_DELETE.update(url=s3_stack.url, bucket=s3_stack.bucket)
    with pytest.raises(RunFailedError) as error:
        breaking_pipeline(first=delete_the_bucket()).run()
    message = str(error.value)
    assert message.startswith("Step 'first' of run ")
    assert ("failed: ArtifactStoreError: S3 artifact store 's3_store' (bucket "
            "'zenml-artifacts'): the bucket does not exist") in message
    assert "\n" not in message
    run = Repository().get_pipeline("breaking_pipeline").runs[-1]
    assert run.get_step("first").status is ExecutionStatus.FAILED
    assert artifact_rows(tmp_path) == 0


# -- as a new user ---------------------------------------------------------------------------
SCRIPT = '''
import numpy as np
from zenml.pipelines import pipeline
from zenml.steps import Output, step


@step
def importer() -> Output(X=np.ndarray, y=np.ndarray):
    X = np.arange(40, dtype=float).reshape(20, 2)
    return X, (X[:, 0] > 19).astype(int)


@step
def trainer(X: np.ndarray, y: np.ndarray) -> float:
    return float((X[:, 0] > 19).astype(int).__eq__(y).mean())


@pipeline
def guide_pipeline(importer, trainer):
    trainer(*importer())


if __name__ == "__main__":
    run = guide_pipeline(importer=importer(), trainer=trainer()).run()
    print("accuracy", run.get_step("trainer").output.read())
'''


def test_the_stack_guide_commands_with_the_real_cli(s3: S3Server, tmp_path: Path) -> None:
    endpoint = f'{{"endpoint_url": "{s3.url}"}}'
    commands = [
        ["artifact-store", "register", "s3_store", "--flavor=s3",
         f"--path=s3://{s3.bucket}/prefix", f"--client_kwargs={endpoint}",
         f"--key={s3.key}", f"--secret={s3.secret}"],
        ["metadata-store", "register", "s3_meta", "--flavor=sqlite",
         f"--uri={tmp_path / 'meta.db'}"],
        ["stack", "register", "s3_stack", "-o", "default", "-a", "s3_store", "-m", "s3_meta"],
        ["stack", "set", "s3_stack"],
    ]
    for args in commands:
        done = run_zenml(args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    for args in (["artifact-store", "describe", "s3_store"], ["stack", "describe"],
                 ["artifact-store", "list"]):
        done = run_zenml(args)
        assert done.returncode == 0 and s3.secret not in done.stdout + done.stderr, args
    script = tmp_path / "guide.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "accuracy 1.0" in done.stdout
    keys = s3.keys("prefix/guide_pipeline/")
    # prefix/guide_pipeline/<run>/<step>/<attempt>/<output>/<file>
    assert [key.split("/", 3)[3].split("/") for key in keys] == [
        ["importer", keys[0].split("/")[4], "X", "data.npy"],
        ["importer", keys[0].split("/")[4], "y", "data.npy"],
        ["trainer", keys[2].split("/")[4], "output", "data.json"]]
    runs = run_zenml(["pipeline", "runs", "list"])
    assert runs.returncode == 0 and "guide_pipeline" in runs.stdout


@pytest.mark.parametrize("mode", ["processes", "threads"])
def test_parallel_steps_each_reach_the_bucket(s3_stack: S3Server, mode: str) -> None:
    """Steps in forked processes open their own s3fs filesystem (s3fs's event loop and
    connections do not survive a fork); the records are those of a sequential run."""
    make().run(run_name="sequential", enable_cache=False)  # the parent's s3fs is in use
    run = make().run(run_name=f"parallel-{mode}", enable_cache=False, parallel=mode)
    assert run is not None and run.status is ExecutionStatus.COMPLETED
    assert run.get_step("summarise").outputs["total"].read() == 499500.0 * 7
    store = Repository().active_stack.metadata_store
    keys = {name: {s.name: s.cache_key for s in store.get_step_runs(store.get_run(name).id)}
            for name in ("sequential", f"parallel-{mode}")}
    assert keys["sequential"] == keys[f"parallel-{mode}"]
    sequential = Repository().get_pipeline("s3_pipeline").get_run("sequential")
    assert {s.name: {n: a.content_hash for n, a in s.outputs.items()} for s in run.steps} == {
        s.name: {n: a.content_hash for n, a in s.outputs.items()} for s in sequential.steps}


def test_a_forked_process_opens_its_own_filesystem(s3: S3Server) -> None:
    """s3fs refuses to be used after a fork ("not fork-safe"): the store makes a new one."""
    import multiprocessing

    store = s3.store()
    with store.open(f"s3://{s3.bucket}/zenml/parent.txt", "w") as handle:
        handle.write("parent")  # the parent's filesystem exists and has been used

    def child() -> None:
        with store.open(f"s3://{s3.bucket}/zenml/child.txt", "w") as handle:
            handle.write("child")

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(60)
    assert process.exitcode == 0
    assert s3.keys("zenml/") == ["zenml/child.txt", "zenml/parent.txt"]
    with store.open(f"s3://{s3.bucket}/zenml/child.txt", "r") as handle:  # the parent's too
        assert handle.read() == "child"
