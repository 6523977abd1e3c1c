"""The ``mysql`` metadata store against a real MariaDB: runs, caching, reads, many
processes, two databases on one server, and every way the server can fail."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from zenml.errors import MetadataStoreError
from zenml.metadata_stores.records import ExecutionStatus
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import BaseStepConfig, Output, step

from conftest import PASSWORD, Server, Zen, register_stack, run_zenml

#: What a failing store may take at most, end to end.
BOUND = 30.0
CALLS: list[str] = []
#: Step name -> something to do inside that step (stop or restart the server).
HOOKS: dict[str, Callable[[], None]] = {}


class TrainerConfig(BaseStepConfig):
    factor: int = 2


@step
def importer() -> Output(x=list, y=list):
    CALLS.append("importer")
    HOOKS.get("importer", lambda: None)()
    return [1, 2, 3], [2, 4, 6]


@step
def trainer(config: TrainerConfig, x: list, y: list) -> float:
    CALLS.append("trainer")
    HOOKS.get("trainer", lambda: None)()
    return sum(b / a for a, b in zip(x, y, strict=True)) / len(x) * config.factor


@step
def evaluator(model: float) -> str:
    CALLS.append("evaluator")
    return f"model={model}"


@pipeline
def mysql_pipeline(importer, trainer, evaluator):
    x, y = importer()
    evaluator(trainer(x=x, y=y))


def run(factor: int = 2, name: str | None = None) -> Any:
    return mysql_pipeline(importer=importer(), trainer=trainer(TrainerConfig(factor=factor)),
                          evaluator=evaluator()).run(run_name=name)


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    CALLS.clear()
    HOOKS.clear()
    yield
    HOOKS.clear()


def tables(server: Server, database: str) -> set[str]:
    return {row[0] for row in server.sql(f"SHOW TABLES FROM `{database}`")}


def count_runs(server: Server, database: str, status: str | None = None) -> int:
    where = f" WHERE status = '{status}'" if status else ""
    return int(server.sql(f"SELECT COUNT(*) FROM `{database}`.zenml_md_pipeline_runs{where}")
               [0][0])


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, stderr
    return errors[0]


# -- runs, caching, reads ------------------------------------------------------------------
def test_first_use_creates_the_tables_and_a_second_run_is_cached(
        zen: Zen, mysql: Server, database: str, tmp_path: Path) -> None:
    mysql.sql(f"CREATE TABLE `{database}`.not_zenml (id INT PRIMARY KEY)")
    register_stack(zen, "s", mysql, database, tmp_path)

    first = run()
    assert first.status is ExecutionStatus.COMPLETED
    assert CALLS == ["importer", "trainer", "evaluator"]
    assert tables(mysql, database) == {
        "not_zenml", "zenml_md_meta", "zenml_md_pipelines", "zenml_md_pipeline_runs",
        "zenml_md_step_runs", "zenml_md_artifacts", "zenml_md_step_inputs",
        "zenml_md_step_outputs", "zenml_md_alembic_version"}
    assert mysql.sql(f"SELECT value FROM `{database}`.zenml_md_meta "
                     f"WHERE `key` = 'schema_version'") == [("1",)]

    CALLS.clear()
    second = run()
    assert CALLS == []
    assert [s.status for s in second.steps] == [ExecutionStatus.CACHED] * 3
    assert second.get_step("evaluator").output.read() == "model=4.0"

    third = run(factor=3)  # a new parameter: the trainer and what follows run again
    assert CALLS == ["trainer", "evaluator"]
    assert [s.status.value for s in third.steps] == ["cached", "completed", "completed"]

    # post-execution reads, through a fresh Repository (a new engine)
    runs = Repository().get_pipeline("mysql_pipeline").runs
    assert [r.name for r in runs] == [first.name, second.name, third.name]
    latest = runs[-1]
    assert latest.status is ExecutionStatus.COMPLETED
    assert [s.name for s in latest.steps] == ["importer", "trainer", "evaluator"]
    assert latest.get_step("evaluator").output.read() == "model=6.0"
    assert latest.get_step("trainer").parameters == {"factor": 3}
    assert {k: v.read() for k, v in latest.get_step("trainer").inputs.items()} == {
        "x": [1, 2, 3], "y": [2, 4, 6]}
    assert {k: v.read() for k, v in runs[0].get_step("importer").outputs.items()} == {
        "x": [1, 2, 3], "y": [2, 4, 6]}
    assert count_runs(mysql, database, "completed") == 3

    listing = run_zenml(["pipeline", "runs", "list"])
    assert listing.returncode == 0, listing.stderr
    assert all(r.name in listing.stdout for r in runs) and "3 runs" in listing.stdout
    described = run_zenml(["pipeline", "runs", "describe", second.name])
    assert described.returncode == 0 and "cached" in described.stdout, described.stderr


def test_a_newer_schema_is_refused(zen: Zen, mysql: Server, database: str,
                                   tmp_path: Path) -> None:
    register_stack(zen, "s", mysql, database, tmp_path)
    zen("metadata-store", "up")  # creates the tables
    assert "zenml_md_meta" in tables(mysql, database)
    mysql.sql(f"UPDATE `{database}`.zenml_md_meta SET value = '99' "
              f"WHERE `key` = 'schema_version'")
    result = zen.fails("pipeline", "runs", "list")
    assert "newer" in result.stderr and f"database '{database}'" in result.stderr


def test_two_stores_share_a_server_with_different_databases(
        zen: Zen, mysql: Server, tmp_path: Path) -> None:
    first, second = mysql.create_database(), mysql.create_database()
    try:
        register_stack(zen, "one", mysql, first, tmp_path)
        register_stack(zen, "two", mysql, second, tmp_path)
        zen("stack", "set", "one")
        run(name="one-a")
        run(name="one-b")
        zen("stack", "set", "two")
        CALLS.clear()
        run(name="two-a")
        assert CALLS == ["importer", "trainer", "evaluator"]  # nothing cached from 'one'
        assert (count_runs(mysql, first), count_runs(mysql, second)) == (2, 1)
        one = zen("pipeline", "runs", "list", "--stack", "one").output
        two = zen("pipeline", "runs", "list").output
        assert "one-a" in one and "one-b" in one and "two-a" not in one
        assert "two-a" in two and "one-a" not in two
        # the coupling of each metadata store to its own artifact store
        result = zen.fails("stack", "register", "mixed", "-o", "default", "-a", "one_arts",
                           "-m", "two_md")
        assert "one" in result.stderr
    finally:
        mysql.sql(f"DROP DATABASE `{first}`", f"DROP DATABASE `{second}`")


SCRIPT = '''
import sys
from zenml.pipelines import pipeline
from zenml.steps import Output, step

@step
def produce() -> Output(a=int, b=int):
    return 2, 3

@step
def add(a: int, b: int) -> int:
    return a + b

@step
def report(total: int) -> str:
    return str(total)

@pipeline
def busy_pipeline(produce, add, report):
    a, b = produce()
    report(add(a, b))

worker, runs = sys.argv[1], int(sys.argv[2])
for i in range(runs):
    done = busy_pipeline(produce=produce(), add=add(), report=report()).run(
        run_name=f"w{worker}-{i}")
    assert done.get_step("report").output.read() == "5"
'''


def test_runs_from_concurrent_processes_all_land(
        zen: Zen, mysql: Server, database: str, tmp_path: Path) -> None:
    register_stack(zen, "s", mysql, database, tmp_path)
    script = tmp_path / "busy.py"
    script.write_text(SCRIPT)
    workers, runs = 6, 3
    # every process starts on a database without tables: they also race to create them
    processes = [subprocess.Popen([sys.executable, str(script), str(w), str(runs)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for w in range(workers)]
    outputs = [p.communicate(timeout=120) for p in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    assert count_runs(mysql, database) == workers * runs
    assert count_runs(mysql, database, "completed") == workers * runs
    store = Repository().active_stack.metadata_store
    names = {r.name for r in store.get_runs()}
    assert names == {f"w{w}-{i}" for w in range(workers) for i in range(runs)}
    steps = [s for r in store.get_runs() for s in store.get_step_runs(r.id)]
    assert len(steps) == 3 * workers * runs
    assert {s.status for s in steps} <= {ExecutionStatus.COMPLETED, ExecutionStatus.CACHED}
    store.dispose()


PROVISION = """
import sys, time
from zenml_mysql.flavors import MySQLMetadataStoreConfig
from zenml_mysql.metadata_store import MySQLMetadataStore

