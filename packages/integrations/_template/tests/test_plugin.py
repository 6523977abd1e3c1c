"""The plugin is found through its real entry point and stays light to import."""

from __future__ import annotations

import zenml_REPLACE_ME

from zenml.plugins.manager import call_each
from zenml.testing import IntegrationPluginChecks


class TestPlugin(IntegrationPluginChecks):
    name = "REPLACE_ME"
    distribution = "zenml-REPLACE_ME"
    module = "zenml_REPLACE_ME.plugin"
    version = zenml_REPLACE_ME.__version__
    requirements: list[str] = []  # [project] dependencies without zenml-core


def test_no_flavors_yet() -> None:
    # Replace with the real flavors' checks when they land.
    assert dict(call_each("zenml_flavors"))["REPLACE_ME"] == []
