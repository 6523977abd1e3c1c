"""The CLI with every integration installed: all load, none imports its SDK."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

INTEGRATIONS = ["kubeflow", "mysql", "s3", "seldon", "wandb"]
HEAVY = ["kfp", "wandb", "s3fs", "boto3", "botocore", "pymysql", "mlserver", "kubernetes",
         "numpy", "pandas", "sklearn"]
ZENML = str(Path(sys.executable).with_name("zenml"))


@pytest.fixture(autouse=True)
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZENML_CONFIG_PATH", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)


def modules_after(args: list[str]) -> list[str]:
    code = textwrap.dedent(f"""
        import json, sys
        from zenml.cli import cli
        try:
            cli.main({args!r}, standalone_mode=False)
        except SystemExit:
            pass
        print(json.dumps(sorted(sys.modules)))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=os.environ.copy(), timeout=60)
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


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
