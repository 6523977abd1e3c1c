"""S3's ``authentication_secret`` (an ``aws`` secret) as in the original framework,
and ``{{SECRET.KEY}}`` references in the s3 store's fields, on moto.

The era's documented workflow runs verbatim (``secrets-manager register``,
``secret register -s aws``, ``artifact-store register --authentication_secret``,
a pipeline run); the credentials never reach the stack store or the deployment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_pipelines import make

from zenml.execution.deployment import Deployment
from zenml.metadata_stores.records import ExecutionStatus
from zenml.repository import Repository
from zenml.secrets_managers.references import SecretReference, secret_env_var

from conftest import S3Server, Zen

# marker credentials (moto accepts any): they must appear nowhere but the secrets file
KEY_ID, SECRET_KEY = "AKIAMARKER7Q2ZX", "marker-secret-9f3a1c77"


def _manager(zen: Zen) -> None:
    zen("secrets-manager", "register", "local_secrets_manager", "--flavor=local")
    zen("stack", "update", "default", "-x", "local_secrets_manager")


def _era_stack(zen: Zen, s3: S3Server, tmp_path: Path) -> None:
    """The era's commands: a secrets manager, an aws secret, an s3 store naming it."""
    _manager(zen)
    zen("secret", "register", "s3_auth", "-s", "aws", f"--aws_access_key_id={KEY_ID}",
        f"--aws_secret_access_key={SECRET_KEY}")
    zen("artifact-store", "register", "s3_store", "--flavor=s3",
        f"--path=s3://{s3.bucket}/zenml", f'--client_kwargs={{"endpoint_url": "{s3.url}"}}',
        "--authentication_secret=s3_auth")
    zen("metadata-store", "register", "s3_meta", "--flavor=sqlite",
        f"--uri={tmp_path / 's3_meta.db'}")
    zen("stack", "register", "s3_stack", "-o", "default", "-a", "s3_store", "-m", "s3_meta",
        "-x", "local_secrets_manager", "--set")


def _config_files(tmp_path: Path) -> list[Path]:
    """Every file under the test's folder but the secrets key (the encrypted secrets
    file included)."""
    return [p for p in tmp_path.rglob("*") if p.is_file() and not p.name.endswith(".key")]


def test_the_era_workflow_runs_a_pipeline_with_credentials_from_the_secret(
        zen: Zen, s3: S3Server, tmp_path: Path) -> None:
    _era_stack(zen, s3, tmp_path)
    store = Repository().active_stack.artifact_store
    assert store.config.key is not None and store.config.key.get_secret_value() == KEY_ID
    run = make().run()
    assert run.status is ExecutionStatus.COMPLETED
    assert run.get_step("summarise").outputs["total"].read() == 499500.0 * 7
    assert len(s3.keys(f"zenml/s3_pipeline/{run.name}/")) == 4
    # the stack store, the metadata store, every file zenml wrote: no credential
    for path in _config_files(tmp_path):
        data = path.read_bytes()
        assert KEY_ID.encode() not in data and SECRET_KEY.encode() not in data, path
    described = zen("artifact-store", "describe", "s3_store").output
    assert "s3_auth" in described and SECRET_KEY not in described


def test_a_pod_step_reads_the_values_from_the_orchestrators_environment(
        zen: Zen, s3: S3Server, tmp_path: Path) -> None:
    _era_stack(zen, s3, tmp_path)
    deployment: Deployment = make().deployment(Repository().active_stack)
    text = deployment.to_json()
    assert KEY_ID not in text and SECRET_KEY not in text and "s3_auth" in text
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env["ZENML_CONFIG_PATH"] = str(tmp_path / "empty-pod-config")  # no secrets manager here
    env[secret_env_var(SecretReference("s3_auth", "aws_access_key_id"))] = KEY_ID
    env[secret_env_var(SecretReference("s3_auth", "aws_secret_access_key"))] = SECRET_KEY
    done = subprocess.run(
        [sys.executable, "-m", "zenml.execution.entrypoint", "--deployment-json", text,
         "--step", "count"], capture_output=True, text=True, timeout=120, cwd="/", env=env)
    assert done.returncode == 0, done.stderr
    assert s3.keys(f"zenml/s3_pipeline/{deployment.run_name}/count/")
    assert KEY_ID not in done.stderr + done.stdout


def test_authentication_secret_and_key_together_are_refused(
        zen: Zen, s3: S3Server) -> None:
    error = zen.error("artifact-store", "register", "s3_store", "--flavor=s3",
                      f"--path=s3://{s3.bucket}", "--authentication_secret=s3_auth",
                      f"--key={KEY_ID}", f"--secret={SECRET_KEY}")
    assert "--authentication_secret" in error and "not both" in error
    assert KEY_ID not in error and SECRET_KEY not in error


def test_stack_register_checks_the_secret_and_its_schema(
        zen: Zen, s3: S3Server, tmp_path: Path) -> None:
    _manager(zen)
    zen("artifact-store", "register", "s3_store", "--flavor=s3",
        f"--path=s3://{s3.bucket}/zenml", "--authentication_secret=s3_auth")
    zen("metadata-store", "register", "s3_meta", "--flavor=sqlite",
        f"--uri={tmp_path / 's3_meta.db'}")
    args = ("stack", "register", "s3_stack", "-o", "default", "-a", "s3_store", "-m",
            "s3_meta", "-x", "local_secrets_manager")
    warned = zen(*args).stderr  # the secret may come later: a warning naming the command
    assert warned.startswith("Warning: ")
    assert ("'zenml secret register s3_auth -s aws --aws_access_key_id=... "
            "--aws_secret_access_key=...'") in warned
    zen("stack", "delete", "s3_stack", "-y")
    zen("secret", "register", "s3_auth", f"--aws_access_key_id={KEY_ID}")  # arbitrary
    error = zen.error(*args)
    assert "is a 'arbitrary' secret, not 'aws'" in error and KEY_ID not in error
    zen("secret", "delete", "s3_auth", "-y")
    zen("secret", "register", "s3_auth", "-s", "aws", f"--aws_access_key_id={KEY_ID}",
        f"--aws_secret_access_key={SECRET_KEY}")
    zen(*args)


def test_references_in_the_key_fields_work_as_well(
        zen: Zen, s3: S3Server, tmp_path: Path) -> None:
    _manager(zen)
    zen("secret", "register", "creds", f"--id={KEY_ID}", f"--secret={SECRET_KEY}")
    zen("artifact-store", "register", "s3_store", "--flavor=s3",
        f"--path=s3://{s3.bucket}/zenml", f'--client_kwargs={{"endpoint_url": "{s3.url}"}}',
        "--key={{creds.id}}", "--secret={{creds.secret}}")
    zen("metadata-store", "register", "s3_meta", "--flavor=sqlite",
        f"--uri={tmp_path / 's3_meta.db'}")
    zen("stack", "register", "s3_stack", "-o", "default", "-a", "s3_store", "-m", "s3_meta",
        "-x", "local_secrets_manager", "--set")
    assert "running" in zen("stack", "up").output
    run = make(size=10).run()
    assert run.status is ExecutionStatus.COMPLETED
    for path in _config_files(tmp_path):
        assert SECRET_KEY.encode() not in path.read_bytes(), path
