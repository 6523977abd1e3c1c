"""``zenml integration install dashboard``: the core's catalog knows this package.

The catalog entry is generated from this package's pyproject.toml; installed, the
plugin's ``zenml_integration`` hook reads the same fields from the distribution's
metadata, and both must agree. (tests/packaging installs it into a fresh
environment with real pip.)
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Any

from zenml.integrations.catalog import get_known
from zenml.integrations.installer import install_targets
from zenml.plugins.info import IntegrationInfo
from zenml.plugins.manager import call_each, get_flavor_registry

PACKAGE = Path(__file__).resolve().parents[1]


def test_the_installed_plugin_agrees_with_the_catalog() -> None:
    entry = get_known("zenml-dashboard")
    assert entry.is_tool and entry.commands == ("dashboard",) and entry.flavors == ()
    info = dict(call_each("zenml_integration"))["dashboard"]
    assert info == IntegrationInfo(name="dashboard", version=version("zenml-dashboard"),
                                   requirements=list(entry.requirements),
                                   description=entry.description)
    assert [f for f in get_flavor_registry().list() if f.integration == "dashboard"] == []


def test_listed_as_installed_and_as_a_tool(zen: Any) -> None:
    row = next(line for line in zen("integration", "list").output.splitlines()
               if " dashboard " in line)
    assert version("zenml-dashboard") in row and "adds 'zenml dashboard'" in row
    assert zen("integration", "requirements", "dashboard").output.split() == list(
        get_known("dashboard").requirements)
    already = zen("integration", "install", "dashboard", "-y").output
    assert "Integration 'dashboard' is already installed (zenml-dashboard" in already


def test_a_source_checkout_installs_it_from_its_own_folder() -> None:
    [target] = install_targets([get_known("dashboard")], None)
    assert Path(target.requirement) == PACKAGE and target.from_folder
