"""The plugin is found through its real entry point and stays light to import."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import zenml_s3
from click.testing import CliRunner
from zenml_s3.plugin import REQUIREMENTS

from zenml.cli import cli
from zenml.plugins.info import IntegrationInfo
from zenml.plugins.manager import call_each, plugin_records, reset_plugins

NAME = "s3"
DISTRIBUTION = "zenml-s3"
PLUGIN_MODULE = "zenml_s3.plugin"
EXPECTED_REQUIREMENTS = ["s3fs>=2023.1"]
# No plugin module may import a third-party SDK, nor pydantic (convention 4).
HEAVY = ("kfp", "wandb", "s3fs", "boto3", "pymysql", "mlserver", "kubernetes", "pydantic")


@pytest.fixture(autouse=True)
def fresh_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An own config dir, no plugin disabled, plugins read again from the entry points."""
    monkeypatch.setenv("ZENML_CONFIG_PATH", str(tmp_path / "config"))
    monkeypatch.delenv("ZENML_DISABLE_PLUGINS", raising=False)
    reset_plugins()
    yield
    reset_plugins()


def test_entry_point_is_published() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="zenml")}
    assert found.get(NAME) == PLUGIN_MODULE


def test_plugin_is_loaded_with_its_distribution_and_version() -> None:
    record = {r.name: r for r in plugin_records()}[NAME]
    assert (record.status, record.error) == ("loaded", "")
    assert record.distribution == DISTRIBUTION
    assert record.version == zenml_s3.__version__
    assert {"zenml_integration", "zenml_flavors"} <= set(record.hooks)


def test_integration_info_names_the_requirements() -> None:
    info = dict(call_each("zenml_integration"))[NAME]
    assert isinstance(info, IntegrationInfo)
    assert (info.name, info.version) == (NAME, zenml_s3.__version__)
    assert info.requirements == REQUIREMENTS == EXPECTED_REQUIREMENTS
    assert info.description


def test_no_flavors_yet() -> None:
    # Replace with the real flavors' checks when they land.
    assert dict(call_each("zenml_flavors"))[NAME] == []


def test_plugin_module_imports_nothing_heavy() -> None:
    code = (
        "import json, sys\n"
        f"import {PLUGIN_MODULE} as plugin\n"
        "plugin.zenml_integration()\n"
        "top = {name.partition('.')[0] for name in sys.modules}\n"
        f"print(json.dumps(sorted(top & set({HEAVY!r}))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_cli_help_and_plugins_listing() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["plugins"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()]
    assert any(
        row[1:2] == [NAME]
        and DISTRIBUTION in row
        and zenml_s3.__version__ in row
        and "loaded" in row
        for row in rows
    ), result.output
