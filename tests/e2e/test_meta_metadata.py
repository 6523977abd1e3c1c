"""Installed, every integration says what the core's catalog says before it is installed.

Both come from the integration's ``pyproject.toml``: the plugin's ``zenml_integration``
hook reads its distribution's metadata, the catalog is generated from the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zenml.integrations.catalog import CATALOG, KnownIntegration
from zenml.plugins.info import IntegrationInfo
from zenml.plugins.manager import call_each, get_flavor_registry, reset_plugins


@pytest.fixture(autouse=True)
def fresh_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZENML_CONFIG_PATH", str(tmp_path / "config"))
    monkeypatch.delenv("ZENML_DISABLE_PLUGINS", raising=False)
    reset_plugins()


# the e2e session installs the stack integrations; the dashboard (a tool) checks its own
# entry in packages/dashboard/tests/test_catalog.py
@pytest.mark.parametrize("entry", [e for e in CATALOG if not e.is_tool],
                         ids=lambda entry: entry.name)
def test_the_installed_plugin_agrees_with_the_catalog(entry: KnownIntegration) -> None:
    from importlib.metadata import version

    info = dict(call_each("zenml_integration"))[entry.name]
    assert isinstance(info, IntegrationInfo)
    assert info == IntegrationInfo(name=entry.name, version=version(entry.distribution),
                                   requirements=list(entry.requirements),
                                   description=entry.description)
    registered = sorted((f.type, f.name) for f in get_flavor_registry().list()
                        if f.integration == entry.name)
    assert registered == sorted(entry.flavors)
