"""Nothing in clear on the way (issue 16, item 6), on the s3 stack (moto).

Marker values (new for every test) are the S3 credentials, registered with the
real ``zenml`` executable on a ``local`` secrets manager and named by the store's
``authentication_secret``. After a pipeline run (every step reads and writes the
bucket through those credentials) and a failing run (a missing bucket), the
markers must appear nowhere: not in any file under the test's folder (config
folder: stack store, its ``-wal``, the secrets file; the sqlite metadata store;
the working folder), not in ``zenml stack export``'s file, the deployment JSON a
remote orchestrator would ship, the step entrypoint run from that file, the
objects in the bucket, any command's stdout/stderr, nor any process's command
line while the steps run (the steps scan ``/proc/*/cmdline`` themselves).
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

from conftest import S3Server, run_zenml

PROBE = textwrap.dedent('''
    """A pipeline whose steps go through the store and scan every process's command line."""
    import json
    import os
    import sys
    from pathlib import Path

    from zenml.pipelines import pipeline
    from zenml.repository import Repository
    from zenml.steps import step


    def scan() -> None:
        """Count the processes whose command line holds a marker or the self-test word."""
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
    """The credentials, the commands' outputs, and the probe's files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.key_id = f"AKIAMARKER{uuid.uuid4().hex[:10].upper()}"
        self.secret = f"MARKER-{uuid.uuid4()}"
        self.values = (self.key_id, self.secret)
        self.outputs: list[str] = []
        self.probe_out = root / "probe.jsonl"
        # the markers reach the steps only in this file (the one file the grep skips)
        wanted = self.wanted = root / "probe-wanted.json"
        wanted.write_text(json.dumps({"markers": list(self.values),
                                      "selftest": f"SELFTEST-{uuid.uuid4()}"}))
        wanted.chmod(0o600)
        self.selftest = json.loads(wanted.read_text())["selftest"]
        self.env = {"PROBE_WANTED": str(wanted), "PROBE_OUT": str(self.probe_out),
                    "ZENML_LOGGING_VERBOSITY": "DEBUG"}  # every log line zenml has

    def zenml(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        """The real ``zenml`` executable; its output is kept for the grep."""
        done = run_zenml(list(args))
        self.outputs.append(done.stdout + done.stderr)
        assert (done.returncode == 0) is ok, (args, done.stdout, done.stderr)
        return done

    def python(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``python ARGS`` in the working folder, output kept."""
        done = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                              timeout=300, env={**os.environ, **self.env})
        self.outputs.append(done.stdout + done.stderr)
        return done

    def leaks(self, data: str | bytes) -> list[str]:
        """The markers found in ``data``."""
        raw = data.encode() if isinstance(data, str) else data
        return [value for value in self.values if value.encode() in raw]


@pytest.fixture
def markers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Markers:
    monkeypatch.setenv("ZENML_LOGGING_VERBOSITY", "DEBUG")  # the CLI's every log line too
    return Markers(tmp_path)


@pytest.fixture
def selftest_process(markers: Markers) -> Iterator[None]:
    """A process with the self-test word on its command line: proves the scan sees others."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)",
                                markers.selftest])
    yield
    process.kill()
    process.wait(timeout=10)


def _register(m: Markers, s3: S3Server, tmp_path: Path) -> None:
    m.zenml("secrets-manager", "register", "local_secrets_manager", "--flavor=local")
    m.zenml("stack", "update", "default", "-x", "local_secrets_manager")
    m.zenml("secret", "register", "s3_auth", "-s", "aws",
            f"--aws_access_key_id={m.key_id}", f"--aws_secret_access_key={m.secret}")
    endpoint = f'--client_kwargs={{"endpoint_url": "{s3.url}"}}'
    for name, bucket in (("s3_store", s3.bucket), ("lost_store", "no-such-bucket-4b1d")):
        m.zenml("artifact-store", "register", name, "--flavor=s3",
                f"--path=s3://{bucket}/zenml", endpoint, "--authentication_secret=s3_auth")
        m.zenml("metadata-store", "register", f"{name}_meta", "--flavor=sqlite",
                f"--uri={tmp_path / f'{name}.db'}")
        m.zenml("stack", "register", f"{name}_stack", "-o", "default", "-a", name,
                "-m", f"{name}_meta", "-x", "local_secrets_manager")


def test_no_marker_anywhere_after_a_run_and_a_failing_run(
        markers: Markers, s3: S3Server, tmp_path: Path, selftest_process: None) -> None:
    m = markers
    _register(m, s3, tmp_path)
    m.zenml("stack", "set", "s3_store_stack")
    assert "running" in m.zenml("stack", "up").stdout  # a signed ListObjectsV2 with them
    for args in (("stack", "describe"), ("artifact-store", "describe", "s3_store"),
                 ("secret", "list"), ("secret", "get", "s3_auth"), ("stack", "list")):
        m.zenml(*args)
    m.zenml("stack", "export", "s3_store_stack", str(tmp_path / "exported.yaml"))
    exported = (tmp_path / "exported.yaml").read_text()
    assert "s3_auth" in exported and "aws_secret_access_key" in exported

    script = tmp_path / "work" / "marker_run.py"
    script.write_text(PROBE)
    deployment = tmp_path / "deployment.json"
    done = m.python(str(script), str(deployment))
    assert done.returncode == 0 and "completed" in done.stdout, done.stderr
    run_name = done.stdout.split()[0]
    # every artifact went through the credentials into the bucket
    assert len(s3.keys(f"zenml/marker_pipeline/{run_name}/")) == 2
    assert "s3_auth" in deployment.read_text()
    # a remote orchestrator's path: the step entrypoint given the deployment file
    deployment.chmod(0o600)
    done = m.python("-m", "zenml.execution.entrypoint", "--deployment", str(deployment),
                    "--step", "produce", "--run-name", "by-entrypoint")
    assert done.returncode == 0, done.stderr
    assert s3.keys("zenml/marker_pipeline/by-entrypoint/produce/"), (s3.keys(), done.stderr)

    # a run that fails while the credentials are in use: one error, no value in it
    m.zenml("stack", "set", "lost_store_stack")
    failed = m.python(str(script), str(tmp_path / "lost-deployment.json"))
    assert failed.returncode != 0
    assert "no-such-bucket-4b1d" in failed.stderr, failed.stderr

    scans = [json.loads(line) for line in m.probe_out.read_text().splitlines()]
    assert len(scans) == 3  # produce and consume in the run, produce by the entrypoint
    for found in scans:
        assert found["processes"] > 2 and found["selftest"] == 1, found
        assert found["markers"] == 0, found
    for output in m.outputs:
        assert not m.leaks(output), output
    for key in s3.keys(prefix=""):  # every object of the bucket
        body = s3.client.get_object(Bucket=s3.bucket, Key=key)["Body"].read()
        assert not m.leaks(body), key
    secrets_files = list((tmp_path / "config" / "secrets").glob("*.json"))
    assert len(secrets_files) == 1 and "s3_auth" in secrets_files[0].read_text()
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != m.wanted]
    assert {"stack_store.db", "exported.yaml", "deployment.json", "s3_store.db"} <= {
        p.name for p in files}
    for path in files:
        assert not m.leaks(path.read_bytes()), path
