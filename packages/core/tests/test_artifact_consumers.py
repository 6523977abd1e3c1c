"""The metadata store's artifact reads (issue 17, the dashboard's artifact page):
``get_artifact`` by id and ``get_artifact_consumers``, the step runs of any run
(cached ones too) whose inputs include an artifact."""

from __future__ import annotations

from typing import Any

import pytest

from zenml.errors import EntityNotFoundError
from zenml.metadata_stores.records import ExecutionStatus
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import step


@step
def load() -> int:
    return 3


@step
def inc(x: int) -> int:
    return x + 1


@step
def add(a: int, b: int) -> int:
    return a + b


@pipeline
def fan_out(load, inc, add):  # type: ignore[no-untyped-def]
    x = load()
    inc(x)
    add(a=x, b=x)  # the same artifact as two inputs: one consumer


def _run(name: str, **kwargs: Any) -> Any:
    return fan_out(load=load(), inc=inc(), add=add()).run(run_name=name, **kwargs)


def test_consumers_span_runs_and_count_cached_steps_once() -> None:
    first = _run("first")
    _run("second")  # every step cached: its steps read the first run's artifacts
    third = _run("third", enable_cache=False)  # new artifacts, read by its own steps
    store = Repository().run_stores()[0]
    runs = {r.id: r.name for r in store.get_runs()}
    artifact = first.get_step("load").output

    consumers = store.get_artifact_consumers(artifact.id)
    assert sorted((runs[c.run_id], c.name) for c in consumers) == [
        ("first", "add"), ("first", "inc"), ("second", "add"), ("second", "inc")]
    assert len({c.id for c in consumers}) == len(consumers)
    assert [c.started for c in consumers] == sorted(c.started for c in consumers)
    assert {c.status for c in consumers if runs[c.run_id] == "second"} == {
        ExecutionStatus.CACHED}
    assert all(c.is_cached for c in consumers if runs[c.run_id] == "second")
    assert len(store.get_artifact_consumers(artifact.id, limit=3)) == 3

    fresh = third.get_step("load").output
    assert fresh.id != artifact.id
    assert sorted((runs[c.run_id], c.name) for c in store.get_artifact_consumers(fresh.id)) \
        == [("third", "add"), ("third", "inc")]
    # the last step's output is read by no step
    assert store.get_artifact_consumers(first.get_step("add").output.id) == []


def test_get_artifact_by_id() -> None:
    first = _run("first")
    view = first.get_step("inc").output
    store = Repository().run_stores()[0]
    record = store.get_artifact(view.id)
    assert (record.id, record.uri, record.name, record.data_type, record.materializer) == (
        view.id, view.uri, "output", "builtins:int", view.materializer)
    assert record.content_hash == view.content_hash
    assert record.producer_step_run_id == first.get_step("inc").id
    with pytest.raises(EntityNotFoundError, match="No artifact nope"):
        store.get_artifact("nope")
    assert store.get_artifact_consumers("nope") == []
