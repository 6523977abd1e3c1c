"""The plugin is found through its real entry point and stays light to import."""

from __future__ import annotations

import zenml_mysql

from zenml.plugins.manager import call_each
from zenml.testing import IntegrationPluginChecks


class TestPlugin(IntegrationPluginChecks):
    name = "mysql"
    distribution = "zenml-mysql"
    module = "zenml_mysql.plugin"
    version = zenml_mysql.__version__
    requirements = ["pymysql>=1.1"]


def test_no_flavors_yet() -> None:
    # Replace with the real flavors' checks when they land.
    assert dict(call_each("zenml_flavors"))["mysql"] == []
