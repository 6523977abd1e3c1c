"""Which materializer handles which type."""

from __future__ import annotations

from typing import Any

from zenml.errors import MaterializerError
from zenml.materializers.base import _DEFINED, BaseMaterializer, type_key

__all__ = ["MaterializerRegistry", "build_registry"]


class MaterializerRegistry:
    """Materializers keyed by type; a lookup walks the type's MRO.

    The first materializer registered for a type wins, so plugins cannot
    replace the core's built-ins by accident; a step chooses another one
    explicitly with ``with_return_materializers``.
    """

    def __init__(self) -> None:
        self._by_type: dict[str, type[BaseMaterializer]] = {}

    def register(self, materializer: type[BaseMaterializer]) -> None:
        """Add a materializer for each of its associated types."""
        if not (isinstance(materializer, type) and issubclass(materializer, BaseMaterializer)):
            raise TypeError(f"{materializer!r} is not a BaseMaterializer subclass")
        for data_type in materializer.ASSOCIATED_TYPES:
            self._by_type.setdefault(type_key(data_type), materializer)

    def find(self, data_type: Any) -> type[BaseMaterializer] | None:
        """The materializer for ``data_type`` or its nearest base class."""
        mro = getattr(data_type, "__mro__", None)
        if mro is None:
            return None
        for base in mro:
            found = self._by_type.get(type_key(base))
            if found is not None:
                return found
        return None

    def get(self, data_type: Any, what: str = "") -> type[BaseMaterializer]:
        """Like :meth:`find`, but a missing materializer is a clear error."""
        found = self.find(data_type)
        if found is None:
            name = getattr(data_type, "__qualname__", repr(data_type))
            where = f" for {what}" if what else ""
            msg = (
                f"No materializer{where} of type {name}; pass one with "
                f"step.with_return_materializers(...) or subclass "
                f"zenml.materializers.BaseMaterializer with ASSOCIATED_TYPES = ({name},)"
            )
            raise MaterializerError(msg)
        return found

    def __contains__(self, data_type: object) -> bool:
        return self.find(data_type) is not None


def build_registry() -> MaterializerRegistry:
    """The plugins' materializers (the core's first), then user-defined ones."""
    from zenml.plugins.manager import call_each

    registry = MaterializerRegistry()
    for _plugin, materializers in call_each("zenml_materializers"):
        for materializer in materializers or []:
            registry.register(materializer)
    for materializer in _DEFINED:
        registry.register(materializer)
    return registry
