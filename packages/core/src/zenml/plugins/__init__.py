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

import pluggy

from zenml._lazy import lazy_exports

if TYPE_CHECKING:
    from zenml.plugins.info import IntegrationInfo
    from zenml.plugins.manager import (
        PluginRecord,
        get_flavor_registry,
        get_plugin_manager,
        plugin_records,
    )

__all__ = [
    "IntegrationInfo",
    "PluginRecord",
    "get_flavor_registry",
    "get_plugin_manager",
    "hookimpl",
    "plugin_records",
]

PROJECT_NAME = "zenml"
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

__getattr__ = lazy_exports(__name__, {
    "IntegrationInfo": "zenml.plugins.info",
    "PluginRecord": "zenml.plugins.manager",
    "get_flavor_registry": "zenml.plugins.manager",
    "get_plugin_manager": "zenml.plugins.manager",
    "plugin_records": "zenml.plugins.manager",
})
