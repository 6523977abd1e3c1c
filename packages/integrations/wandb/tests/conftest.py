"""Fixtures: the real wandb library in offline mode, an isolated zenml config per test.

wandb reads its environment (``WANDB_MODE``, ``WANDB_DIR``...) once per process,
when its first run starts, and keeps its ``wandb-core`` service process until
the process ends. So the whole session shares one offline folder, set before
any run starts; each test finds its own runs through the folder recorded on
its step runs. The service is stopped (``wandb.teardown()``) at the end.

No server is needed: offline runs are written to ``run-<id>.wandb`` files,
which ``wandb_records`` reads back. Without wandb installed the tests that
need it are skipped, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zenml.testing import ZenCLI, isolate_zenml

WANDB_ENV = {"WANDB_MODE": "offline", "WANDB_SILENT": "true"}
WANDB_CLEARED = ("WANDB_API_KEY", "WANDB_ENTITY", "WANDB_PROJECT", "WANDB_RUN_ID",
                 "WANDB_NAME", "WANDB_TAGS", "WANDB_NOTES", "WANDB_RUN_GROUP", "WANDB_JOB_TYPE")


def require_wandb() -> None:
    """Skip the calling test module when wandb is missing; fail instead under ``CI=true``."""
    try:
        import wandb  # noqa: F401
    except ImportError as error:
        reason = f"wandb is not installed ({error}); pip install 'wandb==0.31.0'"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: the wandb tests must run)", pytrace=False)
        pytest.skip(reason, allow_module_level=True)


@pytest.fixture(scope="session")
def wandb_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The offline W&B folder of the session (``$WANDB_DIR``); the runs are under ``wandb/``."""
    require_wandb()
    import wandb

    folder = tmp_path_factory.mktemp("wandb")
    saved = {key: os.environ.get(key) for key in (*WANDB_ENV, "WANDB_DIR", *WANDB_CLEARED)}
    os.environ.update(WANDB_ENV, WANDB_DIR=str(folder))
    for key in WANDB_CLEARED:
        os.environ.pop(key, None)
    yield folder
    wandb.teardown()  # stops this process's wandb-core service
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ZENML_CONFIG_PATH and working folder for every test."""
    return isolate_zenml(tmp_path, monkeypatch)


@pytest.fixture
def body_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file the test steps append their names to when their body runs."""
    from wandb_pipelines import BODY_LOG

    path = tmp_path / "bodies.txt"
    path.touch()
    monkeypatch.setenv(BODY_LOG, str(path))
    return path


Zen = ZenCLI


@pytest.fixture
def zen() -> Zen:
    return Zen()


@pytest.fixture
def wandb_stack(zen: Zen, wandb_dir: Path) -> Zen:
    """The active stack ``wb``: the default components plus the tracker ``wandb_tracker``."""
    zen("experiment-tracker", "register", "wandb_tracker", "--flavor=wandb",
        "--api_key=not-a-real-key-0123456789", "--entity=zenml-tests",
        "--project_name=tracking")
    zen("stack", "register", "wb", "-o", "default", "-a", "default", "-m", "default",
        "-e", "wandb_tracker", "--set")
    return zen


@pytest.fixture
def report(request: pytest.FixtureRequest) -> Any:
    """Show a measurement in pytest's output even when output is captured."""
    def write(line: str) -> None:
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.ensure_newline()
                reporter.write_line(f"[wandb] {line}")
    return write


def run_dirs(wandb_dir: Path) -> set[Path]:
    """The offline run folders written so far."""
    return set((wandb_dir / "wandb").glob("offline-run-*"))


def timed(function: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


PYTHON = sys.executable
