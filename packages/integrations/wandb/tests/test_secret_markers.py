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

import json
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import WANDB_CLEARED, require_wandb

require_wandb()

ZENML = str(Path(sys.executable).with_name("zenml"))

PROBE = textwrap.dedent('''
    """A pipeline whose tracked steps scan every process's command line for the marker."""
    import json
    import os
    import sys
    from pathlib import Path

    import wandb
    from zenml_wandb import enable_wandb

    from zenml.pipelines import pipeline
    from zenml.repository import Repository
    from zenml.steps import step


    def scan() -> None:
        wanted = json.loads(Path(os.environ["PROBE_WANTED"]).read_text())
        found = {"processes": 0, "markers": 0, "selftest": 0, "wandb_core": 0,
                 # the key W&B was given is the secret's value (compared, never shown)
                 "key_given": wandb.run.settings.api_key in wanted["markers"]}
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
            found["wandb_core"] += b"wandb-core" in line or b"wandb_core" in line
        with open(os.environ["PROBE_OUT"], "a") as out:
            out.write(json.dumps(found) + "\\n")


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


class Markers:
    """The marker key, every process's environment, the outputs and the probe's files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.key = f"MARKER{uuid.uuid4().hex}"[:40]  # 40 characters, as W&B's keys
        self.selftest = f"SELFTEST-{uuid.uuid4()}"
        self.outputs: list[str] = []
        self.probe_out = root / "probe.jsonl"
        self.wandb_dir = root / "wandb-offline"
        self.wandb_dir.mkdir()
        (root / "home").mkdir()
        # the marker reaches the steps only in this file (the one file the grep skips)
        self.wanted = root / "probe-wanted.json"
        self.wanted.write_text(json.dumps({"markers": [self.key], "selftest": self.selftest}))
        self.wanted.chmod(0o600)
        self.env = {name: value for name, value in os.environ.items()
                    if name not in WANDB_CLEARED and name != "WANDB_DIR"}
        self.env.update(HOME=str(root / "home"), WANDB_MODE="offline", WANDB_SILENT="true",
                        WANDB_DIR=str(self.wandb_dir), PROBE_WANTED=str(self.wanted),
                        PROBE_OUT=str(self.probe_out), ZENML_LOGGING_VERBOSITY="DEBUG")

    def zenml(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([ZENML, *args], capture_output=True, text=True, timeout=120,
                              env=self.env)
        self.outputs.append(done.stdout + done.stderr)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    def python(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                              timeout=300, env={**self.env, **extra})
        self.outputs.append(done.stdout + done.stderr)
        return done

    def leaks(self, data: str | bytes) -> bool:
        raw = data.encode() if isinstance(data, str) else data
        return self.key.encode() in raw


@pytest.fixture
def markers(tmp_path: Path) -> Iterator[Markers]:
    m = Markers(tmp_path)
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)",
                                m.selftest])
    yield m
    process.kill()
    process.wait(timeout=10)


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
    scans = [json.loads(line) for line in m.probe_out.read_text().splitlines()]
    assert len(scans) == 4
    for found in scans:
        assert found["processes"] > 2 and found["selftest"] == 1, found
        assert found["wandb_core"] >= 1, found  # wandb's service was there to be scanned
        assert found["markers"] == 0 and found["key_given"], found
    for output in m.outputs:
        assert not m.leaks(output), output
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != m.wanted]
    assert {"stack_store.db", "exported.yaml", "deployment.json"} <= {p.name for p in files}
    leaked = [str(path.relative_to(tmp_path)) for path in files if m.leaks(path.read_bytes())]
    assert leaked == [], leaked
