"""MySQL's ``secret`` (a ``mysql`` secret holding user, password and ssl_*) as in the
original framework, and ``{{SECRET.KEY}}`` references, on MariaDB.

The password never reaches the stack store, the deployment or any file zenml
writes (the local secrets file holds it encrypted).
"""

from __future__ import annotations

from pathlib import Path

from test_metadata_store import run

from zenml.metadata_stores.records import ExecutionStatus
from zenml.repository import Repository

from conftest import PASSWORD, Server, Zen


def _manager(zen: Zen) -> None:
    zen("secrets-manager", "register", "local_secrets_manager", "--flavor=local")
    zen("stack", "update", "default", "-x", "local_secrets_manager")


def _files(root: Path) -> list[Path]:
    """Every file under the test's folder but the secrets key."""
    return [p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".key")]


def _stack(zen: Zen, mysql: Server, database: str, root: Path, *store: str) -> None:
    zen("metadata-store", "register", "s_md", "--flavor=mysql", f"--host={mysql.host}",
        f"--port={mysql.port}", f"--database={database}", *store)
    zen("artifact-store", "register", "s_arts", "--flavor=local", f"--path={root / 'arts'}")
    zen("stack", "register", "s", "-o", "default", "-a", "s_arts", "-m", "s_md",
        "-x", "local_secrets_manager", "--set")


def test_the_era_secret_field_runs_a_pipeline_without_the_password_anywhere(
        zen: Zen, mysql: Server, database: str, tmp_path: Path) -> None:
    _manager(zen)
    zen("secret", "register", "mysql_secret", "-s", "mysql", f"--user={mysql.user}",
        f"--password={mysql.password}")
    _stack(zen, mysql, database, tmp_path, "--secret=mysql_secret")
    first = run()
    assert first.status is ExecutionStatus.COMPLETED
    assert Repository().get_pipeline("mysql_pipeline").runs[-1].name == first.name
    deployment = Repository().active_stack
    assert deployment.metadata_store.config.username == mysql.user
    for path in _files(tmp_path):
        assert PASSWORD.encode() not in path.read_bytes(), path
    described = zen("metadata-store", "describe", "s_md").output
    assert "mysql_secret" in described and PASSWORD not in described


def test_references_in_the_fields_work_as_well(
        zen: Zen, mysql: Server, database: str, tmp_path: Path) -> None:
    _manager(zen)
    zen("secret", "register", "db", f"--login={mysql.user}", f"--pw={mysql.password}",
        f"--port={mysql.port}")
    _stack(zen, mysql, database, tmp_path, "--username={{db.login}}", "--password={{db.pw}}")
    zen("metadata-store", "update", "s_md", "--port={{db.port}}")  # an int field
    assert "running" in zen("stack", "up").output
    assert run().status is ExecutionStatus.COMPLETED
    for path in _files(tmp_path):
        assert PASSWORD.encode() not in path.read_bytes(), path


def test_secret_with_password_is_refused_and_a_user_is_needed(
        zen: Zen, mysql: Server, database: str) -> None:
    base = ("metadata-store", "register", "s_md", "--flavor=mysql", f"--host={mysql.host}",
            f"--database={database}")
    error = zen.error(*base, "--secret=mysql_secret", f"--password={PASSWORD}")
    assert "--secret" in error and "not both" in error and PASSWORD not in error
    assert "a username is needed" in zen.error(*base)


def test_stack_register_checks_the_secret_exists_with_the_mysql_schema(
        zen: Zen, mysql: Server, database: str, tmp_path: Path) -> None:
    _manager(zen)
    zen("metadata-store", "register", "s_md", "--flavor=mysql", f"--host={mysql.host}",
        f"--port={mysql.port}", f"--database={database}", "--secret=mysql_secret")
    zen("artifact-store", "register", "s_arts", "--flavor=local", f"--path={tmp_path / 'a'}")
    args = ("stack", "register", "s", "-o", "default", "-a", "s_arts", "-m", "s_md", "-x",
            "local_secrets_manager")
    warned = zen(*args).stderr  # the secret may come later: a warning naming the command
    assert warned.startswith("Warning: ") and "'zenml secret register mysql_secret -s mysql'" \
        in warned
    zen("stack", "delete", "s", "-y")
    zen("secret", "register", "mysql_secret", f"--user={mysql.user}")  # arbitrary
    assert "not 'mysql'" in zen.error(*args)
    zen("secret", "delete", "mysql_secret", "-y")
    zen("secret", "register", "mysql_secret", "-s", "mysql", f"--user={mysql.user}",
        f"--password={mysql.password}")
    zen(*args)
