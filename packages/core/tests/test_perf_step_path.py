"""The per-step path keeps its behaviour with statements built once and cached accessors."""

from __future__ import annotations

import uuid

from zenml.metadata_stores.base import BaseMetadataStore
from zenml.metadata_stores.records import ExecutionStatus, NewArtifact
from zenml.repository import Repository
from zenml.stack.component_type import StackComponentType


def _store() -> BaseMetadataStore:
    return Repository().active_stack.metadata_store


def _start(store: BaseMetadataStore, run_id: str, name: str,
           inputs: dict[str, str] | None = None) -> str:
    step_run_id = str(uuid.uuid4())
    store.start_step_run(step_run_id=step_run_id, run_id=run_id, name=name,
                         entrypoint_name=name, source=f"module:{name}", parameters={"a": 1},
                         cache_key=f"key-{name}", inputs=inputs or {})
    return step_run_id


def _artifact(name: str) -> NewArtifact:
    return NewArtifact(id=str(uuid.uuid4()), name=name, uri=f"/nowhere/{name}",
                       data_type="builtins:int", materializer="m:M", content_hash="h")


def test_step_records_bind_each_steps_own_values() -> None:
    store = _store()
    runs = []
    for index in range(2):  # same step names in two runs: every lookup is by run
        run_id = str(uuid.uuid4())
        store.create_run(run_id=run_id, run_name=f"run-{index}", pipeline_name="p",
                         stack_name="default", enable_cache=True, num_steps=3)
        runs.append(run_id)
        first = _start(store, run_id, "first")
        out = _artifact("output")
        store.complete_step_run(first, [out])
        second = _start(store, run_id, "second", inputs={"value": out.id})
        store.complete_step_run(second, [_artifact("a"), _artifact("b")])
        _start(store, run_id, "third")  # still running: not an output of the run

    for run_id in runs:
        steps = {s.name: s for s in store.get_step_runs(run_id)}
        assert steps["first"].status is ExecutionStatus.COMPLETED
        assert steps["first"].finished is not None
        assert steps["third"].status is ExecutionStatus.RUNNING
        assert steps["third"].finished is None
        assert steps["second"].parameters == {"a": 1}
        outputs = store.get_run_outputs(run_id, ["first", "second", "third"])
        assert sorted(outputs) == ["first", "second"]
        assert sorted(outputs["second"]) == ["a", "b"]
        assert store.get_run_outputs(run_id, ["second"]).keys() == {"second"}
        assert store.get_run_outputs(run_id, []) == {}
        first_output = outputs["first"]["output"]
        assert store.get_step_inputs(steps["second"].id) == {"value": first_output}
        assert store.get_step_outputs(steps["first"].id) == {"output": first_output}
    assert outputs["first"]["output"].id != store.get_run_outputs(
        runs[0], ["first"])["first"]["output"].id

    cached = store.find_cached_step_run("p", "key-first")
    assert cached is not None and cached.run_id == runs[1]
    assert store.find_cached_step_run("p", "key-third") is None  # not finished
    assert store.find_cached_step_run("other", "key-first") is None


def test_stack_iteration_is_in_stack_order_and_components_is_a_copy() -> None:
    stack = Repository().active_stack
    order = list(stack.models)
    assert [c.type for c in stack] == order
    assert [c.type for c in stack] == order  # the second pass reads the built tuple
    components = stack.components
    components.pop(StackComponentType.ORCHESTRATOR)
    assert StackComponentType.ORCHESTRATOR in stack.components
    assert stack.artifact_store is stack.components[StackComponentType.ARTIFACT_STORE]
