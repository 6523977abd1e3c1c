"""``zenml pipeline runs list`` with 10,000 runs in the sqlite metadata store, against the
floor of its libraries (issue 18, goal 2).

Target: whole-process wall time at most 1.15x ``python -c "import click, rich.table,
sqlalchemy, pydantic"``, timed in turns with it (bench/cli_timing.py), with the
default stack's sqlite metadata store holding 10,000 runs of 5 pipelines; the
same for ``-p NAME`` and a late ``--page``. The runs are written straight into
the store's tables in one transaction, with what real runs leave behind:
``len(STEPS)`` step runs each (some cached, ~2% of runs failed at their last
step), their output artifacts and the links between steps (``record_runs``,
also used by bench/side_by_side and bench_dashboard.py). Exits 1 if a ratio
misses its target. Also prints, without a target, the same command against an
empty store, against the import of what it really loads (pydantic's
``BaseModel``: ``import pydantic`` alone is lazy) and, in process, the store's
count + newest page and the post-execution API's
``Repository().get_pipeline(name).runs[-1]``.

``zenml`` runs with its bytecode cached in a temp folder
(``PYTHONPYCACHEPREFIX``), as after the first run of an installed zenml.

    python bench/bench_runs_list.py [RUNS]
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cli_timing import compare, python_floor, report, verdict

TARGET = 1.15
FLOOR = "click, rich.table, sqlalchemy, pydantic"
#: What the command imports of its libraries (pydantic's models are imported lazily).
NEEDS = ("click, rich.console, rich.table, sqlalchemy, sqlite3, sqlalchemy.dialects.sqlite; "
         "from pydantic import BaseModel")
RUNS = 10_000
PIPELINES = ["training", "batch_inference", "data_validation", "feature_engineering",
             "evaluation"]
STEPS = ["importer", "preprocessor", "trainer", "evaluator"]
COMMANDS: list[tuple[str, ...]] = [("pipeline", "runs", "list"),
                                   ("pipeline", "runs", "list", "-p", "training"),
                                   ("pipeline", "runs", "list", "--page", "400")]


def record_runs(store: Any, artifact_root: str, count: int, chunk: int = 2_000) -> None:
    """Write ``count`` finished runs, as the step launcher would leave them, in one
    transaction, ``chunk`` runs at a time (100,000 runs of 10 steps fit in memory)."""
    from zenml.metadata_stores import schema

    rng = random.Random(0)
    now = datetime(2026, 1, 1)
    pipeline_ids = {name: str(uuid.uuid4()) for name in PIPELINES}
    first_outputs: dict[tuple[str, str], tuple[str, str]] = {}  # (pipeline, step) -> ids
    tables = [(schema.pipelines, "pipelines"), (schema.pipeline_runs, "runs"),
              (schema.step_runs, "step_runs"), (schema.artifacts, "artifacts"),
              (schema.step_outputs, "outputs"), (schema.step_inputs, "inputs")]

    def empty() -> dict[str, list[dict[str, Any]]]:
        return {key: [] for _, key in tables}

    rows = empty()
    rows["pipelines"] = [{"id": i, "name": n, "created": now} for n, i in pipeline_ids.items()]
    with store.engine.begin() as connection:
        for index in range(count):
            _record_run(rows, index, rng, now, pipeline_ids, first_outputs, artifact_root)
            if (index + 1) % chunk == 0 or index + 1 == count:
                for table, key in tables:
                    if rows[key]:
                        connection.execute(table.insert(), rows[key])
                rows = empty()


def _record_run(rows: dict[str, list[dict[str, Any]]], index: int, rng: random.Random,
                now: datetime, pipeline_ids: dict[str, str],
                first_outputs: dict[tuple[str, str], tuple[str, str]],
                artifact_root: str) -> None:
    """Add one run's rows (its step runs, artifacts and links) to ``rows``."""
    pipeline = PIPELINES[index % len(PIPELINES)]
    created = now + timedelta(minutes=5 * index, microseconds=rng.randrange(10**6))
    run_id = str(uuid.uuid4())
    run_name = f"{pipeline}-{created:%d_%b_%y-%H_%M_%S_%f}"
    failed = rng.random() < 0.02
    clock = created
    previous: str | None = None
    for position, step in enumerate(STEPS):
        step_run_id = str(uuid.uuid4())
        cached = (pipeline, step) in first_outputs and position < 2 and rng.random() < 0.5
        step_failed = failed and position == len(STEPS) - 1
        finished = clock + timedelta(seconds=0 if cached else rng.uniform(0.1, 30))
        rows["step_runs"].append({
            "id": step_run_id, "run_id": run_id, "name": step, "entrypoint_name": step,
            "source": f"{pipeline}_steps:{step}", "status": "failed" if step_failed
            else "cached" if cached else "completed", "is_cached": cached,
            "cache_key": uuid.uuid4().hex + uuid.uuid4().hex,
            "original_step_run_id": first_outputs[(pipeline, step)][0] if cached else None,
            "parameters": json.dumps({"learning_rate": 0.01, "epochs": 10}),
            "extra": "{}", "started": clock, "finished": finished,
            "error": "ValueError: input contains NaN" if step_failed else None})
        if previous is not None:
            rows["inputs"].append({"step_run_id": step_run_id, "name": "data",
                                   "artifact_id": previous})
        if step_failed:
            clock = finished
            break
        if cached:
            artifact_id = first_outputs[(pipeline, step)][1]
        else:
            artifact_id = str(uuid.uuid4())
            rows["artifacts"].append({
                "id": artifact_id, "name": "output", "data_type": "numpy:ndarray",
                "uri": f"{artifact_root}/{pipeline}/{run_name}/{step}/output",
                "materializer": "zenml.materializers.numpy_materializer:NumpyMaterializer",
                "content_hash": uuid.uuid4().hex + uuid.uuid4().hex,
                "producer_step_run_id": step_run_id, "created": finished})
            first_outputs.setdefault((pipeline, step), (step_run_id, artifact_id))
        rows["outputs"].append({"step_run_id": step_run_id, "name": "output",
                                "artifact_id": artifact_id})
        previous, clock = artifact_id, finished
    rows["runs"].append({
        "id": run_id, "name": run_name,
        "pipeline_id": pipeline_ids[pipeline], "status": "failed" if failed else "completed",
        "enable_cache": True, "stack_name": "default", "num_steps": len(STEPS),
        "host": "bench-host", "pid": 1, "created": created, "finished": clock,
        "error": "Step 'evaluator' failed" if failed else None})


