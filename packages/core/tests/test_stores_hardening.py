"""The store files (issue 13): private modes, foreign files refused untouched, read-only stores.

Permission tests run ``zenml`` as a process that permission bits apply to:
as root, the child gives up every capability before it starts (uid 0 without
CAP_DAC_OVERRIDE obeys the mode bits like any user, and can still run the
interpreter under /root); as another user, as it is.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sqlite3
import stat
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from zenml.errors import MetadataStoreError
from zenml.repository import Repository

from conftest import Zen, run_zenml

PR_CAPBSET_DROP = 24


def _drop_capabilities() -> None:
    """In the child, before exec: empty the bounding set, so the program runs without privileges."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            if ctypes.get_errno() == errno.EINVAL:  # past the last capability
                return
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def unprivileged(tmp_path: Path) -> Runner:
    """``run(args)``: the real ``zenml`` as a process that cannot ignore permission bits."""
    preexec = _drop_capabilities if os.geteuid() == 0 else None
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0)
    try:
        check = subprocess.run([sys.executable, "-c", "import os, sys; os.listdir(sys.argv[1])",
                                str(probe)], preexec_fn=preexec, capture_output=True)
    finally:
        probe.chmod(0o700)
    if check.returncode == 0:
        message = "cannot run a process that obeys permission bits here"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_zenml(list(args), preexec_fn=preexec)

    return run


def _one_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


