"""zenml's plugin system (pluggy, project name and entry-point group ``zenml``).

Write a plugin with :data:`hookimpl`::

    from zenml.plugins import hookimpl

    @hookimpl
    def zenml_flavors():
        from my_package.flavors import MY_FLAVOR
        return [MY_FLAVOR]

See :mod:`zenml.plugins.hookspecs` for every hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml._lazy import lazy_exports

if TYPE_CHECKING:
    from zenml.plugins.info import IntegrationInfo
    from zenml.plugins.manager import (
        PluginRecord,
        get_flavor_registry,
        get_plugin_manager,
        plugin_records,
    )
    from zenml.plugins.markers import hookimpl

__all__ = [
    "IntegrationInfo",
    "PluginRecord",
    "get_flavor_registry",
    "get_plugin_manager",
    "hookimpl",
    "plugin_records",
]

PROJECT_NAME = "zenml"

# hookimpl is pluggy's marker, made on first use: finding the core's flavors (every
# command that opens the active stack) imports this package but needs no pluggy.
__getattr__ = lazy_exports(__name__, {
    "hookimpl": "zenml.plugins.markers",
    "IntegrationInfo": "zenml.plugins.info",
    "PluginRecord": "zenml.plugins.manager",
    "get_flavor_registry": "zenml.plugins.manager",
    "get_plugin_manager": "zenml.plugins.manager",
    "plugin_records": "zenml.plugins.manager",
})