def timed(action: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    zenml = str(Path(sys.executable).with_name("zenml"))
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        os.environ["ZENML_CONFIG_PATH"] = f"{folder}/config"
        env = {**os.environ, "PYTHONPYCACHEPREFIX": f"{folder}/pycache", "COLUMNS": "200"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        from zenml.repository import Repository

        stack = Repository().active_stack
        store = stack.metadata_store
        seconds, _ = timed(lambda: record_runs(store, stack.artifact_store.path, RUNS))
        assert store.count_runs() == RUNS
        size = os.path.getsize(store.config.uri) / 2**20
        print(f"recorded {RUNS:,} runs of {len(PIPELINES)} pipelines ({len(STEPS)} steps each) "
              f"in {seconds:.1f} s; database {size:.1f} MB; runs per command: {runs}")
        newest = store.get_runs(newest_first=True, limit=1)[0].name
        for args in COMMANDS:  # warm-up: bytecode, database pages
            subprocess.run([zenml, *args], env=env, check=True, capture_output=True)
        shown = subprocess.run([zenml, *COMMANDS[0]], env=env, check=True,
                               capture_output=True, text=True).stdout
        assert newest in shown.splitlines()[3], "the newest run is not listed first"
        for args in COMMANDS:
            comparison = compare(python_floor(FLOOR), [zenml, *args], env, runs)
            failed |= verdict(f"zenml {' '.join(args)}", comparison, TARGET, "floor", width=44)
        verdict(f"zenml {' '.join(COMMANDS[0])}",
                compare(python_floor(NEEDS), [zenml, *COMMANDS[0]], env, runs), None,
                "what it loads", width=44)
        empty_env = {**env, "ZENML_CONFIG_PATH": f"{folder}/empty"}
        subprocess.run([zenml, *COMMANDS[0]], env=empty_env, check=True, capture_output=True)
        verdict("same, no runs recorded", compare(python_floor(FLOOR), [zenml, *COMMANDS[0]],
                                                   env, runs, command_env=empty_env),
                None, "floor", width=44)

        def page() -> list[Any]:
            store.count_runs()
            return store.get_runs(newest_first=True, limit=20)  # type: ignore[no-any-return]

        def latest() -> Any:
            return Repository().get_pipeline("training").runs[-1]

        for label, action in (("in process: count + newest 20 runs", page),
                              ("in process: get_pipeline().runs[-1]", latest)):
            timed(action)
            report(label, [timed(action)[0] for _ in range(runs)])
        store.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
