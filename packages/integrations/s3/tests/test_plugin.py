"""The plugin is found through its real entry point and stays light to import."""

from __future__ import annotations

import zenml_s3

from zenml.plugins.manager import call_each
from zenml.testing import IntegrationPluginChecks


class TestPlugin(IntegrationPluginChecks):
    name = "s3"
    distribution = "zenml-s3"
    module = "zenml_s3.plugin"
    version = zenml_s3.__version__
    requirements = ["s3fs>=2023.1"]


def test_no_flavors_yet() -> None:
    # Replace with the real flavors' checks when they land.
    assert dict(call_each("zenml_flavors"))["s3"] == []
