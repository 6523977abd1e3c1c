"""Fixtures: every test gets its own config dir and a folder outside any repository."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from zenml.testing import ZenCLI, isolate_zenml

ZENML = str(Path(sys.executable).with_name("zenml"))


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh ZENML_CONFIG_PATH and cwd for every test."""
    yield isolate_zenml(tmp_path, monkeypatch)


@pytest.fixture
def config_dir(isolated: Path) -> Path:
    return isolated


Zen = ZenCLI


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
