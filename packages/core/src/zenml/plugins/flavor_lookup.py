"""Finding a flavor by name with the core's answered before any plugin is loaded."""

from __future__ import annotations

from collections.abc import Callable

from zenml.plugins.core_flavors import core_flavor
from zenml.stack.component_type import StackComponentType
from zenml.stack.flavor import Flavor
from zenml.stack.flavor_registry import FlavorRegistry

__all__ = ["CoreFirstRegistry"]


class CoreFirstRegistry(FlavorRegistry):
    """Answers :meth:`find` (and so :meth:`get`) for the core's flavors by importing that
    flavor's config class alone (:func:`core_flavor`), with no plugin loaded; anything
    else (listing, adding, a plugin's flavor, a missing one) goes to the full registry
    ``full()`` builds, which loads the plugins and runs every flavor hook once."""

    def __init__(self, full: Callable[[], FlavorRegistry]) -> None:
        super().__init__()
        self._full = full
        self._core: dict[tuple[StackComponentType, str], Flavor | None] = {}

    def add(self, flavor: Flavor) -> None:
        """Register ``flavor`` in the full registry."""
        self._full().add(flavor)

    def list(self, type: StackComponentType | None = None) -> list[Flavor]:
        """Every flavor (of one type), from the full registry."""
        return self._full().list(type)

    def find(self, type: StackComponentType, name: str) -> Flavor | None:
        """The core's flavor of that name, else the full registry's."""
        key = (type, name)
        if key not in self._core:
            self._core[key] = core_flavor(type.value, name)
        return self._core[key] or self._full().find(type, name)
