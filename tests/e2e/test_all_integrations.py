"""The CLI with every integration installed: all load, none imports its SDK."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from zenml.testing.plugins import HEAVY_MODULES, imported_modules_after

INTEGRATIONS = ["kubeflow", "mysql", "s3", "seldon", "wandb"]
HEAVY = [*HEAVY_MODULES, "numpy", "pandas", "sklearn", "sqlalchemy.dialects.mysql",
         "sqlalchemy.dialects.postgresql"]
ZENML = str(Path(sys.executable).with_name("zenml"))


@pytest.fixture(autouse=True)
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZENML_CONFIG_PATH", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)


def modules_after(args: list[str]) -> set[str]:
    return imported_modules_after(args)


def test_every_integration_plugin_loads() -> None:
    result = subprocess.run([ZENML, "plugins"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for name in INTEGRATIONS:
        line = next(line for line in result.stdout.splitlines() if f" zenml-{name} " in line)
        assert "loaded" in line, line


@pytest.mark.parametrize("args", [["--help"], ["stack", "list"], ["plugins"],
                                  ["orchestrator", "flavor", "list"],
                                  ["artifact-store", "flavor", "list"]])
def test_cli_imports_no_sdk(args: list[str]) -> None:
    modules = modules_after(args)
    loaded = [name for name in HEAVY if name in modules]
    assert loaded == [], f"zenml {' '.join(args)} imported {loaded}"
    plugin_modules = [m for m in modules if m.startswith("zenml_") and m.endswith(".plugin")]
    if args == ["--help"]:
        assert len(plugin_modules) == len(INTEGRATIONS)


def test_help_stays_free_of_store_and_models() -> None:
    modules = modules_after(["--help"])
    for name in ("sqlalchemy", "pydantic", "rich"):
        assert name not in modules, name
