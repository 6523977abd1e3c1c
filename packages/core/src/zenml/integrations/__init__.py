"""The integrations: separately installed ``zenml-<name>`` packages.

- :mod:`zenml.integrations.catalog`: the integrations zenml knows (plain data,
  generated from each integration's ``pyproject.toml``);
- :mod:`zenml.integrations.metadata`: an installed integration's metadata, read
  from its distribution (what its plugin's ``zenml_integration`` hook reports);
- :mod:`zenml.integrations.status`: which are installed, as their plugins report it;
- :mod:`zenml.integrations.installer`: installing and uninstalling them with pip.

The command line is ``zenml integration list | requirements | install | uninstall``.

Importing this package also installs the finder of the original framework's
import paths (:mod:`zenml.integrations.aliases`: ``zenml.integrations.seldon.steps``
and the like, lazy aliases onto the ``zenml-<name>`` packages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml._lazy import lazy_exports
from zenml.integrations import aliases as _aliases

if TYPE_CHECKING:
    from zenml.integrations.catalog import CATALOG, KnownIntegration, get_known
    from zenml.integrations.status import IntegrationStatus, integration_statuses

__all__ = ["CATALOG", "IntegrationStatus", "KnownIntegration", "get_known",
           "integration_statuses"]

__getattr__ = lazy_exports(__name__, {
    "CATALOG": "zenml.integrations.catalog",
    "KnownIntegration": "zenml.integrations.catalog",
    "get_known": "zenml.integrations.catalog",
    "IntegrationStatus": "zenml.integrations.status",
    "integration_statuses": "zenml.integrations.status",
})

_aliases.install()
