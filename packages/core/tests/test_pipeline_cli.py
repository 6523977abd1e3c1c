"""``zenml pipeline``: list, runs list (paged), runs describe; and the metadata store file."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from zenml.errors import MetadataStoreError
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import BaseStepConfig, step


class Fail(BaseStepConfig):
    fail: bool = False


@step
def produce(config: Fail) -> int:
    if config.fail:
        raise KeyError("missing column")
    return 7


@step
def consume(x: int) -> str:
    return str(x)


@pipeline
def cli_pipeline(produce, consume):
    consume(produce())


def run(fail: bool = False, name: str | None = None) -> Any:
    return cli_pipeline(produce=produce(config=Fail(fail=fail)), consume=consume()).run(
        run_name=name)


def test_empty_store_says_so(zen: Any) -> None:
    assert "No pipeline has run" in zen("pipeline", "list").output
    assert "No runs of any pipeline" in zen("pipeline", "runs", "list").output


def test_pipeline_list_and_runs_list(zen: Any) -> None:
    run(name="r1")
    run(name="r2")
    out = zen("pipeline", "list").output
    assert "cli_pipeline" in out and "r2" in out and "completed" in out
    listing = zen("pipeline", "runs", "list", "-p", "cli_pipeline").output
    assert listing.index("r2") < listing.index("r1")  # newest first
    assert "page 1 of 1 (2 runs)" in listing
    page2 = zen("pipeline", "runs", "list", "--size", "1", "--page", "2").output
    assert "r1" in page2 and "r2" not in page2 and "page 2 of 2" in page2
    zen.fails("pipeline", "runs", "list", "--page", "3")
    assert "No runs of pipeline 'other'" in zen("pipeline", "runs", "list", "-p", "other").output


def test_describe_shows_steps_cached_flags_and_uris(zen: Any) -> None:
    first = run(name="first")
    run(name="second")
    out = zen("pipeline", "runs", "describe", "second").output
    assert "Status:    completed" in out
    uri = first.get_step("consume").output.uri
    assert uri in out  # the cached step points at the first run's output
    assert out.count("cached") >= 2 and "yes" in out


def test_describe_a_failed_run_and_unknown_runs(zen: Any) -> None:
    with pytest.raises(Exception, match="missing column"):
        run(fail=True, name="broken")
    out = zen("pipeline", "runs", "describe", "broken").output
    assert "Status:    failed" in out
    assert "produce failed: KeyError: 'missing column'" in out
    result = zen.fails("pipeline", "runs", "describe", "nope")
    assert "No run 'nope'" in result.stderr


def test_runs_list_in_a_real_process() -> None:
    from conftest import run_zenml

    run(name="proc")
    done = run_zenml(["pipeline", "runs", "list"])
    assert done.returncode == 0 and "proc" in done.stdout


def test_a_command_closes_its_stores_before_it_exits() -> None:
    """The ``zenml`` executable skips the interpreter's last garbage collection at exit
    (zenml.cli.base.before_exit), but closes every store's connections first: SQLite
    folds its write-ahead log back into each file, and exit codes are the commands'
    own."""
    from zenml.sql.database import dispose_all

    from conftest import run_zenml

    run(name="closed")
    store_files = [_metadata_file(), Repository().store.path]
    dispose_all()  # this process's own connections: each command's is then the last one
    for args, code in ((["pipeline", "runs", "list"], 0), (["stack", "list"], 0),
                       (["pipeline", "runs", "describe", "nope"], 1), (["stack", "frob"], 1)):
        done = run_zenml(args)
        assert done.returncode == code, (args, done.stderr)
        for path in store_files:
            assert not Path(f"{path}-wal").exists(), (args, path)
            assert not Path(f"{path}-shm").exists(), (args, path)
        db = sqlite3.connect(store_files[0])  # whole: readable and consistent
        try:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            db.close()


def _metadata_file() -> Path:
    return Path(Repository().active_stack.metadata_store.config.uri)


def test_a_corrupt_metadata_file_is_reported_and_kept(zen: Any) -> None:
    path = _metadata_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not sqlite" * 100)
    result = zen.fails("pipeline", "runs", "list")
    assert str(path) in result.stderr
    assert path.read_bytes() == b"this is not sqlite" * 100
    with pytest.raises(MetadataStoreError):
        run()


def test_a_store_from_a_newer_zenml_is_refused(zen: Any) -> None:
    run()
    with sqlite3.connect(_metadata_file()) as connection:
        connection.execute("UPDATE zenml_md_meta SET value = '99' WHERE key = 'schema_version'")
    result = zen.fails("pipeline", "list")
    assert "newer zenml" in result.stderr


def test_only_the_executable_freezes_the_collector_and_not_after_user_code() -> None:
    """``cli.main()`` in a living process (a test runner, a notebook) never freezes the
    garbage collector; the executable does, unless a step ran in its process."""
    import gc
    import subprocess
    import sys

    from zenml.testing import ZenCLI

    frozen = gc.get_freeze_count()
    assert ZenCLI()("stack", "list").exit_code == 0
    assert gc.get_freeze_count() == frozen
    check = ("import gc, sys\n{imports}\nfrom zenml.cli.base import before_exit\n"
             "before_exit()\nprint(gc.get_freeze_count())")
    for imports, expect_frozen in (("", True), ("import zenml.execution.launcher", False)):
        done = subprocess.run([sys.executable, "-c", check.format(imports=imports)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert (int(done.stdout.strip()) > 0) is expect_frozen, imports