@pytest.fixture
def umask_zero() -> Iterator[None]:
    """The loosest umask: modes must come from how zenml creates paths, not from the umask."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _modes(root: Path) -> dict[str, int]:
    found = {str(root): stat.S_IMODE(root.stat().st_mode)}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            found[str(path)] = stat.S_IMODE(path.lstat().st_mode)
    return found


def _record_run(store: Any, name: str, pipeline: str = "p") -> None:
    store.create_run(run_id=str(uuid.uuid4()), run_name=name, pipeline_name=pipeline,
                     stack_name="default", enable_cache=True, num_steps=1)


# -- defect 2: private files ---------------------------------------------------------------

def test_every_store_path_is_private_from_the_start(config_dir: Path, umask_zero: None) -> None:
    from zenml.model_deployers.local import spawn_detached
    from zenml.model_deployers.registry import ServiceRegistry

    metadata_store = Repository().active_stack.metadata_store
    _record_run(metadata_store, "r1")  # the engine stays open: -wal and -shm exist
    registry = ServiceRegistry("deployer-1")
    registry.put({"uuid": "s1"})
    folder = registry.service_folder("s1")
    folder.parent.mkdir(mode=0o700)  # as a local service makes it
    folder.mkdir(mode=0o700)
    spawn_detached(["true"], folder, folder.parent.parent / "logs" / "s1.log")
    try:
        modes = _modes(config_dir)
        uri = metadata_store.config.uri
        assert {f"{uri}-wal", f"{uri}-shm", str(registry.path)} <= set(modes)
        assert str(folder.parent.parent / "logs" / "s1.log") in modes
        loose = {path: oct(mode) for path, mode in modes.items()
                 if mode != (0o700 if Path(path).is_dir() else 0o600)}
        assert not loose
    finally:
        metadata_store.dispose()


def test_existing_store_files_are_tightened_once_with_a_notice(config_dir: Path) -> None:
    metadata_store = Repository().active_stack.metadata_store
    _record_run(metadata_store, "r1")
    metadata_store.dispose()
    database = Path(metadata_store.config.uri)
    config_dir.chmod(0o755)
    (config_dir / "stack_store.db").chmod(0o644)
    database.chmod(0o644)

    first = run_zenml(["pipeline", "list"])
    assert first.returncode == 0, first.stderr
    warnings = [line for line in first.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and warnings[0].startswith("Warning: "), first.stderr
    assert str(config_dir) in warnings[0]
    assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((config_dir / "stack_store.db").stat().st_mode) == 0o600
    assert stat.S_IMODE(database.stat().st_mode) == 0o600

    second = run_zenml(["pipeline", "list"])
    assert second.returncode == 0 and second.stderr.strip() == "", second.stderr


def test_concurrent_first_uses_make_one_default_stack(config_dir: Path) -> None:
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: run_zenml(["stack", "list"]), range(6)))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert [s.name for s in Repository().store.list_stacks()] == ["default"]
    # one artifact folder, no orphans from processes that lost the race
    assert len(list((config_dir / "local_stores").iterdir())) == 1
    assert sorted(p.name for p in config_dir.iterdir()) == ["local_stores", "stack_store.db"]


# -- defect 6: an unreachable config folder -------------------------------------------------

@pytest.mark.parametrize("args", [("stack", "list"), ("pipeline", "list"),
                                  ("orchestrator", "list"), ("stack", "set", "default"),
                                  ("metadata-store", "describe")])
def test_a_config_folder_without_access_is_one_line(config_dir: Path, unprivileged: Runner,
                                                     args: tuple[str, ...]) -> None:
    Repository().store.list_stacks()
    config_dir.chmod(0)
    try:
        line = _one_error(unprivileged(*args))
    finally:
        config_dir.chmod(0o700)
    assert str(config_dir) in line and "chmod 700" in line


# -- defect 7: files that are not zenml stores are refused and never touched ---------------

def _header_only_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version = 7")  # a valid database with no tables
    connection.close()


def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE songs (title TEXT)")
        connection.execute("INSERT INTO songs VALUES ('la')")
    connection.close()


NOT_A_STORE: dict[str, Callable[[Path], None]] = {
    "empty": lambda path: path.touch(),
    "sqlite-without-tables": _header_only_sqlite,
    "foreign-sqlite": _foreign_sqlite,
}


@pytest.mark.parametrize("kind", sorted(NOT_A_STORE))
def test_a_stack_store_file_that_is_not_zenml_is_refused_untouched(
        zen: Zen, config_dir: Path, kind: str) -> None:
    config_dir.mkdir()
    path = config_dir / "stack_store.db"
    NOT_A_STORE[kind](path)
    path.chmod(0o644)
    before = (path.read_bytes(), path.stat().st_mode)
    line = zen.error("stack", "list")
    assert str(path) in line and "move it aside" in line
    assert (path.read_bytes(), path.stat().st_mode) == before
    assert sorted(p.name for p in config_dir.iterdir()) == ["stack_store.db"]


@pytest.mark.parametrize("kind", sorted(NOT_A_STORE))
def test_a_metadata_file_that_is_not_zenml_is_refused_untouched(
        zen: Zen, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "their.db"
    NOT_A_STORE[kind](path)
    path.chmod(0o644)
    before = (path.read_bytes(), path.stat().st_mode)
    zen("metadata-store", "register", "theirs", "--flavor", "sqlite", "--uri", str(path))
    zen("artifact-store", "register", "a2", "--flavor", "local", "--path", str(tmp_path / "a2"))
    zen("stack", "register", "s2", "-o", "default", "-a", "a2", "-m", "theirs")
    line = zen.error("pipeline", "list", "--stack", "s2")
    assert str(path) in line and ("move it aside" in line or "will not touch it" in line)
    assert (path.read_bytes(), path.stat().st_mode) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("their")) == \
        ["their.db"]


class _ServerLikeStore:
    """A metadata store that sets up empty databases, as the MySQL store does."""

    @staticmethod
    def make(path: Path) -> Any:
        from zenml.metadata_stores.base import BaseMetadataStore
        from zenml.metadata_stores.config import BaseMetadataStoreConfig

        class ServerLike(BaseMetadataStore):
            @property
            def database_url(self) -> str:
                return f"sqlite:///{path}"

        return ServerLike(name="server", id=str(uuid.uuid4()), flavor="test",
                          config=BaseMetadataStoreConfig())


def test_a_server_database_with_foreign_tables_is_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    _foreign_sqlite(foreign)
    with pytest.raises(MetadataStoreError, match=r"not a zenml metadata database.*songs"):
        _ = _ServerLikeStore.make(foreign).engine
    with sqlite3.connect(foreign) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master")]
    connection.close()
    assert tables == ["songs"]
    empty = tmp_path / "empty.db"
    _header_only_sqlite(empty)
    store = _ServerLikeStore.make(empty)
    _record_run(store, "r1")  # an empty server database gets zenml's tables
    assert [r.name for r in store.get_runs()] == ["r1"]
    store.dispose()


# -- defect 8: read-only stores serve reads ------------------------------------------------

def test_a_read_only_stack_store_serves_reads(config_dir: Path, unprivileged: Runner) -> None:
    Repository().store.list_stacks()
    store = config_dir / "stack_store.db"
    before = store.read_bytes()
    store.chmod(0o400)
    try:
        for folder_mode in (0o700, 0o500):
            config_dir.chmod(folder_mode)
            listing = unprivileged("stack", "list")
            assert listing.returncode == 0 and "default" in listing.stdout, listing.stderr
            described = unprivileged("orchestrator", "list")
            assert described.returncode == 0, described.stderr
            line = _one_error(unprivileged("orchestrator", "register", "o2", "--flavor",
                                           "local"))
            assert "read-only" in line and str(store) in line
    finally:
        config_dir.chmod(0o700)
        store.chmod(0o600)
    assert store.read_bytes() == before


def test_a_read_only_metadata_folder_serves_reads(config_dir: Path,
                                                  unprivileged: Runner) -> None:
    metadata_store = Repository().active_stack.metadata_store
    _record_run(metadata_store, "r1", pipeline="first_pipeline")
    metadata_store.dispose()  # the -wal file is folded in and removed
    database = Path(metadata_store.config.uri)
    folder = database.parent
    assert not Path(f"{database}-wal").exists()
    database.chmod(0o400)
    folder.chmod(0o500)
    try:
        listing = unprivileged("pipeline", "list")
        assert listing.returncode == 0 and "first_pipeline" in listing.stdout, listing.stderr
        runs = unprivileged("pipeline", "runs", "list")
        assert runs.returncode == 0 and "r1" in runs.stdout, runs.stderr
        assert sorted(p.name for p in folder.iterdir()) == ["metadata.db"]
    finally:
        folder.chmod(0o700)
        database.chmod(0o600)

    # a writer holds the database open (a -wal file with its latest run exists)
    writer = Repository().active_stack.metadata_store
    _record_run(writer, "r2", pipeline="first_pipeline")
    assert Path(f"{database}-wal").exists()
    folder.chmod(0o500)
    try:
        runs = unprivileged("pipeline", "runs", "list")
        assert runs.returncode == 0 and "r2" in runs.stdout, runs.stderr
    finally:
        folder.chmod(0o700)
        writer.dispose()


def test_a_write_to_a_read_only_metadata_store_says_so(config_dir: Path,
                                                       unprivileged: Runner) -> None:
    metadata_store = Repository().active_stack.metadata_store
    _record_run(metadata_store, "r1")
    metadata_store.dispose()
    database = Path(metadata_store.config.uri)
    database.chmod(0o400)
    script = ("import uuid\nfrom zenml.repository import Repository\n"
              "store = Repository().active_stack.metadata_store\n"
              "print(len(store.get_runs()))\n"
              "store.create_run(run_id=str(uuid.uuid4()), run_name='r2', pipeline_name='p', "
              "stack_name='default', enable_cache=True, num_steps=1)\n")
    preexec = _drop_capabilities if os.geteuid() == 0 else None
    try:
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                preexec_fn=preexec, timeout=120)
    finally:
        database.chmod(0o600)
    assert result.stdout.strip() == "1"  # reading worked
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("zenml.errors.MetadataStoreError") and "may only read" in last


# -- defect 12: a sqlite --uri that is no file --------------------------------------------

@pytest.mark.parametrize("uri", ["sqlite:///", "{tmp}", "{tmp}/new/", "sqlite:///{tmp}"])
def test_a_sqlite_uri_that_names_no_file_is_refused_at_registration(
        zen: Zen, tmp_path: Path, uri: str) -> None:
    line = zen.error("metadata-store", "register", "m2", "--flavor", "sqlite", "--uri",
                     uri.format(tmp=tmp_path))
    assert "--uri" in line
    # nothing registered (the name as a table cell: a temp folder's path may hold "m2")
    assert "│ m2 " not in zen("metadata-store", "list").output
    assert "No metadata store named 'm2'" in zen.error("metadata-store", "describe", "m2")


def test_store_paths_with_uri_characters_work(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    config = tmp_path / "we ird?x=1#frag%20"
    monkeypatch.setenv("ZENML_CONFIG_PATH", str(config))
    metadata_store = Repository().active_stack.metadata_store
    _record_run(metadata_store, "r1")
    metadata_store.dispose()
    assert (config / "stack_store.db").is_file()
    assert Path(metadata_store.config.uri).is_relative_to(config)
    listing = run_zenml(["pipeline", "runs", "list"])
    assert listing.returncode == 0 and "r1" in listing.stdout, listing.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["we ird?x=1#frag%20", "work"]
    import sqlalchemy as sa

    assert sa.make_url(metadata_store.database_url).database == metadata_store.config.uri


def test_store_checks_never_open_the_database_file_themselves(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing any descriptor of a file drops the process's POSIX locks on it, so a
    header read beside a live SQLite connection let another process reset the WAL
    and lose committed writes (6 concurrent runs: about 1 in 10 lost a run's steps).
    The checks must look through ``stat`` and SQLite only."""
    import builtins
    import sqlite3

    from zenml.sql.sqlite import is_wal, sqlite_file_problem

    database = tmp_path / "live.db"
    live = sqlite3.connect(database)
    live.execute("PRAGMA journal_mode = WAL")
    live.execute("CREATE TABLE t (x INTEGER)")
    live.commit()
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def spy_os_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(file))
        return real_os_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    assert sqlite_file_problem(database) is None
    assert is_wal(database)
    monkeypatch.undo()
    live.close()
    assert [path for path in opened if path.startswith(str(database))] == []
    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(b"not a database, but long enough to have a header" * 4)
    assert "not a SQLite database" in (sqlite_file_problem(foreign) or "")
