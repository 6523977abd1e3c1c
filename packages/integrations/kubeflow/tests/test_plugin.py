"""The plugin is found through its real entry point and stays light to import."""

from __future__ import annotations

import zenml_kubeflow

from zenml.plugins.manager import call_each
from zenml.testing import IntegrationPluginChecks


class TestPlugin(IntegrationPluginChecks):
    name = "kubeflow"
    distribution = "zenml-kubeflow"
    module = "zenml_kubeflow.plugin"
    version = zenml_kubeflow.__version__
    requirements = ["kfp>=2.7,<3"]


def test_no_flavors_yet() -> None:
    # Replace with the real flavors' checks when they land.
    assert dict(call_each("zenml_flavors"))["kubeflow"] == []
