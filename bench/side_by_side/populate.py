"""Fill the active stack's sqlite metadata store with finished runs
(``bench_runs_list.record_runs``), or copy in a store built earlier.

Run in the workspace (its ``ZENML_CONFIG_PATH`` and folder)::

    python bench/side_by_side/populate.py COUNT [--steps N] [--cache-dir DIR]

``--steps`` (default: bench_runs_list's 4) is the number of steps of every
run. With ``--cache-dir DIR``: a store built earlier for the same count, steps
and tables (the schema's generation and columns) is copied in, then opened by
zenml, which migrates it to the current revision (new indexes) as it would a
user's store; else the runs are recorded and a copy is kept in DIR. Prints, as
JSON, the newest run's name and pipeline, the counts, the database's size and
whether it came from the cache.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_runs_list


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the database file, so that the file alone is the store."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _cache_file(folder: Path, count: int) -> Path:
    """The cached store's file: keyed by the rows recorded and the tables' columns (zenml
    migrates a copy to the current revision, so a new index does not force a rebuild)."""
    from zenml.metadata_stores import schema

    digest = hashlib.sha256(repr((count, bench_runs_list.STEPS, bench_runs_list.PIPELINES,
                                  schema.SCHEMA_VERSION)).encode())
    for table in schema.metadata.sorted_tables:
        digest.update(repr([(c.name, str(c.type), c.nullable) for c in table.columns]).encode())
    return folder / f"runs-{count}x{len(bench_runs_list.STEPS)}-{digest.hexdigest()[:16]}.db"


def _open_with_zenml() -> None:
    """Open the store in a new process, as a user's next command would (migrating it)."""
    subprocess.run([sys.executable, "-c", "from zenml.repository import Repository; "
                    "Repository().active_stack.metadata_store.count_runs()"], check=True)


def _summary(path: Path) -> dict[str, object]:
    with sqlite3.connect(path) as db:
        name, pipeline = db.execute(
            "SELECT r.name, p.name FROM zenml_md_pipeline_runs r JOIN zenml_md_pipelines p "
            "ON p.id = r.pipeline_id ORDER BY r.created DESC LIMIT 1").fetchone()
        runs = db.execute("SELECT count(*) FROM zenml_md_pipeline_runs").fetchone()[0]
        steps = db.execute("SELECT count(*) FROM zenml_md_step_runs").fetchone()[0]
    return {"newest": name, "pipeline": pipeline, "runs": runs, "step_runs": steps,
            "bytes": os.path.getsize(path)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args()
    if args.steps is not None:  # the module's step list is what record_runs reads
        bench_runs_list.STEPS = [f"step_{index:02d}" for index in range(args.steps)]
    from zenml.repository import Repository

    stack = Repository().active_stack
    store = stack.metadata_store
    path = Path(store.config.uri)  # type: ignore[attr-defined]
    cache = None if args.cache_dir is None else _cache_file(args.cache_dir, args.count)
    cached = cache is not None and cache.exists()
    if cache is not None and cached:
        store.count_runs()  # the store's file exists and is zenml's
        store.dispose()
        _checkpoint(path)
        shutil.copyfile(cache, path)
        _open_with_zenml()
    else:
        bench_runs_list.record_runs(store, stack.artifact_store.path, args.count)
        store.dispose()
        _checkpoint(path)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            partial = cache.with_suffix(".partial")
            shutil.copyfile(path, partial)
            partial.chmod(0o600)
            partial.replace(cache)
    summary = {**_summary(path), "cached": cached}
    if summary["runs"] != args.count:
        print(f"expected {args.count} runs, the store has {summary['runs']}", file=sys.stderr)
        return 1
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
