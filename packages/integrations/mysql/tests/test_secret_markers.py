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

import json
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Server, run_zenml

PROBE = textwrap.dedent('''
    """A pipeline whose steps scan every process's command line for the markers."""
    import json
    import os
    import sys
    from pathlib import Path

    from zenml.pipelines import pipeline
    from zenml.repository import Repository
    from zenml.steps import step


    def scan() -> None:
        wanted = json.loads(Path(os.environ["PROBE_WANTED"]).read_text())
        found = {"processes": 0, "markers": 0, "selftest": 0}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                line = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            found["processes"] += 1
            found["markers"] += any(m.encode() in line for m in wanted["markers"])
            found["selftest"] += wanted["selftest"].encode() in line
        with open(os.environ["PROBE_OUT"], "a") as out:
            out.write(json.dumps(found) + "\\n")


    @step
    def produce() -> list:
        scan()
        return list(range(100))


    @step
    def consume(data: list) -> int:
        scan()
        return sum(data)


    @pipeline(enable_cache=False)
    def marker_pipeline(produce, consume):
        consume(produce())


    if __name__ == "__main__":
        instance = marker_pipeline(produce=produce(), consume=consume())
        deployment = instance.deployment(Repository().active_stack)
        Path(sys.argv[1]).write_text(deployment.to_json())
        run = instance.run()
        print(run.name, run.status.value)
''')


class Markers:
    """The marker password, the commands' outputs, and the probe's files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.password = f"MARKER-{uuid.uuid4()}"
        self.user = f"mk_{uuid.uuid4().hex[:10]}"
        self.outputs: list[str] = []
        self.probe_out = root / "probe.jsonl"
        self.selftest = f"SELFTEST-{uuid.uuid4()}"
        # the marker reaches the steps only in this file (the one file the grep skips)
        self.wanted = root / "probe-wanted.json"
        self.wanted.write_text(json.dumps({"markers": [self.password],
                                           "selftest": self.selftest}))
        self.wanted.chmod(0o600)
        self.env = {"PROBE_WANTED": str(self.wanted), "PROBE_OUT": str(self.probe_out),
                    "ZENML_LOGGING_VERBOSITY": "DEBUG"}  # every log line zenml has

    def zenml(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = run_zenml(list(args))
        self.outputs.append(done.stdout + done.stderr)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    def python(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                              timeout=300, env={**os.environ, **self.env})
        self.outputs.append(done.stdout + done.stderr)
        return done

    def leaks(self, data: str | bytes) -> bool:
        raw = data.encode() if isinstance(data, str) else data
        return self.password.encode() in raw


@pytest.fixture
def markers(tmp_path: Path, mysql: Server, database: str,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Markers]:
    """The markers, and a MariaDB user with the marker password that may use ``database``."""
    monkeypatch.setenv("ZENML_LOGGING_VERBOSITY", "DEBUG")  # the CLI's every log line too
    m = Markers(tmp_path)
    mysql.sql(f"CREATE USER '{m.user}'@'%' IDENTIFIED BY '{m.password}'",
              f"GRANT ALL ON `{database}`.* TO '{m.user}'@'%'")
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)",
                                m.selftest])
    yield m
    process.kill()
    process.wait(timeout=10)
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

    script = tmp_path / "work" / "marker_run.py"
    script.write_text(PROBE)
    deployment = tmp_path / "deployment.json"
    done = m.python(str(script), str(deployment))
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
    failed = m.python(str(script), str(tmp_path / "lost-deployment.json"))
    assert failed.returncode != 0
    assert forbidden in failed.stderr and m.user in failed.stderr, failed.stderr

    scans = [json.loads(line) for line in m.probe_out.read_text().splitlines()]
    assert len(scans) == 3  # produce and consume in the run, produce by the entrypoint
    for found in scans:
        assert found["processes"] > 2 and found["selftest"] == 1, found
        assert found["markers"] == 0, found
    for output in m.outputs:
        assert not m.leaks(output), output
    dump = repr(mysql.sql(f"SELECT * FROM `{database}`.zenml_md_pipeline_runs"))
    dump += repr(mysql.sql(f"SELECT * FROM `{database}`.zenml_md_step_runs"))
    assert "by-entrypoint" in dump and not m.leaks(dump)
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != m.wanted]
    assert {"stack_store.db", "exported.yaml", "deployment.json"} <= {p.name for p in files}
    assert list((tmp_path / "config" / "secrets").glob("*.json"))
    for path in files:
        assert not m.leaks(path.read_bytes()), path
