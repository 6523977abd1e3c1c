"""Fixtures: every test gets its own config dir and a folder outside any repository."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from zenml.cli import cli

ZENML = str(Path(sys.executable).with_name("zenml"))


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh ZENML_CONFIG_PATH and cwd for every test."""
    config = tmp_path / "config"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("ZENML_CONFIG_PATH", str(config))
    monkeypatch.delenv("ZENML_REPOSITORY_PATH", raising=False)
    monkeypatch.delenv("ZENML_VERBOSE", raising=False)
    monkeypatch.chdir(work)
    yield config


@pytest.fixture
def config_dir(isolated: Path) -> Path:
    return isolated


class Zen:
    """Runs the CLI in-process through click's CliRunner."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, ok: bool = True) -> Result:
        result = self.runner.invoke(cli, list(args), input=input)
        if ok and result.exit_code != 0:
            raise AssertionError(f"zenml {' '.join(args)} failed ({result.exit_code}):\n"
                                 f"{result.output}\n{result.exception!r}")
        return result

    def fails(self, *args: str, input: str | None = None) -> Result:
        """Run a command that must fail with one line on stderr and exit code 1."""
        result = self(*args, input=input, ok=False)
        assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
        assert "Traceback" not in result.output
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        return result


@pytest.fixture
def zen() -> Zen:
    return Zen()


def run_zenml(args: Sequence[str], env: dict[str, str] | None = None,
              input: str | None = None, cwd: Path | None = None,
              **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run the real ``zenml`` executable of this environment."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([ZENML, *args], env=full_env, input=input, cwd=cwd,
                          capture_output=True, text=True, timeout=120, **kwargs)
