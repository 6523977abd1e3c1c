"""Store-level run filters on MariaDB: the same answers as the views, in SQL (the core's
test_run_filters.py runs the same checks on SQLite)."""

from __future__ import annotations

import itertools
import subprocess
import sys
import uuid
from pathlib import Path

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
