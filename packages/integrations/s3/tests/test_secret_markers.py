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

import subprocess
import uuid
from pathlib import Path

import pytest

from zenml.testing.secrets import MarkerProbe, new_marker

from conftest import S3Server, run_zenml


class Markers(MarkerProbe):
    """The S3 credentials as markers; the real ``zenml`` executable's outputs kept."""

    def __init__(self, root: Path) -> None:
        self.key_id = f"AKIAMARKER{uuid.uuid4().hex[:10].upper()}"
        self.secret = new_marker()
        super().__init__(root, [self.key_id, self.secret])

    def zenml(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        """The real ``zenml`` executable; its output is kept for the grep."""
        done = self.keep(run_zenml(list(args)))
        assert (done.returncode == 0) is ok, (args, done.stdout, done.stderr)
        return done


@pytest.fixture
def markers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Markers:
    monkeypatch.setenv("ZENML_LOGGING_VERBOSITY", "DEBUG")  # the CLI's every log line too
    return Markers(tmp_path)


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
        markers: Markers, s3: S3Server, tmp_path: Path) -> None:
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

    deployment = tmp_path / "deployment.json"
    with m.selftest_process():
        done = m.python("-m", "zenml.testing.marker_pipeline", str(deployment))
    assert done.returncode == 0 and "completed" in done.stdout, done.stderr
    run_name = done.stdout.split()[0]
    # every artifact went through the credentials into the bucket
    assert len(s3.keys(f"zenml/marker_pipeline/{run_name}/")) == 2
    assert "s3_auth" in deployment.read_text()
    assert deployment.stat().st_mode & 0o777 == 0o600  # written privately
    # a remote orchestrator's path: the step entrypoint given the deployment file
    with m.selftest_process():
        done = m.python("-m", "zenml.execution.entrypoint", "--deployment", str(deployment),
                        "--step", "produce", "--run-name", "by-entrypoint")
    assert done.returncode == 0, done.stderr
    assert s3.keys("zenml/marker_pipeline/by-entrypoint/produce/"), (s3.keys(), done.stderr)

    # a run that fails while the credentials are in use: one error, no value in it
    m.zenml("stack", "set", "lost_store_stack")
    failed = m.python("-m", "zenml.testing.marker_pipeline",
                      str(tmp_path / "lost-deployment.json"))
    assert failed.returncode != 0
    assert "no-such-bucket-4b1d" in failed.stderr, failed.stderr

    m.scans(3)  # produce and consume in the run, produce by the entrypoint
    for key in s3.keys(prefix=""):  # every object of the bucket
        body = s3.client.get_object(Bucket=s3.bucket, Key=key)["Body"].read()
        assert not m.leaks(body), key
    secrets_files = list((tmp_path / "config" / "secrets").glob("*.json"))
    assert len(secrets_files) == 1 and "s3_auth" in secrets_files[0].read_text()
    m.assert_no_leaks(tmp_path, {"stack_store.db", "exported.yaml", "deployment.json",
                                 "s3_store.db"})
