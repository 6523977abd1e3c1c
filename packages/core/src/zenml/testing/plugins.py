"""Test helpers for plugins: registration, import checks, integration checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar

import pytest

from zenml.plugins.info import IntegrationInfo
from zenml.plugins.manager import (
    call_each,
    plugin_records,
    register_plugin,
    reset_plugins,
    unregister_plugin,
)

__all__ = ["HEAVY_MODULES", "IntegrationPluginChecks", "imported_modules_after",
           "plugin_registered"]

#: Third-party SDKs that no CLI path or plugin module may import.
HEAVY_MODULES = ("kfp", "wandb", "s3fs", "boto3", "botocore", "aiobotocore", "pymysql",
                 "mlserver", "kubernetes")


@contextmanager
def plugin_registered(plugin: object, name: str) -> Iterator[None]:
    """Register ``plugin`` under ``name`` for the ``with`` block."""
    register_plugin(plugin, name)
    try:
        yield
    finally:
        unregister_plugin(name)


def imported_modules_after(cli_args: list[str] | None = None, code: str = "") -> set[str]:
    """The modules a fresh interpreter holds after ``zenml CLI_ARGS`` (or ``code``)."""
    if cli_args is not None:
        code = textwrap.dedent(f"""
            from zenml.cli import cli
            try:
                cli.main({cli_args!r}, standalone_mode=False)
            except SystemExit:
                pass
        """)
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=os.environ.copy(), timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


class IntegrationPluginChecks:
    """The checks every integration runs on its plugin, through its real entry point.

    Subclass it as ``TestPlugin`` and set the class attributes.
    """

    name: ClassVar[str]
    distribution: ClassVar[str]
    module: ClassVar[str]
    version: ClassVar[str]
    requirements: ClassVar[list[str]]

    @pytest.fixture(autouse=True)
    def _fresh_plugins(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        monkeypatch.setenv("ZENML_CONFIG_PATH", str(tmp_path / "config"))
        monkeypatch.delenv("ZENML_DISABLE_PLUGINS", raising=False)
        reset_plugins()
        yield
        reset_plugins()

    def test_entry_point_is_published(self) -> None:
        found = {ep.name: ep.value for ep in entry_points(group="zenml")}
        assert found.get(self.name) == self.module

    def test_plugin_is_loaded_with_its_distribution_and_version(self) -> None:
        record = {r.name: r for r in plugin_records()}[self.name]
        assert (record.status, record.error) == ("loaded", "")
        assert (record.distribution, record.version) == (self.distribution, self.version)
        assert {"zenml_integration", "zenml_flavors"} <= set(record.hooks)

    def test_integration_info_names_the_requirements(self) -> None:
        info = dict(call_each("zenml_integration"))[self.name]
        assert isinstance(info, IntegrationInfo)
        assert (info.name, info.version) == (self.name, self.version)
        assert info.requirements == self.requirements
        assert info.description

    def test_plugin_module_imports_nothing_heavy(self) -> None:
        modules = imported_modules_after(code=f"import {self.module}")
        top = {name.partition(".")[0] for name in modules}
        assert top & {*HEAVY_MODULES, "pydantic", "sqlalchemy"} == set()

    def test_cli_lists_the_plugin(self) -> None:
        from click.testing import CliRunner

        from zenml.cli import cli

        runner = CliRunner()
        assert runner.invoke(cli, ["--help"]).exit_code == 0
        result = runner.invoke(cli, ["plugins"])
        assert result.exit_code == 0, result.output
        row = next(line for line in result.output.splitlines() if f" {self.name} " in line)
        assert self.distribution in row and self.version in row and "loaded" in row
