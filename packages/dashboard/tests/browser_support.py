"""What the browser tests need: a repository of their own, the real server, Chromium.

- :class:`Workspace`: a zenml config folder and working folder (a repository)
  that subprocesses use through their environment;
- :class:`Dashboard`: ``zenml dashboard --port PORT --no-open`` in a subprocess
  on a free loopback port, stopped by its PID;
- :func:`launch_chromium`: the system's headless Chromium through Playwright;
  without them the tests skip, except under ``CI=true``, where they fail;
- :func:`screenshot`: a page's PNG under the test's folder, and in
  ``$ZENML_SCREENSHOTS_DIR`` too when that is set;
- :func:`run_waiting`: a run whose first step waits until a file exists;
  :func:`run_fan`: a run of 8 steps (one source, six branches, one join).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from zenml.pipelines import pipeline
from zenml.steps import BaseStepConfig, step
from zenml.testing.servers import stop_process

CHROMIUM = Path("/usr/bin/chromium")
TESTS = Path(__file__).parent
#: Variables that would point zenml somewhere else than the workspace.
_ZENML_VARIABLES = ("ZENML_REPOSITORY_PATH", "ZENML_DISABLE_PLUGINS", "ZENML_VERBOSE")


def in_ci() -> bool:
    """Whether a missing browser must fail the tests instead of skipping them."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """Skip (locally) or fail (under CI) for a missing browser component."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


class Workspace:
    """A zenml config folder and a working folder under ``root``, for subprocesses."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = root / "config"
        self.work = root / "work"
        self.work.mkdir(parents=True, exist_ok=True, mode=0o700)
        env = {k: v for k, v in os.environ.items() if k not in _ZENML_VARIABLES}
        env["ZENML_CONFIG_PATH"] = str(self.config)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS),
                                                          env.get("PYTHONPATH")]))
        self.env = env

    def python(self, code: str, timeout: float = 120) -> str:
        """Run ``code`` with this workspace's zenml; its stdout (fails on an error)."""
        done = subprocess.run([sys.executable, "-c", code], cwd=self.work, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start_python(self, *args: str) -> subprocess.Popen[str]:
        """A Python subprocess in this workspace (the caller stops it)."""
        return subprocess.Popen([sys.executable, *args], cwd=self.work, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Dashboard:
    """``zenml dashboard`` serving ``workspace`` on a free port (use as a context manager)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Dashboard:
        zenml = str(Path(sys.executable).with_name("zenml"))
        self.process = subprocess.Popen(
            [zenml, "dashboard", "--port", str(self.port), "--no-open"],
            cwd=self.workspace.work, env=self.workspace.env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                _, err = self.process.communicate()
                raise AssertionError(f"zenml dashboard exited {self.process.returncode}: "
                                     f"{err[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/stacks", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                stop_process(self.process)
                raise AssertionError("zenml dashboard did not answer within 60 s")
            time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process.communicate()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


def launch_chromium(playwright: Any) -> Any:
    """The system's headless Chromium (we run as root: no sandbox)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])


def screenshot(page: Any, folder: Path, name: str) -> Path:
    """Write ``name``.png of the whole page under ``folder`` (and ``$ZENML_SCREENSHOTS_DIR``)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    path.chmod(0o600)
    stable = os.environ.get("ZENML_SCREENSHOTS_DIR")
    if stable:
        target = Path(stable)
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        copy = target / path.name
        shutil.copyfile(path, copy)
        copy.chmod(0o600)
    return path


# -- a run that stays running until the test lets it finish --------------------------------


class WaitConfig(BaseStepConfig):
    release: str = ""


@step
def wait(config: WaitConfig) -> int:
    """Wait until the file ``config.release`` exists (at most 60 s)."""
    deadline = time.monotonic() + 60
    while not Path(config.release).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{config.release} never appeared")
        time.sleep(0.05)
    return 1


@step
def after(x: int) -> int:
    return x + 1


@pipeline(enable_cache=False)
def waiting_pipeline(wait, after):  # type: ignore[no-untyped-def]
    after(wait())


def run_waiting(release: str, name: str = "slow") -> Any:
    """Run :func:`waiting_pipeline` as ``name``; its first step waits for ``release``."""
    return waiting_pipeline(wait=wait(config=WaitConfig(release=release)),
                            after=after()).run(run_name=name)


# -- a fan-out / fan-in run: one source, six branches, one join -------------------------


class BranchConfig(BaseStepConfig):
    factor: int = 1


@step
def source() -> int:
    return 3


@step
def branch(config: BranchConfig, x: int) -> int:
    return x * config.factor


@step
def join(b0: int, b1: int, b2: int, b3: int, b4: int, b5: int) -> int:
    return b0 + b1 + b2 + b3 + b4 + b5


@pipeline
def fan_pipeline(source, b0, b1, b2, b3, b4, b5, join):  # type: ignore[no-untyped-def]
    x = source()
    join(b0(x=x), b1(x=x), b2(x=x), b3(x=x), b4(x=x), b5(x=x))


def run_fan(name: str = "fan") -> Any:
    """Run :func:`fan_pipeline` (8 steps, 12 edges) as ``name``."""
    branches = {f"b{i}": branch(config=BranchConfig(factor=i)) for i in range(6)}
    return fan_pipeline(source=source(), join=join(), **branches).run(run_name=name)
