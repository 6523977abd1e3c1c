"""The plugin is found through its real entry point and stays light to import."""

from __future__ import annotations

import zenml_wandb

from zenml.plugins.manager import call_each
from zenml.testing import IntegrationPluginChecks


class TestPlugin(IntegrationPluginChecks):
    name = "wandb"
    distribution = "zenml-wandb"
    module = "zenml_wandb.plugin"
    version = zenml_wandb.__version__
    requirements = ["wandb>=0.17"]


def test_no_flavors_yet() -> None:
    # Replace with the real flavors' checks when they land.
    assert dict(call_each("zenml_flavors"))["wandb"] == []
