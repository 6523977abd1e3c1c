"""Nothing in clear on the way (issue 16, item 6), on a stack with the W&B tracker (offline).

A marker API key (new for every test) is registered with the real ``zenml``
executable in a ``wandb`` secret on a ``local`` secrets manager; the tracker's
``api_key`` is the reference ``{{wandb_secret.api_key}}``. Every process runs
with ``HOME`` inside the test's folder, so whatever wandb or zenml writes there
is grepped too. After a run whose tracked step logs to W&B and a run whose
tracked step fails, the marker must appear nowhere: not in any file (config
folder, secrets file, artifacts, the offline W&B run folders, ``HOME``), not in
``zenml stack export``'s file, the deployment JSON, the step entrypoint run from
it, any command's stdout/stderr, nor any process's command line (wandb's
``wandb-core`` service included) while the tracked steps run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from zenml.testing.secrets import MarkerProbe

from conftest import WANDB_CLEARED, require_wandb

require_wandb()

ZENML = str(Path(sys.executable).with_name("zenml"))

PROBE = textwrap.dedent('''
    """A pipeline whose tracked steps scan every process's command line for the marker."""
    import os
    import sys
    from pathlib import Path

    import wandb
    from zenml_wandb import enable_wandb

    from zenml.pipelines import pipeline
    from zenml.repository import Repository
    from zenml.steps import step
    from zenml.testing.secrets import is_marker, scan_command_lines


    def scan() -> None:
        # wandb's service must be among the processes scanned; the key W&B was given
        # is the secret's value (compared, never shown)
        scan_command_lines(also={"wandb_core": [b"wandb-core", b"wandb_core"]},
                           key_given=is_marker(wandb.run.settings.api_key))


    @enable_wandb
    @step
    def trainer() -> float:
        wandb.log({"loss": 0.5})
        scan()
        if os.environ.get("PROBE_FAIL"):
            raise RuntimeError("diverged while logging to W&B")
        return 0.25


    @enable_wandb
    @step
    def evaluator(model: float) -> float:
        wandb.log({"accuracy": model})
        scan()
        return model * 2


    @pipeline(enable_cache=False)
    def marker_pipeline(trainer, evaluator):
        evaluator(trainer())


    if __name__ == "__main__":
        instance = marker_pipeline(trainer=trainer(), evaluator=evaluator())
        deployment = instance.deployment(Repository().active_stack)
        Path(sys.argv[1]).write_text(deployment.to_json())
        run = instance.run()
        print(run.name, run.status.value)
''')


class Markers(MarkerProbe):
    """The marker key; the processes get an isolated HOME and W&B folder, offline."""

    def __init__(self, root: Path) -> None:
        self.key = f"MARKER{uuid.uuid4().hex}"[:40]  # 40 characters, as W&B's keys
        super().__init__(root, [self.key])
        self.wandb_dir = root / "wandb-offline"
        self.wandb_dir.mkdir()
        (root / "home").mkdir()
        self.env.update(HOME=str(root / "home"), WANDB_MODE="offline", WANDB_SILENT="true",
                        WANDB_DIR=str(self.wandb_dir))

    def _environment(self, **extra: str) -> dict[str, str]:
        inherited = {name: value for name, value in os.environ.items()
                     if name not in WANDB_CLEARED and name != "WANDB_DIR"}
        return {**inherited, **self.env, **extra}

    def zenml(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The real ``zenml`` executable; its output is kept for the grep."""
        done = self.keep(subprocess.run([ZENML, *args], capture_output=True, text=True,
                                        timeout=120, env=self._environment()))
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    def python(self, *args: str, timeout: float = 300,
               **extra: str) -> subprocess.CompletedProcess[str]:
        """``python ARGS`` with the probe's environment; its output kept."""
        return self.keep(subprocess.run([sys.executable, *args], capture_output=True,
                                        text=True, timeout=timeout,
                                        env=self._environment(**extra)))


@pytest.fixture
def markers(tmp_path: Path) -> Iterator[Markers]:
    m = Markers(tmp_path)
    with m.selftest_process():
        yield m


def test_no_marker_anywhere_after_a_tracked_run_and_a_failing_one(
        markers: Markers, tmp_path: Path) -> None:
    m = markers
    m.zenml("secrets-manager", "register", "local_secrets_manager", "--flavor=local")
    m.zenml("stack", "update", "default", "-x", "local_secrets_manager")
    m.zenml("secret", "register", "wandb_secret", "-s", "wandb", f"--api_key={m.key}")
    m.zenml("experiment-tracker", "register", "wandb_tracker", "--flavor=wandb",
            "--api_key={{wandb_secret.api_key}}", "--project_name=markers")
    m.zenml("stack", "register", "wb", "-o", "default", "-a", "default", "-m", "default",
            "-e", "wandb_tracker", "-x", "local_secrets_manager", "--set")
    for args in (("stack", "describe"), ("experiment-tracker", "describe", "wandb_tracker"),
                 ("secret", "list"), ("secret", "get", "wandb_secret")):
        m.zenml(*args)
    m.zenml("stack", "export", "wb", str(tmp_path / "exported.yaml"))
    assert "{{wandb_secret.api_key}}" in (tmp_path / "exported.yaml").read_text()

    script = tmp_path / "work" / "marker_run.py"
    script.write_text(PROBE)
    deployment = tmp_path / "deployment.json"
    done = m.python(str(script), str(deployment))
    assert done.returncode == 0 and "completed" in done.stdout, done.stderr
    assert "{{wandb_secret.api_key}}" in deployment.read_text()
    deployment.chmod(0o600)
    done = m.python("-m", "zenml.execution.entrypoint", "--deployment", str(deployment),
                    "--step", "trainer", "--run-name", "by-entrypoint")
    assert done.returncode == 0, done.stderr
    failed = m.python(str(script), str(tmp_path / "failed-deployment.json"), PROBE_FAIL="1")
    assert failed.returncode != 0 and "diverged while logging to W&B" in failed.stderr

    runs = list((m.wandb_dir / "wandb").glob("offline-run-*"))
    assert len(runs) == 4, runs  # trainer and evaluator, trainer by the entrypoint, failed
    assert all(list(run.glob("run-*.wandb")) for run in runs)
    for found in m.scans(4):
        assert found["wandb_core"] >= 1, found  # wandb's service was there to be scanned
        assert found["key_given"], found
    m.assert_no_leaks(tmp_path, {"stack_store.db", "exported.yaml", "deployment.json"})
