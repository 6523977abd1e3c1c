"""Finding, loading and calling plugins.

Plugins come from the ``zenml`` entry-point group, read once per process
(by :mod:`zenml.plugins.entry_points`, without importlib.metadata's import cost).
The core's own flavors are the built-in plugin ``zenml``. A plugin that
fails to import (or whose hooks fail) is reported by name as a warning and
skipped; ``ZENML_DEBUG_PLUGINS=1`` re-raises instead.
``ZENML_DISABLE_PLUGINS=a,b`` blocks plugins by entry-point name.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from zenml.__about__ import __version__
from zenml.plugins import PROJECT_NAME

if TYPE_CHECKING:
    import logging

    import pluggy

    from zenml.materializers.registry import MaterializerRegistry
    from zenml.stack.flavor_registry import FlavorRegistry

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginRecord",
    "build_registry",
    "call_each",
    "get_flavor_lookup",
    "get_flavor_registry",
    "get_materializer_lookup",
    "get_materializer_registry",
    "get_plugin_manager",
    "plugin_records",
    "register_plugin",
    "reset_plugins",
    "unregister_plugin",
]

#: Called once before this module logs its first record (the CLI sets up its console
#: logging then): loading plugins does not import logging unless one has something to say.
_log_setup: Callable[[], None] | None = None


def set_log_setup(setup: Callable[[], None] | None) -> None:
    """Have ``setup()`` run once before the plugin manager logs its first record."""
    global _log_setup
    _log_setup = setup


def _logger() -> logging.Logger:
    import logging

    global _log_setup
    setup, _log_setup = _log_setup, None
    if setup is not None:
        setup()
    return logging.getLogger(__name__)

ENTRY_POINT_GROUP = "zenml"
BUILTIN_NAME = "zenml"


class PluginRecord:
    """One plugin as ``zenml plugins`` shows it.

    A plain class with a dataclass's constructor, equality and repr: every
    ``zenml`` command (``--help`` too) loads the plugins, and defining a
    dataclass costs more than the rest of this module.
    """

    __slots__ = ("distribution", "error", "hooks", "name", "status", "version")

    def __init__(self, name: str, distribution: str, version: str, status: str,
                 error: str = "", hooks: list[str] | None = None) -> None:
        self.name = name
        self.distribution = distribution
        self.version = version
        self.status = status  # "loaded", "failed" or "disabled"
        self.error = error
        self.hooks: list[str] = [] if hooks is None else hooks

    def _fields(self) -> tuple[Any, ...]:
        return (self.name, self.distribution, self.version, self.status, self.error,
                self.hooks)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PluginRecord):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"PluginRecord(name={self.name!r}, distribution={self.distribution!r}, "
                f"version={self.version!r}, status={self.status!r}, error={self.error!r}, "
                f"hooks={self.hooks!r})")


class _State:
    """The loaded plugins and what was built from them (per process)."""

    def __init__(self, manager: pluggy.PluginManager, records: list[PluginRecord]) -> None:
        self.manager = manager
        self.records = records
        self.flavors: FlavorRegistry | None = None
        self.materializers: MaterializerRegistry | None = None


_state: _State | None = None
#: The core-first lookup: valid whatever plugins are loaded later (it asks the full
#: registry, rebuilt after a plugin is (un)registered, for everything but the core's).
_core_lookup: FlavorRegistry | None = None
#: The core-first materializer lookup (valid as the flavor one is).
_core_materializers: MaterializerRegistry | None = None


def _debug() -> bool:
    return os.environ.get("ZENML_DEBUG_PLUGINS", "") not in ("", "0", "false")


def _disabled() -> set[str]:
    raw = os.environ.get("ZENML_DISABLE_PLUGINS", "")
    return {name.strip() for name in raw.split(",") if name.strip()}


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".splitlines()[0]


def _load() -> _State:
    import pluggy

    from zenml.plugins import builtin, hookspecs
    from zenml.plugins.entry_points import entry_points

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
        dist_name, version = ep.distribution, ep.version
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
            _logger().warning(
                "Plugin '%s' (%s %s, entry point %s) failed to load and is skipped: %s",
                ep.name, dist_name, version, ep.value, record.error,
            )
    for record in records:
        plugin = manager.get_plugin(record.name)
        if plugin is not None:
            record.hooks = sorted(h.name for h in manager.get_hookcallers(plugin) or [])
    if "logging" in sys.modules:  # else nothing is set up that would show a debug record
        _logger().debug("Registered %d plugin(s): %s", len(records),
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
    # registration order, the core's own first: pluggy would put a plugin's
    # @hookimpl(trylast=True) before it, and the core's flavors and materializers must
    # win (the first registration of a name or type does)
    impls = sorted(caller.get_hookimpls(), key=lambda impl: impl.plugin_name != BUILTIN_NAME)
    for impl in impls:
        function: Callable[..., Any] = impl.function
        try:
            result = function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
        except Exception as error:
            if _debug():
                raise
            message = _describe(error)
            _logger().warning("Plugin '%s' failed in %s and is skipped: %s",
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
                    _logger().warning("Plugin '%s' returned %r from zenml_flavors, not a "
                                      "Flavor; ignored", plugin_name, flavor)
                    continue
                if flavor.integration is None and plugin_name != BUILTIN_NAME:
                    import dataclasses

                    flavor = dataclasses.replace(flavor, integration=plugin_name)
                registry.add(flavor)
        state.flavors = registry
    return state.flavors


def get_flavor_lookup() -> FlavorRegistry:
    """A registry for finding flavors by name that answers the core's without running
    the plugins' flavor hooks, importing only the config class asked for (importing
    every plugin's config classes costs more than reading a store); anything else
    (listing, a plugin's flavor, a missing one) reads :func:`get_flavor_registry`.
    The same answers: the core's flavors are registered first and the first
    registration of a name wins."""
    global _core_lookup
    if _state is not None and _state.flavors is not None:
        return _state.flavors
    if _core_lookup is None:
        from zenml.plugins.flavor_lookup import CoreFirstRegistry

        _core_lookup = CoreFirstRegistry(get_flavor_registry)
    return _core_lookup


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
                    _logger().warning("Plugin '%s' returned %r from zenml_materializers, "
                                      "not a BaseMaterializer subclass; ignored", plugin_name,
                                      materializer)
                    continue
                registry.register(materializer)
        state.materializers = registry
    return state.materializers


def get_materializer_lookup() -> MaterializerRegistry:
    """A registry for finding materializers that answers the types the core's name
    exactly without loading the plugins, and asks :func:`get_materializer_registry`
    for anything else (the same answers; see
    :class:`~zenml.materializers.registry.CoreFirstMaterializers`)."""
    global _core_materializers
    if _core_materializers is None:
        from zenml.materializers.registry import CoreFirstMaterializers

        _core_materializers = CoreFirstMaterializers(get_materializer_registry)
    return _core_materializers


#: The name ``zenml.materializers.build_registry`` has always had; the registry is cached.
build_registry = get_materializer_registry
