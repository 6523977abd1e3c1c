"""Store-level run filters on MariaDB: the same answers as the views, in SQL (the core's
test_run_filters.py runs the same checks on SQLite)."""

from __future__ import annotations

import itertools
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from zenml.errors import ZenMLError
from zenml.metadata_stores.base import BaseMetadataStore
from zenml.metadata_stores.records import ExecutionStatus
from zenml.post_execution.views import run_status
from zenml.repository import Repository

from conftest import Server, Zen, register_stack


def _record(store: BaseMetadataStore, name: str, pipeline: str, stack: str,
            finish: ExecutionStatus | None = None, owner: int = 0) -> None:
    run_id = str(uuid.uuid4())
    store.create_run(run_id=run_id, run_name=name, pipeline_name=pipeline, stack_name=stack,
                     enable_cache=True, num_steps=1, owner_pid=owner)
    if finish is not None:
        store.finish_run(run_id, finish)


def test_filters_match_the_views_on_mariadb(zen: Zen, mysql: Server, database: str,
                                            tmp_path: Path) -> None:
    register_stack(zen, "s", mysql, database, tmp_path)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    store: BaseMetadataStore = Repository().run_stores()[0]
    try:
        _record(store, "a-done", "a", "s", ExecutionStatus.COMPLETED)
        _record(store, "a-failed", "a", "s", ExecutionStatus.FAILED)
        _record(store, "a-dead", "a", "s", owner=ended.pid)
        _record(store, "a-live", "a", "gpu", owner=live.pid)
        _record(store, "b-cached", "b", "gpu", ExecutionStatus.CACHED)
        _record(store, "b-dead", "b", "gpu", owner=ended.pid)
        assert {r.name for r in store.get_runs(status="failed")} == {
            "a-failed", "a-dead", "b-dead"}
        assert {r.name for r in store.get_runs(status="running")} == {"a-live"}
        for pipeline, status, stack in itertools.product(
                [None, "a", "b"], [None, *(s.value for s in ExecutionStatus)], [None, "gpu"]):
            expected = [r.id for r in store.get_runs(pipeline, newest_first=True)
                        if (status is None or run_status(r).value == status)
                        and (stack is None or r.stack_name == stack)]
            assert store.count_runs(pipeline, status=status, stack=stack) == len(expected)
            assert [r.id for r in store.get_runs(pipeline, newest_first=True, status=status,
                                                 stack=stack)] == expected
            assert [r.id for r in store.get_runs(pipeline, newest_first=True, limit=1,
                                                 offset=1, status=status,
                                                 stack=stack)] == expected[1:2]
        assert [r.name for r in store.get_pipeline("a").runs] == [
            "a-done", "a-failed", "a-dead", "a-live"]
        assert store.get_pipeline("a").runs[-1].name == "a-live"
    finally:
        live.kill()
        live.wait()
        store.dispose()


def test_a_transaction_costs_no_rollback_when_its_connection_returns(
        zen: Zen, mysql: Server, database: str, tmp_path: Path) -> None:
    """Every transaction ends in a commit or a rollback, so the pool does not send another
    ROLLBACK when the connection comes back (two round trips per step saved); a failed
    transaction still rolls back, once."""
    import pymysql.connections

    register_stack(zen, "s", mysql, database, tmp_path)
    store: BaseMetadataStore = Repository().run_stores()[0]
    calls: list[str] = []
    original = pymysql.connections.Connection.rollback

    def rollback(self: pymysql.connections.Connection) -> None:
        calls.append("rollback")
        original(self)

    assert store.count_runs("a") == 0  # the pool's connection is made (and set up) first
    pymysql.connections.Connection.rollback = rollback  # type: ignore[method-assign]
    try:
        _record(store, "done", "a", "s", ExecutionStatus.COMPLETED)
        assert store.count_runs("a") == 1
        assert calls == []
        with pytest.raises(ZenMLError):  # the name is taken: the insert fails
            _record(store, "done", "a", "s")
        assert calls == ["rollback"]
        assert store.count_runs("a") == 1  # and the connection is usable again
    finally:
        pymysql.connections.Connection.rollback = original  # type: ignore[method-assign]
        store.dispose()
