"""examples/seldon_deployment as a user runs it: register, run twice, list, delete."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import need, run_zenml, server_processes

EXAMPLE = Path(__file__).resolve().parents[4] / "examples" / "seldon_deployment" / "run.py"


def test_the_train_and_deploy_example(tmp_path: Path, no_orphans: Path) -> None:
    need("mlserver", "mlserver_sklearn", "sklearn")
    if not EXAMPLE.exists():
        pytest.skip("not run from the monorepo checkout")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZENML_")}
    env.update(ZENML_CONFIG_PATH=str(no_orphans), COLUMNS="300")

    def zenml(*args: str) -> str:
        done = run_zenml(*args, env=env, cwd=tmp_path)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    def example(*args: str) -> str:
        done = subprocess.run([sys.executable, str(EXAMPLE), *args], capture_output=True,
                              text=True, timeout=300, env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout

    zenml("model-deployer", "register", "seldon_deployer", "--flavor=seldon", "--mode=local")
    zenml("stack", "register", "local_seldon", "-o", "default", "-a", "default", "-m",
          "default", "-d", "seldon_deployer", "--set")
    try:
        first = example()
        assert "Accuracy: 1.000 (deployed the new model)" in first
        for line in ("[5.1, 3.5, 1.4, 0.2] -> setosa", "[6.2, 2.9, 4.3, 1.3] -> versicolor",
                     "[7.7, 3.0, 6.1, 2.3] -> virginica"):
            assert line in first
        uuid = first.split("Served model ")[1].split(":")[0]
        # the server outlived the pipeline's process
        row = next(line for line in zenml("served-models", "list").splitlines() if uuid in line)
        assert "running" in row and "train_and_deploy" in row and "127.0.0.1" in row

        kept = example("--min-accuracy", "1.01")
        assert "not deployed: kept the current model" in kept and f"model {uuid}:" in kept
        assert "-> virginica" in kept
        assert "Deleted served model" in zenml("served-models", "delete", uuid, "-y")
    finally:
        for line in zenml("served-models", "list").splitlines():
            if "train_and_deploy" in line:
                zenml("served-models", "delete", line.split()[3], "-y")
    assert server_processes(no_orphans) == []
