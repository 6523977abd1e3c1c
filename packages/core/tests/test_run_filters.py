"""Store-level run filters (``get_runs``/``count_runs`` by status and stack, in SQL) and the
lazy ``PipelineView.runs``, on a real SQLite store.

Status is the derived one: a run stored as ``running`` whose owning process on this
host is gone counts as ``failed``; one whose owner lives, runs elsewhere or is
unknown stays ``running``.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from zenml.metadata_stores.base import BaseMetadataStore
from zenml.metadata_stores.records import ExecutionStatus, RunRecord
from zenml.metadata_stores.schema import pipeline_runs
from zenml.post_execution.views import PipelineRuns, run_status
from zenml.repository import Repository

STATUSES = [s.value for s in ExecutionStatus]


@pytest.fixture
def owners() -> Iterator[dict[str, int]]:
    """A live process and the pid of one that has ended."""
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    yield {"live": live.pid, "dead": ended.pid}
    live.kill()
    live.wait()


def _record(store: BaseMetadataStore, name: str, pipeline: str, stack: str,
            finish: ExecutionStatus | None = None, owner: int = 0) -> str:
    run_id = str(uuid.uuid4())
    store.create_run(run_id=run_id, run_name=name, pipeline_name=pipeline, stack_name=stack,
                     enable_cache=True, num_steps=2, owner_pid=owner)
    if finish is not None:
        store.finish_run(run_id, finish, "boom" if finish is ExecutionStatus.FAILED else None)
    return run_id


@pytest.fixture
def store(owners: dict[str, int]) -> Iterator[BaseMetadataStore]:
    store: BaseMetadataStore = Repository().run_stores()[0]
    done, failed, cached = (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED,
                            ExecutionStatus.CACHED)
    _record(store, "t-done-1", "training", "default", done)
    _record(store, "t-failed", "training", "default", failed)
    _record(store, "t-dead-owner", "training", "default", owner=owners["dead"])
    _record(store, "t-live-owner", "training", "default", owner=owners["live"])
    _record(store, "t-cached", "training", "gpu", cached)
    _record(store, "i-done", "inference", "gpu", done)
    _record(store, "i-dead-owner", "inference", "gpu", owner=owners["dead"])
    _record(store, "i-no-owner", "inference", "default")  # pid unknown: cannot tell
    elsewhere = _record(store, "i-elsewhere", "inference", "gpu", owner=owners["dead"])
    _record(store, "t-done-2", "training", "gpu", done)
    with store.engine.begin() as connection:  # a run owned by a process on another host
        connection.execute(pipeline_runs.update().where(pipeline_runs.c.id == elsewhere)
                           .values(host="another-host"))
    yield store


def _expected(store: BaseMetadataStore, pipeline: str | None, status: str | None,
              stack: str | None) -> list[RunRecord]:
    """What the filter means, computed in Python from every run (newest first)."""
    return [r for r in store.get_runs(pipeline, newest_first=True)
            if (status is None or run_status(r).value == status)
            and (stack is None or r.stack_name == stack)]


def test_status_is_derived_dead_owners_failed_live_owners_running(
        store: BaseMetadataStore) -> None:
    def names(**filters: Any) -> set[str]:
        return {r.name for r in store.get_runs(**filters)}

    assert names(status="failed") == {"t-failed", "t-dead-owner", "i-dead-owner"}
    assert names(status="running") == {"t-live-owner", "i-no-owner", "i-elsewhere"}
    assert names(status=ExecutionStatus.COMPLETED) == {"t-done-1", "i-done", "t-done-2"}
    assert names(status="cached") == {"t-cached"}
    assert names(status="failed", stack="gpu") == {"i-dead-owner"}
    assert names(pipeline_name="training", status="running") == {"t-live-owner"}
    assert store.count_runs(status="failed") == 3
    assert store.count_runs("inference", status="running", stack="gpu") == 1
    assert store.count_runs(stack="nowhere") == 0
    assert store.count_runs("no-such-pipeline") == 0


@pytest.mark.parametrize("pipeline", [None, "training", "inference", "missing"])
def test_every_filter_matches_the_views_totals_and_pages(store: BaseMetadataStore,
                                                         pipeline: str | None) -> None:
    for status, stack in itertools.product([None, *STATUSES], [None, "default", "gpu"]):
        expected = _expected(store, pipeline, status, stack)
        assert store.count_runs(pipeline, status=status, stack=stack) == len(expected)
        newest = store.get_runs(pipeline, newest_first=True, status=status, stack=stack)
        assert [r.id for r in newest] == [r.id for r in expected]
        oldest = store.get_runs(pipeline, status=status, stack=stack)
        assert [r.id for r in oldest] == [r.id for r in reversed(expected)]
        for size, page in itertools.product([1, 2, 3], [0, 1, 2]):
            got = store.get_runs(pipeline, newest_first=True, limit=size, offset=page * size,
                                 status=status, stack=stack)
            assert [r.id for r in got] == [r.id for r in expected[page * size:(page + 1) * size]]


def test_an_unknown_status_is_one_clear_error(store: BaseMetadataStore) -> None:
    with pytest.raises(ValueError, match="Unknown run status 'done'; use one of running"):
        store.get_runs(status="done")
    with pytest.raises(ValueError, match="Unknown run status"):
        store.count_runs(status="")


def test_an_owner_that_dies_moves_its_run_from_running_to_failed(
        store: BaseMetadataStore) -> None:
    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        _record(store, "t-dies-now", "training", "default", owner=owner.pid)
        assert "t-dies-now" in {r.name for r in store.get_runs(status="running")}
        failed_before = store.count_runs(status="failed")
    finally:
        owner.kill()
        owner.wait()
    assert "t-dies-now" not in {r.name for r in store.get_runs(status="running")}
    assert store.count_runs(status="failed") == failed_before + 1


def test_pipeline_runs_are_a_lazy_sequence_oldest_first(store: BaseMetadataStore) -> None:
    view = store.get_pipeline("training")
    runs = view.runs
    assert isinstance(runs, PipelineRuns)
    every = [r.name for r in store.get_runs("training")]
    assert len(runs) == len(every) == 6
    assert [r.name for r in runs] == every
    assert [r.name for r in reversed(runs)] == every[::-1]
    assert runs[-1].name == every[-1] == "t-done-2"
    assert runs[0].name == every[0] and runs[-6].name == every[0] and runs[2].name == every[2]
    assert [r.name for r in runs[1:4]] == every[1:4]
    assert [r.name for r in runs[-2:]] == every[-2:]
    assert [r.name for r in runs[::2]] == every[::2]
    assert [r.name for r in runs[::-1]] == every[::-1]
    assert runs[10:] == []
    assert view.get_run_names() == every
    with pytest.raises(IndexError):
        runs[6]
    with pytest.raises(IndexError):
        runs[-7]
    with pytest.raises(TypeError):
        runs["t-done-2"]  # type: ignore[call-overload]
    # a small page size: iterating reads page after page
    runs.BATCH = 4
    assert [r.name for r in runs] == every and [r.name for r in reversed(runs)] == every[::-1]


def test_a_hidden_run_is_left_out_of_the_sequence(store: BaseMetadataStore) -> None:
    newest = store.get_runs("training", newest_first=True, limit=1)[0]
    view = store.get_pipeline("training", hidden_run_id=newest.id)
    every = [r.name for r in store.get_runs("training") if r.id != newest.id]
    assert len(view.runs) == len(every) == 5
    assert view.runs[-1].name == every[-1] != newest.name
    assert [r.name for r in view.runs] == every
    assert store.count_runs("training", exclude_run_id=newest.id) == 5


def _indexes(store: BaseMetadataStore) -> set[str]:
    with store.engine.connect() as connection:
        return {r[0] for r in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name IN ('zenml_md_pipeline_runs', 'zenml_md_step_inputs')")}


def _plan(store: BaseMetadataStore, **filters: Any) -> str:
    import sqlalchemy as sa

    records = store.records
    wanted, alive = store._status_filter(filters.pop("status", None))
    query = records._runs_query(None, status=wanted, alive_running=alive,
                                columns=sa.func.count(), **filters).select_from(pipeline_runs)
    compiled = query.compile(store.engine, compile_kwargs={"literal_binds": True})
    with store.engine.connect() as connection:
        return " | ".join(r[-1] for r in connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled}"))


RUN_FILTER_INDEXES = {"ix_zenml_md_runs_status_created", "ix_zenml_md_runs_stack_created",
                      "ix_zenml_md_step_inputs_artifact"}  # all of md_0002


def test_filters_are_served_by_indexes_also_after_an_upgrade(store: BaseMetadataStore) -> None:
    from zenml.metadata_stores.schema import SCHEMA

    assert _indexes(store) >= RUN_FILTER_INDEXES
    for status in ("failed", "completed", "running"):
        assert "ix_zenml_md_runs_status_created" in _plan(store, status=status)
    assert "ix_zenml_md_runs_stack_created" in _plan(store, stack="gpu")
    # a store of revision md_0001 (before these indexes) gets them when it is opened
    with store.engine.begin() as connection:
        for name in RUN_FILTER_INDEXES:
            connection.exec_driver_sql(f"DROP INDEX {name}")
        connection.exec_driver_sql(f"UPDATE {SCHEMA.versions.name} SET version_num = 'md_0001'")
    store.dispose()
    reopened: BaseMetadataStore = Repository().run_stores()[0]
    assert store.count_runs(status="failed") == 3
    assert _indexes(reopened) >= RUN_FILTER_INDEXES
    with reopened.engine.connect() as connection:
        assert connection.exec_driver_sql(
            f"SELECT version_num FROM {SCHEMA.versions.name}").scalar() == SCHEMA.head


def test_the_steps_that_read_an_artifact_are_found_by_index(store: BaseMetadataStore) -> None:
    import sqlalchemy as sa

    from zenml.metadata_stores.schema import step_inputs

    query = sa.select(step_inputs.c.step_run_id).where(step_inputs.c.artifact_id == "a")
    compiled = query.compile(store.engine, compile_kwargs={"literal_binds": True})
    with store.engine.connect() as connection:
        plan = " | ".join(r[-1] for r in connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled}"))
    assert "ix_zenml_md_step_inputs_artifact" in plan


def _step(store: BaseMetadataStore, run_id: str, name: str, *, complete: bool) -> None:
    step_run_id = str(uuid.uuid4())
    store.start_step_run(step_run_id=step_run_id, run_id=run_id, name=name, entrypoint_name=name,
                         source="steps:" + name, parameters={}, cache_key=name, inputs={})
    if complete:
        store.complete_step_run(step_run_id, [])


def test_step_counts_of_many_runs_in_one_query_match_the_views(
        store: BaseMetadataStore) -> None:
    """The runs page's step counts: stored counts of a page of runs in one query, then
    the views' rule (a dead owner's 'running' steps failed; a live one's still run)."""
    from zenml.post_execution.views import PipelineRunView, step_status_counts

    runs = {r.name: r for r in store.get_runs()}
    _step(store, runs["t-done-1"].id, "a", complete=True)
    _step(store, runs["t-done-1"].id, "b", complete=True)
    _step(store, runs["t-dead-owner"].id, "a", complete=True)
    _step(store, runs["t-dead-owner"].id, "b", complete=False)  # its process died meanwhile
    _step(store, runs["t-live-owner"].id, "a", complete=False)  # still running
    _step(store, runs["i-no-owner"].id, "a", complete=False)  # owner unknown: running
    stored = store.count_step_statuses([r.id for r in runs.values()])
    assert stored[runs["t-dead-owner"].id] == {"completed": 1, "running": 1}
    assert stored[runs["t-failed"].id] == {}
    for record in runs.values():
        view = PipelineRunView(store, record)
        expected = dict.fromkeys(ExecutionStatus, 0)
        for step in view.steps:
            expected[step.status] += 1
        assert step_status_counts(record, stored[record.id]) == expected, record.name
    dead = step_status_counts(runs["t-dead-owner"], stored[runs["t-dead-owner"].id])
    assert (dead[ExecutionStatus.FAILED], dead[ExecutionStatus.RUNNING]) == (1, 0)
    live = step_status_counts(runs["t-live-owner"], stored[runs["t-live-owner"].id])
    assert live[ExecutionStatus.RUNNING] == 1
    assert store.count_step_statuses([]) == {}


def test_the_status_rules_live_with_the_records_not_the_views() -> None:
    """The stores' status filters and ``runs list`` read the rules from
    zenml.metadata_stores.status; the post-execution views are not imported for them
    (the views re-export the rules under their old names)."""
    from zenml.metadata_stores import status
    from zenml.post_execution import views
    from zenml.testing import imported_modules_after

    assert views.run_status is status.run_status and views.step_status is status.step_status
    filtered = imported_modules_after(code=(
        "from zenml.repository import Repository\n"
        "Repository().stack().metadata_store.count_runs(status='failed')"))
    listed = imported_modules_after(["pipeline", "runs", "list"])
    for modules in (filtered, listed):
        assert "zenml.metadata_stores.status" in modules
        assert "zenml.post_execution.views" not in modules