host, port, database, user, password, start_at = sys.argv[1:]
config = MySQLMetadataStoreConfig(host=host, port=int(port), database=database,
                                  username=user, password=password)
store = MySQLMetadataStore(name="m", id="1", flavor="mysql", config=config)
time.sleep(max(0.0, float(start_at) - time.time()))
store.provision()
"""


def test_processes_creating_the_tables_at_once_take_turns(
        mysql: Server, tmp_path: Path) -> None:
    script = tmp_path / "provision.py"
    script.write_text(PROVISION)
    databases = [mysql.create_database() for _ in range(2)]
    try:
        start_at = time.time() + 2.0  # after every process has imported what it needs
        processes = [subprocess.Popen(
            [sys.executable, str(script), mysql.host, str(mysql.port), database, mysql.user,
             mysql.password, str(start_at)], stderr=subprocess.PIPE, text=True)
            for database in databases for _ in range(5)]
        for process in processes:
            _, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
        for database in databases:
            assert len(tables(mysql, database)) == 8  # with zenml_md_alembic_version
            assert mysql.sql(f"SELECT value FROM `{database}`.zenml_md_meta") == [("1",)]
    finally:
        mysql.sql(*[f"DROP DATABASE `{database}`" for database in databases])


# -- failures -----------------------------------------------------------------------------
def _hung_listener() -> socket.socket:
    """A port that accepts TCP connections and never answers (a hung server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    return listener


def test_bad_stores_end_runs_list_with_one_line_in_bounded_time(
        zen: Zen, mysql: Server, database: str, tmp_path: Path) -> None:
    listener = _hung_listener()
    with socket.socket() as probe:  # a port where nothing listens: a stopped server
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    register_stack(zen, "wrong_password", mysql, database, tmp_path,
                   password="not-the-password")
    register_stack(zen, "missing_database", mysql, "zt_no_such_database", tmp_path)
    register_stack(zen, "stopped", mysql, database, tmp_path, host="127.0.0.1",
                   port=str(closed_port))
    register_stack(zen, "hung", mysql, database, tmp_path, host="127.0.0.1",
                   port=str(listener.getsockname()[1]))
    cases = {
        "wrong_password": (mysql.port, database, "refused the login of user"),
        "missing_database": (mysql.port, "zt_no_such_database", "does not exist"),
        "stopped": (closed_port, database, "Connection refused"),
        "hung": (listener.getsockname()[1], database, "did not answer within 20 s"),
    }
    try:
        # all at once: the hung server's 20 s are the longest wait
        started = time.monotonic()
        processes = {name: subprocess.Popen(
            [str(Path(sys.executable).with_name("zenml")), "pipeline", "runs", "list",
             "--stack", name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name in cases}
        for name, process in processes.items():
            out, err = process.communicate(timeout=60)
            elapsed = time.monotonic() - started
            port, db, cause = cases[name]
            assert process.returncode == 1, (name, out, err)
            line = one_error_line(err)
            assert elapsed < BOUND, (name, elapsed)
            assert f"on 127.0.0.1:{port} " in line and f"database '{db}'" in line, line
            assert cause in line, line
            assert mysql.password not in out + err and "not-the-password" not in out + err
    finally:
        listener.close()


def test_missing_privileges_are_named(zen: Zen, mysql: Server, database: str,
                                     tmp_path: Path) -> None:
    mysql.sql("CREATE USER 'nothing'@'%' IDENTIFIED BY 'pw'",
              "CREATE USER 'reader'@'%' IDENTIFIED BY 'pw'",
              f"GRANT SELECT ON `{database}`.* TO 'reader'@'%'")
    try:
        register_stack(zen, "nothing", mysql, database, tmp_path, username="nothing",
                       password="pw")
        result = zen.fails("pipeline", "runs", "list")
        assert "may not use database" in result.stderr and "1044" in result.stderr
        assert f"GRANT ALL ON `{database}`.* TO 'nothing'@'%'" in result.stderr
        register_stack(zen, "reader", mysql, database, tmp_path, username="reader",
                       password="pw")
        result = zen.fails("pipeline", "runs", "list")
        assert "lacks a privilege" in result.stderr and "CREATE command denied" in result.stderr
    finally:
        mysql.sql("DROP USER 'nothing'@'%'", "DROP USER 'reader'@'%'")


def test_a_run_with_a_wrong_password_fails_at_once(
        zen: Zen, mysql: Server, database: str, tmp_path: Path) -> None:
    register_stack(zen, "s", mysql, database, tmp_path, password="nope")
    started = time.monotonic()
    with pytest.raises(MetadataStoreError) as caught:
        run()
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert "\n" not in message and "1045" in message and f"database '{database}'" in message
    assert CALLS == []  # no step ran without a metadata store
    up = zen.fails("metadata-store", "up")
    assert up.stderr.count("Metadata store 's_md'") == 1 and "1045" in up.stderr


def test_a_server_stopped_mid_run_fails_the_run_with_one_line(
        zen: Zen, own_mysql: Server, tmp_path: Path) -> None:
    server = own_mysql.own
    assert server is not None
    database = own_mysql.create_database()
    register_stack(zen, "s", own_mysql, database, tmp_path)
    HOOKS["trainer"] = server.stop
    started = time.monotonic()
    with pytest.raises(MetadataStoreError) as caught:
        run(name="interrupted")
    assert time.monotonic() - started < BOUND
    message = str(caught.value)
    assert "\n" not in message and f"127.0.0.1:{own_mysql.port}" in message
    assert f"database '{database}'" in message and "Connection refused" in message
    assert CALLS == ["importer", "trainer"]

    listing = run_zenml(["pipeline", "runs", "list"], timeout=BOUND)
    assert listing.returncode == 1
    assert "Connection refused" in one_error_line(listing.stderr)

    # back up: what was committed before the stop is all there, nothing half-written
    HOOKS.clear()
    server.start()
    rows = own_mysql.sql(f"SELECT s.name, s.status FROM `{database}`.zenml_md_step_runs s "
                         f"ORDER BY s.started")
    assert rows == [("importer", "completed"), ("trainer", "running")]
    assert own_mysql.sql(f"SELECT COUNT(*) FROM `{database}`.zenml_md_artifacts") == [(2,)]
    CALLS.clear()
    again = run(name="again")
    assert again.status is ExecutionStatus.COMPLETED and CALLS == ["trainer", "evaluator"]


def test_tls_against_a_server_without_tls_is_refused(
        own_mysql: Server, certificates: Any) -> None:
    database = own_mysql.create_database()
    store = tls_store(own_mysql, database, ssl_ca=str(certificates.ca))
    with pytest.raises(MetadataStoreError) as caught:
        tls_version(store)
    assert "does not offer TLS" in str(caught.value) and "2026" in str(caught.value)


def test_a_connection_dropped_mid_run_is_replaced(
        zen: Zen, own_mysql: Server, tmp_path: Path) -> None:
    server = own_mysql.own
    assert server is not None
    database = own_mysql.create_database()
    register_stack(zen, "s", own_mysql, database, tmp_path)
    old_pid = server.pid
    HOOKS["trainer"] = server.restart  # every pooled connection dies with the old server
    done = run()
    assert server.pid != old_pid
    assert done.status is ExecutionStatus.COMPLETED
    assert [s.status for s in done.steps] == [ExecutionStatus.COMPLETED] * 3
    assert done.get_step("evaluator").output.read() == "model=4.0"


# -- the CLI never shows the password --------------------------------------------------------
def test_describe_and_list_never_print_the_password(
        mysql: Server, database: str, tmp_path: Path) -> None:
    register = run_zenml(["metadata-store", "register", "m", "--flavor=mysql",
                          *mysql.store_options(database)])
    assert register.returncode == 0, register.stderr
    for args in (["artifact-store", "register", "a", "--flavor=local", f"--path={tmp_path}/a"],
                 ["stack", "register", "s", "-o", "default", "-a", "a", "-m", "m", "--set"]):
        assert run_zenml(args).returncode == 0
    for args in (["metadata-store", "describe"], ["metadata-store", "describe", "m"],
                 ["metadata-store", "list"], ["stack", "describe"], ["stack", "list"],
                 ["metadata-store", "up"], ["pipeline", "runs", "list"]):
        shown = run_zenml(args)
        assert shown.returncode == 0, (args, shown.stderr)
        assert PASSWORD not in shown.stdout + shown.stderr, args
        assert mysql.password not in shown.stdout + shown.stderr, args
    described = run_zenml(["metadata-store", "describe", "m"]).stdout
    assert "********" in described and database in described


# -- TLS ----------------------------------------------------------------------------------
def tls_store(server: Server, database: str, **values: Any) -> Any:
    from zenml_mysql.flavors import MySQLMetadataStoreConfig
    from zenml_mysql.metadata_store import MySQLMetadataStore

    base: dict[str, Any] = {"host": server.host, "port": server.port, "database": database,
                            "username": server.user, "password": server.password}
    config = MySQLMetadataStoreConfig.model_validate({**base, **values})
    return MySQLMetadataStore(name="tls", id="1", flavor="mysql", config=config)


def tls_version(store: Any) -> str:
    from sqlalchemy import text

    try:
        with store.engine.connect() as conn:
            row = conn.execute(text("SHOW SESSION STATUS LIKE 'Ssl_version'")).first()
        return str(row[1]) if row else ""
    finally:
        store.dispose()


def test_only_a_connection_left_idle_is_pinged_before_use(
        mysql: Server, database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import pymysql
    from zenml_mysql.metadata_store import PING_AFTER_IDLE

    pings: list[float] = []
    real_ping = pymysql.connections.Connection.ping

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        pings.append(time.monotonic())
        return real_ping(self, *args, **kwargs)

    monkeypatch.setattr(pymysql.connections.Connection, "ping", counted)
    store = tls_store(mysql, database)
    try:
        for _ in range(5):  # back to back, as a run's steps: no ping
            store.count_runs()
        assert pings == []
        time.sleep(PING_AFTER_IDLE + 0.05)
        store.count_runs()
        assert len(pings) == 1
        with store.engine.connect() as conn:  # the pooled connection, which the server
            victim = conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar()  # then drops
        killer = tls_store(mysql, database)
        try:
            with killer.engine.connect() as conn:
                conn.exec_driver_sql(f"KILL CONNECTION {int(victim)}")
        finally:
            killer.dispose()
        time.sleep(PING_AFTER_IDLE + 0.05)
        assert store.count_runs() == 0  # pinged, found dead, replaced: no error
        assert len(pings) >= 2
    finally:
        store.dispose()


def test_tls_with_the_servers_ca_is_verified(tls_mysql: Server, database: str) -> None:
    certs = tls_mysql.own.certificates if tls_mysql.own else None
    assert certs is not None
    assert tls_version(tls_store(tls_mysql, database, ssl_ca=str(certs.ca))).startswith("TLS")
    pem = certs.ca.read_text()
    assert tls_version(tls_store(tls_mysql, database, ssl_ca=pem)).startswith("TLS")

    wrong = tls_store(tls_mysql, database, ssl_ca=str(certs.other_ca))
    with pytest.raises(MetadataStoreError) as caught:
        tls_version(wrong)
    message = str(caught.value)
    assert "\n" not in message and "CERTIFICATE_VERIFY_FAILED" in message
    assert "--ssl_ca" in message and f"127.0.0.1:{tls_mysql.port}" in message
    unchecked = tls_store(tls_mysql, database, ssl_ca=str(certs.other_ca),
                          ssl_verify_server_cert=False)
    assert tls_version(unchecked).startswith("TLS")

    missing = tls_store(tls_mysql, database, ssl_ca=str(certs.ca) + ".missing")
    with pytest.raises(MetadataStoreError, match=r"ssl_ca file .*ca\.pem\.missing cannot be "
                                                 r"read \(No such file or directory\)"):
        tls_version(missing)


def test_client_certificates_log_in_users_that_require_them(
        tls_mysql: Server, database: str) -> None:
    certs = tls_mysql.own.certificates if tls_mysql.own else None
    assert certs is not None
    tls_mysql.sql("CREATE USER 'x509'@'%' IDENTIFIED BY 'pw' REQUIRE X509",
                  f"GRANT ALL ON `{database}`.* TO 'x509'@'%'")
    try:
        without = tls_store(tls_mysql, database, username="x509", password="pw",
                            ssl_ca=str(certs.ca))
        with pytest.raises(MetadataStoreError, match="1045"):
            tls_version(without)
        with_cert = tls_store(tls_mysql, database, username="x509", password="pw",
                              ssl_ca=str(certs.ca), ssl_cert=str(certs.client_cert),
                              ssl_key=certs.client_key.read_text())
        assert tls_version(with_cert).startswith("TLS")
        # a key without its certificate is refused with the config (test_checks_stack_up)
        with pytest.raises(ValueError, match="a client key needs its certificate"):
            tls_store(tls_mysql, database, ssl_key=str(certs.client_key))
    finally:
        tls_mysql.sql("DROP USER 'x509'@'%'")


def test_a_pipeline_runs_over_tls(zen: Zen, tls_mysql: Server, database: str,
                                  tmp_path: Path) -> None:
    certs = tls_mysql.own.certificates if tls_mysql.own else None
    assert certs is not None
    # @FILE puts the PEM text itself in the configuration
    register_stack(zen, "s", tls_mysql, database, tmp_path, ssl_ca=f"@{certs.ca}")
    assert run().status is ExecutionStatus.COMPLETED
    store = Repository().active_stack.metadata_store
    assert store.config.ssl_ca == certs.ca.read_text()
    assert tls_version(store).startswith("TLS")

