"""The stack store file: concurrency, transactions, unreadable and corrupt files."""

from __future__ import annotations

import sqlite3
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from zenml.config.stack_store import SCHEMA_VERSION, StackStore
from zenml.errors import StoreError
from zenml.repository import Repository, default_stack_configs
from zenml.stack.component_type import StackComponentType

from conftest import ZENML, Zen, run_zenml


def test_parallel_registrations_all_land(config_dir: Path) -> None:
    """8 processes register at once, on a store none of them has created yet."""
    import os

    env = {**os.environ}

    def register(index: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run([ZENML, "orchestrator", "register", f"o{index}", "--flavor=local"],
                              env=env, capture_output=True, text=True, timeout=120)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(register, range(8)))
    for result in results:
        assert result.returncode == 0, result.stderr
    names = {c.name for c in Repository().store.list_components(StackComponentType.ORCHESTRATOR)}
    assert names == {"default", *(f"o{i}" for i in range(8))}
    assert [s.name for s in Repository().store.list_stacks()] == ["default"]


def test_failed_write_leaves_the_store_as_it_was(zen: Zen, tmp_path: Path) -> None:
    zen("artifact-store", "register", "a2", "--flavor=local", f"--path={tmp_path}/a2")
    store = Repository().store
    before = (store.list_components(), store.list_stacks())
    zen.fails("stack", "register", "bad", "-o", "default", "-a", "a2", "-m", "default")
    assert (store.list_components(), store.list_stacks()) == before
    with sqlite3.connect(store.path) as connection:
        couplings = connection.execute("SELECT count(*) FROM store_couplings").fetchone()[0]
    assert couplings == 1


def _store_error(config_dir: Path) -> str:
    result = run_zenml(["stack", "list"])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(config_dir / "stack_store.db") in lines[0]
    return lines[0]


def test_a_corrupt_store_is_reported_and_never_overwritten(config_dir: Path) -> None:
    config_dir.mkdir()
    store = config_dir / "stack_store.db"
    store.write_bytes(b"this is not a database\n" * 100)
    before = store.read_bytes()
    assert "not a SQLite database" in _store_error(config_dir)
    assert store.read_bytes() == before


def test_a_damaged_sqlite_store_is_reported_and_never_overwritten(config_dir: Path) -> None:
    Repository().store.list_stacks()  # creates the store
    store = config_dir / "stack_store.db"
    data = bytearray(store.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)  # keep the header, wreck the pages
    store.write_bytes(bytes(data))
    message = _store_error(config_dir)
    assert "zenml will not overwrite it" in message or "cannot be used" in message
    assert store.read_bytes() == bytes(data)


def test_a_foreign_sqlite_file_is_refused(config_dir: Path) -> None:
    config_dir.mkdir()
    with sqlite3.connect(config_dir / "stack_store.db") as connection:
        connection.execute("CREATE TABLE songs (title TEXT)")
    assert "not a zenml store" in _store_error(config_dir)


def test_a_store_from_a_newer_zenml_is_refused(config_dir: Path) -> None:
    Repository().store.list_stacks()
    with sqlite3.connect(config_dir / "stack_store.db") as connection:
        connection.execute("UPDATE zenml_meta SET value = ? WHERE key = 'schema_version'",
                           (str(SCHEMA_VERSION + 1),))
    assert "newer zenml" in _store_error(config_dir)


def test_a_folder_in_place_of_the_store_is_reported(config_dir: Path) -> None:
    (config_dir / "stack_store.db").mkdir(parents=True)
    assert "is a folder" in _store_error(config_dir)


def test_store_without_default_factory_starts_empty(tmp_path: Path) -> None:
    store = StackStore(tmp_path / "s.db")
    assert store.list_stacks() == [] and store.get_active_stack_name() is None


def test_default_stack_lives_under_the_config_dir(config_dir: Path) -> None:
    stack = Repository().active_stack_model
    artifact = stack.components[StackComponentType.ARTIFACT_STORE]
    meta = stack.components[StackComponentType.METADATA_STORE]
    assert Path(artifact.config["path"]).is_relative_to(config_dir)
    assert Path(meta.config["uri"]).is_relative_to(config_dir)
    assert stack.components[StackComponentType.ORCHESTRATOR].flavor == "local"
    assert default_stack_configs()  # callable on its own


def test_unwritable_config_dir_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("ZENML_CONFIG_PATH", str(blocker / "sub"))
    with pytest.raises(StoreError, match="ZENML_CONFIG_PATH"):
        Repository().store.list_stacks()


def test_killed_registrations_never_leave_half_a_stack(config_dir: Path) -> None:
    """SIGKILL at random points of `stack register`: a stack lands whole or not at all."""
    import random
    import signal
    import time

    Repository().store.list_stacks()
    rng = random.Random(7)
    for index in range(12):
        process = subprocess.Popen(
            [ZENML, "stack", "register", f"k{index}", "-o", "default", "-a", "default",
             "-m", "default"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.4))
        process.send_signal(signal.SIGKILL)
        process.wait()
    with sqlite3.connect(config_dir / "stack_store.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        partial = connection.execute(
            "SELECT count(*) FROM stacks s WHERE (SELECT count(*) FROM stack_components "
            "WHERE stack_id = s.id) <> 3").fetchone()[0]
    assert partial == 0
    assert run_zenml(["stack", "list"]).returncode == 0
