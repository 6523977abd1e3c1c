"""Finding, loading and calling plugins.

Plugins come from the ``zenml`` entry-point group, read once per process.
The core's own flavors are the built-in plugin ``zenml``. A plugin that
fails to import (or whose hooks fail) is reported by name as a warning and
skipped; ``ZENML_DEBUG_PLUGINS=1`` re-raises instead.
``ZENML_DISABLE_PLUGINS=a,b`` blocks plugins by entry-point name.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy

from zenml.__about__ import __version__
from zenml.plugins import PROJECT_NAME

if TYPE_CHECKING:
    from zenml.materializers.registry import MaterializerRegistry
    from zenml.stack.flavor_registry import FlavorRegistry

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginRecord",
    "build_registry",
    "call_each",
    "get_flavor_registry",
    "get_materializer_registry",
    "get_plugin_manager",
    "plugin_records",
    "register_plugin",
    "reset_plugins",
    "unregister_plugin",
]

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "zenml"
BUILTIN_NAME = "zenml"


@dataclass
class PluginRecord:
    """One plugin as ``zenml plugins`` shows it."""

    name: str
    distribution: str
    version: str
    status: str  # "loaded", "failed" or "disabled"
    error: str = ""
    hooks: list[str] = field(default_factory=list)


@dataclass
class _State:
    manager: pluggy.PluginManager
    records: list[PluginRecord]
    flavors: FlavorRegistry | None = None
    materializers: MaterializerRegistry | None = None


_state: _State | None = None


def _debug() -> bool:
    return os.environ.get("ZENML_DEBUG_PLUGINS", "") not in ("", "0", "false")


def _disabled() -> set[str]:
    raw = os.environ.get("ZENML_DISABLE_PLUGINS", "")
    return {name.strip() for name in raw.split(",") if name.strip()}


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".splitlines()[0]


def _load() -> _State:
    from importlib.metadata import entry_points

    from zenml.plugins import builtin, hookspecs

    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    manager.register(builtin, name=BUILTIN_NAME)
    records = [PluginRecord(BUILTIN_NAME, "zenml-core", __version__, "loaded")]
    disabled = _disabled()
    seen = {BUILTIN_NAME}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name in seen:
            continue
        seen.add(ep.name)
        dist = getattr(ep, "dist", None)
        dist_name = dist.metadata["Name"] if dist is not None else "?"
        version = dist.version if dist is not None else "?"
        record = PluginRecord(ep.name, dist_name, version, "loaded")
        records.append(record)
        if ep.name in disabled:
            record.status = "disabled"
            manager.set_blocked(ep.name)
            continue
        try:
            module = ep.load()
            manager.register(module, name=ep.name)
            manager.check_pending()
        except Exception as error:
            if _debug():
                raise
            if manager.get_plugin(ep.name) is not None:
                manager.unregister(name=ep.name)
            record.status, record.error = "failed", _describe(error)
            logger.warning(
                "Plugin '%s' (%s %s, entry point %s) failed to load and is skipped: %s",
                ep.name, dist_name, version, ep.value, record.error,
            )
    for record in records:
        plugin = manager.get_plugin(record.name)
        if plugin is not None:
            record.hooks = sorted(h.name for h in manager.get_hookcallers(plugin) or [])
    logger.debug("Registered %d plugin(s): %s", len(records),
                 ", ".join(f"{r.name}-{r.version} ({r.status})" for r in records))
    return _State(manager, records)


def _get_state() -> _State:
    global _state
    if _state is None:
        _state = _load()
    return _state


def get_plugin_manager() -> pluggy.PluginManager:
    """The process's plugin manager, loading the plugins on first use."""
    return _get_state().manager


def plugin_records() -> list[PluginRecord]:
    """Every plugin found, with its distribution, version and status."""
    return list(_get_state().records)


def register_plugin(plugin: object, name: str) -> None:
    """Register a plugin object by hand (tests, embedding); flavors are re-read."""
    state = _get_state()
    state.manager.register(plugin, name=name)
    state.manager.check_pending()
    state.records.append(PluginRecord(name, "?", "?", "loaded"))
    state.flavors = state.materializers = None


def unregister_plugin(name: str) -> None:
    """Undo :func:`register_plugin`."""
    state = _get_state()
    state.manager.unregister(name=name)
    state.records = [r for r in state.records if r.name != name]
    state.flavors = state.materializers = None


def reset_plugins() -> None:
    """Forget the loaded plugins (the next use reads the entry points again)."""
    global _state
    _state = None


def call_each(hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """Call one hook plugin by plugin, yielding ``(plugin name, result)``.

    A plugin whose hook raises is reported by name and skipped, so one
    broken plugin cannot take the others down.
    """
    state = _get_state()
    caller = getattr(state.manager.hook, hook_name)
    for impl in caller.get_hookimpls():  # registration order: the core first
        function: Callable[..., Any] = impl.function
        try:
            result = function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
        except Exception as error:
            if _debug():
                raise
            message = _describe(error)
            logger.warning("Plugin '%s' failed in %s and is skipped: %s",
                           impl.plugin_name, hook_name, message)
            for record in state.records:
                if record.name == impl.plugin_name:
                    record.status, record.error = "failed", message
            continue
        yield impl.plugin_name, result


def get_flavor_registry() -> FlavorRegistry:
    """Every flavor the loaded plugins provide (the core's first)."""
    from zenml.stack.flavor_registry import FlavorRegistry

    state = _get_state()
    if state.flavors is None:
        registry = FlavorRegistry()
        from zenml.stack.flavor import Flavor

        for plugin_name, flavors in call_each("zenml_flavors"):
            for flavor in flavors or []:
                if not isinstance(flavor, Flavor):
                    logger.warning("Plugin '%s' returned %r from zenml_flavors, not a Flavor; "
                                   "ignored", plugin_name, flavor)
                    continue
                if flavor.integration is None and plugin_name != BUILTIN_NAME:
                    flavor = dataclasses.replace(flavor, integration=plugin_name)
                registry.add(flavor)
        state.flavors = registry
    return state.flavors


def get_materializer_registry() -> MaterializerRegistry:
    """The plugins' materializers (the core's first), then the registered ones.

    Built once per process (again after :func:`register_plugin` or
    :func:`unregister_plugin`); classes given to
    :func:`zenml.materializers.register_materializer` join it whenever they come.
    """
    from zenml.materializers.base import BaseMaterializer
    from zenml.materializers.registry import MaterializerRegistry

    state = _get_state()
    if state.materializers is None:
        registry = MaterializerRegistry()
        for plugin_name, materializers in call_each("zenml_materializers"):
            for materializer in materializers or []:
                if not (isinstance(materializer, type)
                        and issubclass(materializer, BaseMaterializer)):
                    logger.warning("Plugin '%s' returned %r from zenml_materializers, not a "
                                   "BaseMaterializer subclass; ignored", plugin_name,
                                   materializer)
                    continue
                registry.register(materializer)
        state.materializers = registry
    return state.materializers


#: The name ``zenml.materializers.build_registry`` has always had; the registry is cached.
build_registry = get_materializer_registry
