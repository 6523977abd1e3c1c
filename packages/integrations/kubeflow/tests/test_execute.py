"""The compiled tasks, executed: each task's container command runs as a subprocess on
this machine in dependency order (image aside), against a stack with a local artifact
store and a new SQLite metadata store, and the run lands in the metadata store exactly
as with the local orchestrator: same steps, outputs, statuses, and caching."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sample_pipelines
from kfp_harness import execute_pipeline, load_pipeline_spec

from zenml.errors import RunFailedError
from zenml.metadata_stores.records import ExecutionStatus
from zenml.post_execution.views import PipelineRunView
from zenml.repository import Repository
from zenml.stack.component_type import StackComponentType as T

from conftest import Stacks


def summary(run: PipelineRunView) -> dict[str, Any]:
    """What must be equal between orchestrators (ids, names and times aside)."""
    return {
        "pipeline": run.pipeline_name,
        "status": run.status,
        "steps": [(s.name, s.entrypoint_name, s.status, s.parameters,
                   {name: a.read() for name, a in s.outputs.items()},
                   {name: a.producer_step.name for name, a in s.inputs.items()})
                  for s in sorted(run.steps, key=lambda s: s.name)],
    }


def run_locally(stacks: Stacks, shape: str) -> list[PipelineRunView]:
    """Two runs with the local orchestrator on their own stores (the second is cached)."""
    stacks.register("local_stack", orchestrator_flavor="local")
    runs = [sample_pipelines.make(shape).run() for _ in range(2)]
    assert all(r is not None for r in runs)
    return [r for r in runs if r is not None]


def run_compiled(stacks: Stacks, shape: str, times: int = 2,
                 **config: Any) -> list[PipelineRunView]:
    """Compile on the kubeflow stack and execute every task, ``times`` KFP runs of one YAML."""
    if "kf" not in [s.name for s in Repository().store.list_stacks()]:
        stacks.register("kf", **config)
    stacks.activate("kf")
    stack = Repository().active_stack
    deployment = sample_pipelines.make(shape).deployment(stack)
    compiled = stack.orchestrator.compile(deployment, stack)
    spec = load_pipeline_spec(compiled.path)
    runs = []
    for index in range(times):
        run_id, run_name = str(uuid.uuid4()), f"{deployment.run_name}-kfp{index}"
        results = execute_pipeline(spec, run_id=run_id, run_name=run_name)
        for result in results:
            assert result.returncode in (0, 1, None), result.stderr
        store = stack.metadata_store
        record = store.get_run(run_id)
        assert record.name == run_name  # KFP's run id and display name
        runs.append(PipelineRunView(store, record, stack.artifact_store))
    return runs


@pytest.mark.parametrize("shape", ["linear", "fan_out_in", "multi_output"])
def test_compiled_tasks_produce_what_the_local_orchestrator_produces(stacks: Stacks,
                                                                      shape: str) -> None:
    local = run_locally(stacks, shape)
    compiled = run_compiled(stacks, shape)
    assert summary(compiled[0]) == summary(local[0])
    assert {s.status for s in compiled[0].steps} == {ExecutionStatus.COMPLETED}
    # the second KFP run of the same YAML is a new zenml run, every step cached
    assert summary(compiled[1]) == summary(local[1])
    assert {s.status for s in compiled[1].steps} == {ExecutionStatus.CACHED}
    assert compiled[1].id != compiled[0].id


def test_local_runs_reuse_what_the_compiled_tasks_computed(stacks: Stacks) -> None:
    """One cache, whichever orchestrator ran the steps."""
    run_compiled(stacks, "fan_out_in", times=1)
    repo = Repository()
    kf = repo.store.get_stack("kf")
    repo.register_component(T.ORCHESTRATOR, "plain", "local", {})
    repo.register_stack("mixed", {T.ORCHESTRATOR: "plain",
                                  T.ARTIFACT_STORE: kf.components[T.ARTIFACT_STORE].name,
                                  T.METADATA_STORE: kf.components[T.METADATA_STORE].name})
    stacks.activate("mixed")
    run = sample_pipelines.make("fan_out_in").run()
    assert run is not None
    assert {s.status for s in run.steps} == {ExecutionStatus.CACHED}
    assert run.get_step("joined").output.read() == 25


def test_a_failing_task_fails_the_run_as_the_local_orchestrator_does(stacks: Stacks) -> None:
    stacks.register("local_stack", orchestrator_flavor="local")
    with pytest.raises(RunFailedError, match="asked to fail with input 1"):
        sample_pipelines.make("failing").run()
    local = Repository().get_pipeline("failing").runs[-1]

    stacks.register("kf")
    stack = Repository().active_stack
    deployment = sample_pipelines.make("failing").deployment(stack)
    compiled = stack.orchestrator.compile(deployment, stack)
    run_id = str(uuid.uuid4())
    results = execute_pipeline(compiled.path, run_id=run_id, run_name=deployment.run_name)
    assert [(r.task, r.returncode) for r in results] == [
        ("source", 0), ("checker", 1), ("after", None)]  # KFP does not start 'after'
    error_lines = [line for line in results[1].stderr.splitlines() if line.startswith("Error")]
    assert error_lines == ["Error: Step 'checker' of run '" + deployment.run_name
                           + "' failed: ValueError: asked to fail with input 1"]
    run = PipelineRunView(stack.metadata_store, stack.metadata_store.get_run(run_id),
                          stack.artifact_store)
    assert run.status is ExecutionStatus.FAILED
    assert run.error == local.error.replace(local.name, run.name)
    assert [(s.name, s.status) for s in run.steps] == [(s.name, s.status) for s in local.steps]
    assert run.get_step("checker").error == local.get_step("checker").error


def test_steps_see_their_run_and_their_environment(stacks: Stacks) -> None:
    runs = run_compiled(stacks, "context", times=1, step_settings={
        "*": {"environment": {"SAMPLE_COMMON": "everywhere"}},
        "probe": {"environment": {"SAMPLE_ENV": "probe only"}}})
    step = runs[0].get_step("probe")
    assert step.output.read() == {"run_name": runs[0].name, "pipeline": "context_pipeline",
                                  "sample_env": "probe only", "sample_common": "everywhere"}
    assert step.extra == {"seen_run_name": runs[0].name}
