"""Helpers for testing zenml plugins and integrations (needs pytest).

- :func:`plugin_registered`: register a plugin object for the length of a test;
- :func:`imported_modules_after`: which modules a CLI command imports;
- :class:`IntegrationPluginChecks`: the checks every integration package runs
  on its plugin (subclass it in ``tests/test_plugin.py``).
"""

from zenml.testing.plugins import (
    IntegrationPluginChecks,
    imported_modules_after,
    plugin_registered,
)

__all__ = ["IntegrationPluginChecks", "imported_modules_after", "plugin_registered"]
