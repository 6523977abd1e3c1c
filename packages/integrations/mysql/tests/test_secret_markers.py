"""Nothing in clear on the way (issue 16, item 6), on the mysql stack (MariaDB).

A MariaDB user is created for the test with a marker password (new for every
test); the password is registered with the real ``zenml`` executable in a
``mysql`` secret on a ``local`` secrets manager and named by the metadata
store's ``secret``, so MariaDB refuses every connection made with anything
else. After a pipeline run and a failing run (a database the user may not
use), the marker must appear nowhere: not in any file under the test's folder
(stack store, its ``-wal``, the secrets file, the artifacts, the working
folder), not in ``zenml stack export``'s file, the deployment JSON, the step
entrypoint run from it, the metadata database's rows, any command's
stdout/stderr, nor any process's command line while the steps run.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from zenml.testing.secrets import MarkerProbe, new_marker

from conftest import Server, run_zenml


class Markers(MarkerProbe):
    """The marker password of a MariaDB user made for the test; commands' outputs kept."""

    def __init__(self, root: Path) -> None:
        self.password = new_marker()
        self.user = f"mk_{uuid.uuid4().hex[:10]}"
        super().__init__(root, [self.password])

    def zenml(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The real ``zenml`` executable; its output is kept for the grep."""
        done = self.keep(run_zenml(list(args)))
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done


@pytest.fixture
def markers(tmp_path: Path, mysql: Server, database: str,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Markers]:
    """The markers, and a MariaDB user with the marker password that may use ``database``."""
    monkeypatch.setenv("ZENML_LOGGING_VERBOSITY", "DEBUG")  # the CLI's every log line too
    m = Markers(tmp_path)
    mysql.sql(f"CREATE USER '{m.user}'@'%' IDENTIFIED BY '{m.password}'",
              f"GRANT ALL ON `{database}`.* TO '{m.user}'@'%'")
    with m.selftest_process():
        yield m
    mysql.sql(f"DROP USER IF EXISTS '{m.user}'@'%'")


def test_no_marker_anywhere_after_a_run_and_a_failing_run(
        markers: Markers, mysql: Server, database: str, tmp_path: Path) -> None:
    m = markers
    m.zenml("secrets-manager", "register", "local_secrets_manager", "--flavor=local")
    m.zenml("stack", "update", "default", "-x", "local_secrets_manager")
    m.zenml("secret", "register", "mysql_secret", "-s", "mysql", f"--user={m.user}",
            f"--password={m.password}")
    forbidden = f"zt_forbidden_{uuid.uuid4().hex[:8]}"
    for name, db in (("md", database), ("lost_md", forbidden)):
        m.zenml("metadata-store", "register", name, "--flavor=mysql", f"--host={mysql.host}",
                f"--port={mysql.port}", f"--database={db}", "--secret=mysql_secret")
        m.zenml("artifact-store", "register", f"{name}_arts", "--flavor=local",
                f"--path={tmp_path / f'{name}_arts'}")
        m.zenml("stack", "register", f"{name}_stack", "-o", "default", "-a", f"{name}_arts",
                "-m", name, "-x", "local_secrets_manager")
    m.zenml("stack", "set", "md_stack")
    assert "running" in m.zenml("stack", "up").stdout  # a login with the marker password
    for args in (("stack", "describe"), ("metadata-store", "describe", "md"),
                 ("secret", "list"), ("secret", "get", "mysql_secret")):
        m.zenml(*args)
    m.zenml("stack", "export", "md_stack", str(tmp_path / "exported.yaml"))
    assert "mysql_secret" in (tmp_path / "exported.yaml").read_text()

    deployment = tmp_path / "deployment.json"
    done = m.python("-m", "zenml.testing.marker_pipeline", str(deployment))
    assert done.returncode == 0 and "completed" in done.stdout, done.stderr
    assert "mysql_secret" in deployment.read_text()
    deployment.chmod(0o600)
    done = m.python("-m", "zenml.execution.entrypoint", "--deployment", str(deployment),
                    "--step", "produce", "--run-name", "by-entrypoint")
    assert done.returncode == 0, done.stderr
    runs = [row[0] for row in mysql.sql(f"SELECT name FROM `{database}`.zenml_md_pipeline_runs")]
    assert len(runs) == 2 and "by-entrypoint" in runs, runs

    # a run that fails while the password is in use: MariaDB refuses the database
    m.zenml("stack", "set", "lost_md_stack")
    failed = m.python("-m", "zenml.testing.marker_pipeline",
                      str(tmp_path / "lost-deployment.json"))
    assert failed.returncode != 0
    assert forbidden in failed.stderr and m.user in failed.stderr, failed.stderr

    m.scans(3)  # produce and consume in the run, produce by the entrypoint
    dump = repr(mysql.sql(f"SELECT * FROM `{database}`.zenml_md_pipeline_runs"))
    dump += repr(mysql.sql(f"SELECT * FROM `{database}`.zenml_md_step_runs"))
    assert "by-entrypoint" in dump and not m.leaks(dump)
    assert list((tmp_path / "config" / "secrets").glob("*.json"))
    m.assert_no_leaks(tmp_path, {"stack_store.db", "exported.yaml", "deployment.json"})
