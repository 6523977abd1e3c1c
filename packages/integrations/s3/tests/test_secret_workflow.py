"""The original framework's documented secrets workflow, typed as its docs write it, and a
stack shared between two config folders as a new user would share it (issue 16, "Done
when"), on moto.

The commands come from the 0.10-era docs (``zenml-io/zenml``): the CLI reference
(``src/zenml/cli/__init__.py``: "Setting up a Secrets Manager", "Using Secrets",
"Administering the Stack"), the S3 artifact store page
(``docs/book/mlops_stacks/artifact_stores/amazon_s3.md``, "Secrets Manager
(Recommended)") and the secrets manager overview (a step reading a secret through
``context.stack.secrets_manager``). They run in ``bash`` through the real ``zenml``
executable; only names, values, the bucket and the endpoint differ. The MySQL page
(``metadata_stores/mysql.md``) writes the steps in another order: see the last test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from conftest import S3Server

ERA_PIPELINE = textwrap.dedent('''
    import numpy as np

    from zenml.pipelines import pipeline
    from zenml.steps import Output, StepContext, step


    @step
    def importer() -> Output(data=np.ndarray):
        return np.arange(1000, dtype=np.float64)


    @step(enable_cache=False)
    def secret_loader(context: StepContext) -> list:
        """Load the secret from the active secrets manager (the era's overview page)."""
        retrieved_secret = context.stack.secrets_manager.get_secret("s3_secret")
        return sorted(retrieved_secret.content)  # the keys, never a value


    @step
    def trainer(data: np.ndarray, keys: list) -> float:
        return float(data.sum()) * len(keys)


    @pipeline
    def era_secrets_pipeline(importer, secret_loader, trainer):
        data = importer()
        trainer(data, secret_loader())


    if __name__ == "__main__":
        run = era_secrets_pipeline(importer=importer(), secret_loader=secret_loader(),
                                   trainer=trainer()).run()
        print(run.status.value, run.get_step("trainer").output.read(), run.name)
''')


def bash(script: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``script`` in bash (``set -e``), the environment's ``zenml`` first on PATH."""
    env = {**os.environ,
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


class Era:
    """The values the era's commands are typed with."""

    def __init__(self, s3: S3Server, tmp_path: Path) -> None:
        self.s3, self.tmp_path = s3, tmp_path
        self.work = tmp_path / "work"
        self.key_id = f"AKIAERA{uuid.uuid4().hex[:12].upper()}"
        self.secret = f"era-secret-{uuid.uuid4()}"
        self.token = f"era-token-{uuid.uuid4()}"
        (self.work / "run.py").write_text(ERA_PIPELINE)

    def assert_store_resolves(self) -> None:
        """The active stack's s3 store gets this secret's values (moto checks none)."""
        from zenml.repository import Repository

        config = Repository().active_stack.artifact_store.config
        assert config.key is not None and config.key.get_secret_value() == self.key_id
        assert config.secret is not None and config.secret.get_secret_value() == self.secret

    def run_pipeline(self) -> list[str]:
        """``python run.py``: the status, the trainer's output, the run's name."""
        done = subprocess.run([sys.executable, "run.py"], cwd=self.work, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert self.secret not in done.stdout + done.stderr
        return done.stdout.split()

    def assert_no_value_in_files(self) -> None:
        """The stack store, the metadata store, the export: no value in clear."""
        for path in self.tmp_path.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for value in (self.key_id, self.secret, self.token):
                    assert value.encode() not in data, path


def test_the_era_cli_reference_and_s3_page_verbatim(s3: S3Server, tmp_path: Path) -> None:
    era = Era(s3, tmp_path)
    uri = tmp_path / "s3_metadata.db"
    # "Setting up a Secrets Manager" / "Using Secrets": first the manager and a stack with it
    # (-x), then the secret (the S3 page's form); then the S3 page's store naming it
    done = bash(textwrap.dedent(f"""\
        zenml secrets-manager register secrets_manager --flavor=local
        zenml stack register secrets_stack \\
               -m default \\
               -a default \\
               -o default -x secrets_manager --set
        zenml secret register s3_secret -s aws \\
            --aws_access_key_id='{era.key_id}' \\
            --aws_secret_access_key='{era.secret}' \\
            --aws_session_token='{era.token}'
        zenml secret list
        zenml secret get s3_secret
        zenml artifact-store register s3_store -f s3 \\
            --path='s3://{s3.bucket}' \\
            --authentication_secret=s3_secret \\
            --client_kwargs='{{"endpoint_url": "{s3.url}", "region_name":"us-east-1"}}'
        zenml metadata-store register s3_metadata_store --flavor=sqlite --uri={uri}
        zenml stack register s3_stack -m s3_metadata_store -a s3_store -o default \\
            -x secrets_manager --set
        zenml stack get
        """), era.work)
    assert done.returncode == 0, done.stderr
    assert "s3_secret" in done.stdout and "aws_session_token" in done.stdout
    assert era.secret not in done.stdout + done.stderr
    era.assert_store_resolves()
    status, total, run_name = era.run_pipeline()
    assert status == "completed"
    assert float(total) == 499500.0 * 3  # three keys: aws_access_key_id, _secret_, _session_
    assert s3.keys(f"era_secrets_pipeline/{run_name}/trainer/")
    # the CLI reference's "To update a secret" and the @file form, then a second run
    token_file = tmp_path / "token.txt"
    token_file.write_text(era.token)
    done = bash(f"zenml secret update s3_secret --aws_session_token=@{token_file}\n"
                "zenml secret get s3_secret\n", era.work)
    assert done.returncode == 0 and era.token not in done.stdout, done.stderr
    token_file.unlink()
    assert era.run_pipeline()[0] == "completed"
    era.assert_no_value_in_files()


def _share(s3: S3Server, tmp_path: Path, name: str,
           monkeypatch: pytest.MonkeyPatch) -> tuple[Era, Path]:
    """Config folder A: the era's s3 stack, exported; then config folder B (new, empty)."""
    era = Era(s3, tmp_path)
    done = bash(textwrap.dedent(f"""\
        zenml secrets-manager register secrets_manager --flavor=local
        zenml stack update default -x secrets_manager
        zenml secret register s3_secret -s aws --aws_access_key_id='{era.key_id}' \\
            --aws_secret_access_key='{era.secret}'
        zenml artifact-store register s3_store -f s3 --path='s3://{s3.bucket}/{name}' \\
            --authentication_secret=s3_secret \\
            --client_kwargs='{{"endpoint_url": "{s3.url}"}}'
        zenml metadata-store register s3_metadata_store --flavor=sqlite \\
            --uri={tmp_path / f"{name}.db"}
        zenml stack register s3_stack -m s3_metadata_store -a s3_store -o default \\
            -x secrets_manager --set
        zenml stack export s3_stack {tmp_path / "s3_stack.yaml"}
        """), era.work)
    assert done.returncode == 0, done.stderr
    exported = tmp_path / "s3_stack.yaml"
    text = exported.read_text()
    assert "s3_secret" in text and era.secret not in text and era.key_id not in text
    monkeypatch.setenv("ZENML_CONFIG_PATH", str(tmp_path / "config-b"))
    return era, exported


def test_an_exported_stack_runs_in_another_config_folder_with_i(
        s3: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    era, exported = _share(s3, tmp_path, "with-i", monkeypatch)
    refused = bash(f"zenml stack import s3_stack {exported}", era.work)
    assert refused.returncode == 1 and "s3_secret" in refused.stderr, refused.stderr
    assert "-i" in refused.stderr
    done = bash(f"zenml stack import s3_stack {exported} -i\nzenml stack set s3_stack\n",
                era.work, stdin=f"{era.key_id}\n{era.secret}\n\n")
    assert done.returncode == 0, done.stdout + done.stderr
    assert era.secret not in done.stdout + done.stderr  # asked without echo
    era.assert_store_resolves()
    status, total, run_name = era.run_pipeline()
    assert status == "completed" and float(total) == 499500.0 * 2
    assert s3.keys(f"with-i/era_secrets_pipeline/{run_name}/trainer/")
    era.assert_no_value_in_files()


def test_an_exported_stack_runs_once_the_same_secrets_exist_there(
        s3: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    era, exported = _share(s3, tmp_path, "same", monkeypatch)
    # the new user creates the secret in a secrets manager of the same name, then imports
    done = bash(textwrap.dedent(f"""\
        zenml secrets-manager register secrets_manager --flavor=local
        zenml stack update default -x secrets_manager
        zenml secret register s3_secret -s aws --aws_access_key_id='{era.key_id}' \\
            --aws_secret_access_key='{era.secret}'
        zenml stack import s3_stack {exported}
        zenml stack set s3_stack
        zenml stack up
        """), era.work)
    assert done.returncode == 0, done.stdout + done.stderr
    era.assert_store_resolves()
    status, total, run_name = era.run_pipeline()
    assert status == "completed" and float(total) == 499500.0 * 2
    assert s3.keys(f"same/era_secrets_pipeline/{run_name}/trainer/")
    era.assert_no_value_in_files()


def test_the_era_mysql_page_order_component_manager_stack_then_secret(
        s3: S3Server, tmp_path: Path) -> None:
    era = Era(s3, tmp_path)
    done = bash(textwrap.dedent(f"""\
        # Register the S3 artifact store (the MySQL page's order, with the S3 store)
        zenml artifact-store register s3_store -f s3 \\
            --path='s3://{s3.bucket}' \\
            --authentication_secret=s3_secret \\
            --client_kwargs='{{"endpoint_url": "{s3.url}"}}'
        zenml metadata-store register s3_metadata_store --flavor=sqlite \\
            --uri={tmp_path / "m.db"}

        # Register a secrets manager
        zenml secrets-manager register secrets_manager \\
            --flavor=local

        # Register and set a stack with the new artifact store and secrets manager
        zenml stack register custom_stack -a s3_store -m s3_metadata_store -o default \\
            -x secrets_manager --set

        # Create the secret referenced in the artifact store
        zenml secret register s3_secret --schema=aws \\
            --aws_access_key_id='{era.key_id}' --aws_secret_access_key='{era.secret}'
        """), era.work)
    assert done.returncode == 0, done.stderr
    # the stack is registered before its secret exists: one warning naming the command
    warnings = [line for line in done.stderr.splitlines() if line.startswith("Warning:")]
    assert any("secret 's3_secret'" in line and "zenml secret register s3_secret -s aws"
               in line and "before running on this stack" in line for line in warnings), \
        done.stderr
    assert era.run_pipeline()[0] == "completed"
