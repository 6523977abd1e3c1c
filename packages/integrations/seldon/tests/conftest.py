"""Fixtures: an isolated zenml config per test, an iris model, the CLI, process checks.

Tests that need MLServer, scikit-learn or the Kubernetes emulator (kmock) skip
when those are missing locally and fail under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from zenml.testing import ZenCLI, isolate_zenml

ZENML = str(Path(sys.executable).with_name("zenml"))


def pytest_configure(config: pytest.Config) -> None:
    """kmock ships a pytest plugin that loads pytest-asyncio; these tests use neither, so
    settle the loop scope it would otherwise warn about on every run."""
    cache = getattr(config, "_inicache", None)
    if isinstance(cache, dict):
        cache.setdefault("asyncio_default_fixture_loop_scope", "function")


def need(*modules: str) -> None:
    """Skip (locally) or fail (CI=true) unless every module is importable."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if not missing:
        return
    message = f"needs {', '.join(missing)} (pip install the seldon test dependencies)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh ZENML_CONFIG_PATH and working folder for every test."""
    config = isolate_zenml(tmp_path, monkeypatch)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    yield config


def server_processes(folder: Path) -> list[str]:
    """Live (not zombie) processes whose command line mentions ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(folder) in cmdline and state not in ("Z", "X"):
            found.append(f"{entry.name}: {cmdline.strip()}")
    return found


@pytest.fixture
def no_orphans(isolated: Path) -> Iterator[Path]:
    """Fails the test if a process started under the config folder is still alive after it."""
    yield isolated
    leftovers = server_processes(isolated)
    for line in leftovers:  # do not leak them into other tests either
        pid = int(line.split(":")[0])
        with contextlib.suppress(OSError):
            os.killpg(pid, 9)
    assert leftovers == [], f"processes left behind: {leftovers}"


@pytest.fixture
def iris_model(tmp_path: Path) -> Path:
    """A folder with ``model.joblib``: a logistic regression fitted on iris."""
    need("sklearn", "joblib")
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    folder = tmp_path / "iris-model"
    folder.mkdir()
    joblib.dump(LogisticRegression(max_iter=1000).fit(X, y), folder / "model.joblib")
    return folder


IRIS = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3]]  # classes 0, 1, 2


Zen = ZenCLI


@pytest.fixture
def zen() -> Zen:
    return Zen()


def run_zenml(*args: str, env: dict[str, str] | None = None, timeout: float = 180,
              cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real ``zenml`` executable of this environment."""
    return subprocess.run([ZENML, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "300", **(env or {})}, cwd=cwd)
