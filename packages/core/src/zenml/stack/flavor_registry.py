"""The flavors known to this process, keyed by component type and name."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from zenml.errors import FlavorNotInstalled
from zenml.stack.component_type import StackComponentType
from zenml.stack.flavor import Flavor

__all__ = ["FlavorRegistry"]

logger = logging.getLogger(__name__)


class FlavorRegistry:
    """Flavors by (type, name); the first registration of a name wins."""

    def __init__(self, flavors: Iterable[Flavor] = ()) -> None:
        self._flavors: dict[tuple[StackComponentType, str], Flavor] = {}
        for flavor in flavors:
            self.add(flavor)

    def add(self, flavor: Flavor) -> None:
        """Register ``flavor``; a second flavor of the same name is ignored."""
        key = (flavor.type, flavor.name)
        existing = self._flavors.get(key)
        if existing is not None and existing is not flavor:
            logger.warning(
                "Flavor '%s' (%s) from %s ignored: already provided by %s",
                flavor.name, flavor.type.display_name,
                flavor.integration or "zenml", existing.integration or "zenml",
            )
            return
        self._flavors[key] = flavor

    def list(self, type: StackComponentType | None = None) -> list[Flavor]:
        """Every flavor (of one type), sorted by type and name."""
        return sorted(
            (f for f in self._flavors.values() if type is None or f.type == type),
            key=lambda f: (f.type.value, f.name),
        )

    def find(self, type: StackComponentType, name: str) -> Flavor | None:
        """The flavor, or None when it is not installed."""
        return self._flavors.get((type, name))

    def get(self, type: StackComponentType, name: str) -> Flavor:
        """The flavor; :class:`~zenml.errors.FlavorNotInstalled` naming the installed ones."""
        flavor = self.find(type, name)
        if flavor is None:
            raise FlavorNotInstalled(type, name, tuple(f.name for f in self.list(type)))
        return flavor
