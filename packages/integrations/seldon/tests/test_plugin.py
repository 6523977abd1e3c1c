"""The plugin is found through its real entry point and stays light to import."""

from __future__ import annotations

import zenml_seldon

from zenml.plugins.manager import call_each
from zenml.testing import IntegrationPluginChecks


class TestPlugin(IntegrationPluginChecks):
    name = "seldon"
    distribution = "zenml-seldon"
    module = "zenml_seldon.plugin"
    version = zenml_seldon.__version__
    requirements = ["kubernetes>=28", "mlserver>=1.6", "mlserver-sklearn>=1.6"]


def test_no_flavors_yet() -> None:
    # Replace with the real flavors' checks when they land.
    assert dict(call_each("zenml_flavors"))["seldon"] == []
