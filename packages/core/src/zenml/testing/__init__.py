"""Helpers for testing zenml plugins and integrations (needs pytest).

- :func:`plugin_registered`: register a plugin object for the length of a test;
- :func:`imported_modules_after`: which modules a CLI command imports;
- :class:`IntegrationPluginChecks`: the checks every integration package runs
  on its plugin (subclass it in ``tests/test_plugin.py``);
- :class:`EraAliasChecks`: the checks every integration runs on the original
  framework's import paths of it (subclass it in ``tests/test_era_aliases.py``);
- :class:`ZenCLI` and :func:`isolate_zenml`: the CLI in-process with its error
  contract checked, and a fresh config folder per test.
"""

from zenml.testing.cli import ZenCLI, isolate_zenml
from zenml.testing.era import EraAliasChecks
from zenml.testing.plugins import (
    IntegrationPluginChecks,
    imported_modules_after,
    plugin_registered,
)

__all__ = [
    "EraAliasChecks",
    "IntegrationPluginChecks",
    "ZenCLI",
    "imported_modules_after",
    "isolate_zenml",
    "plugin_registered",
]
