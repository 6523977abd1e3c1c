"""Which materializer handles which type, and the explicit registration of new ones.

A process has one registry (built once from the plugins' ``zenml_materializers``
hooks by :func:`zenml.plugins.manager.get_materializer_registry`); classes given
to :func:`register_materializer` are added to every registry after the plugins'.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from zenml.errors import MaterializerError
from zenml.materializers.base import BaseMaterializer, type_key

__all__ = ["CoreFirstMaterializers", "MaterializerRegistry", "core_materializers",
           "register_materializer", "registered_materializers"]

M = TypeVar("M", bound=type[BaseMaterializer])

#: Classes given to register_materializer, in order (they outlive a registry's rebuild).
_REGISTERED: list[type[BaseMaterializer]] = []


def _check(materializer: object) -> type[BaseMaterializer]:
    if not (isinstance(materializer, type) and issubclass(materializer, BaseMaterializer)):
        raise TypeError(f"{materializer!r} is not a BaseMaterializer subclass")
    return materializer


def register_materializer(materializer: M) -> M:
    """Use ``materializer`` for its ``ASSOCIATED_TYPES`` in this process (also a decorator).

    For a type that already has one (a built-in or a plugin's), the first
    registered wins; choose another for a step with ``with_return_materializers``.
    """
    _check(materializer)
    if not materializer.ASSOCIATED_TYPES:
        raise ValueError(f"{materializer.__qualname__} has no ASSOCIATED_TYPES; list the types "
                         f"it handles, or choose it per step with with_return_materializers")
    if materializer not in _REGISTERED:
        _REGISTERED.append(materializer)
    return materializer


def registered_materializers() -> list[type[BaseMaterializer]]:
    """The classes given to :func:`register_materializer`, in order."""
    return list(_REGISTERED)


def core_materializers() -> list[type[BaseMaterializer]]:
    """The core's own: Python types, pydantic, numpy, pandas, scikit-learn, services.

    numpy, pandas and scikit-learn are named as strings, so none is imported here.
    """
    from zenml.materializers.builtin import (
        BuiltInMaterializer,
        BytesMaterializer,
        ContainerMaterializer,
        PydanticMaterializer,
    )
    from zenml.materializers.numpy_materializer import NumpyMaterializer
    from zenml.materializers.pandas_materializer import PandasMaterializer
    from zenml.materializers.service_materializer import ServiceMaterializer
    from zenml.materializers.sklearn_materializer import SklearnMaterializer

    return [BuiltInMaterializer, BytesMaterializer, ContainerMaterializer, PydanticMaterializer,
            NumpyMaterializer, PandasMaterializer, SklearnMaterializer, ServiceMaterializer]


class MaterializerRegistry:
    """Materializers keyed by type; a lookup walks the type's MRO.

    The first materializer registered for a type wins, so plugins cannot
    replace the core's built-ins by accident; a step chooses another one
    explicitly with ``with_return_materializers``. Classes given to
    :func:`register_materializer` come after those the registry was built with,
    also when registered later.
    """

    def __init__(self, materializers: list[type[BaseMaterializer]] | None = None) -> None:
        self._by_type: dict[str, type[BaseMaterializer]] = {}
        self._applied = 0  # how many of _REGISTERED are in _by_type
        self._lock = threading.Lock()  # steps of a parallel run look up at once
        for materializer in materializers or []:
            self.register(materializer)

    @classmethod
    def core(cls) -> MaterializerRegistry:
        """The core's materializers and the registered ones (no plugin is asked)."""
        return cls(core_materializers())

    def register(self, materializer: type[BaseMaterializer]) -> None:
        """Add a materializer for each of its associated types."""
        for data_type in _check(materializer).ASSOCIATED_TYPES:
            self._by_type.setdefault(type_key(data_type), materializer)

    def _sync(self) -> None:
        with self._lock:
            while self._applied < len(_REGISTERED):
                self.register(_REGISTERED[self._applied])
                self._applied += 1

    def _nearest(self, data_type: Any) -> tuple[type, type[BaseMaterializer]] | None:
        """The first class along ``data_type``'s MRO with a materializer, and that one."""
        mro = getattr(data_type, "__mro__", None)
        if mro is None:
            return None
        if self._applied < len(_REGISTERED):
            self._sync()
        for base in mro:
            found = self._by_type.get(type_key(base))
            if found is not None:
                return base, found
        return None

    def find(self, data_type: Any) -> type[BaseMaterializer] | None:
        """The materializer for ``data_type`` or its nearest base class."""
        nearest = self._nearest(data_type)
        return None if nearest is None else nearest[1]

    def match(self, annotation: Any, value_type: type) -> type[BaseMaterializer] | None:
        """The materializer for a value of ``value_type`` returned for ``annotation``.

        The most specific registered class along the MRO of either wins: the
        value's, unless the annotation's is not one of its base classes (a
        mixin annotation beside an unrelated registered base keeps the
        annotation's). So ``-> ClassifierMixin`` with an ``SVC`` value, or
        ``-> Shape`` with a ``Square`` value whose class has its own, both work.
        """
        by_value = self._nearest(value_type)
        by_annotation = self._nearest(annotation)
        if by_value is None or by_annotation is None:
            chosen = by_value or by_annotation
            return None if chosen is None else chosen[1]
        return by_value[1] if issubclass(by_value[0], by_annotation[0]) else by_annotation[1]

    def get(self, data_type: Any, what: str = "") -> type[BaseMaterializer]:
        """Like :meth:`find`, but a missing materializer is a clear error."""
        found = self.find(data_type)
        if found is None:
            raise self.missing(data_type, what)
        return found

    @staticmethod
    def missing(data_type: Any, what: str = "") -> MaterializerError:
        """The one-line error for a type no materializer handles (``what``: where it is)."""
        name = getattr(data_type, "__qualname__", repr(data_type))
        where = f" for {what}" if what else ""
        return MaterializerError(
            f"No materializer{where} of type {name}; pass one with "
            f"step.with_return_materializers(...) or register a "
            f"zenml.materializers.BaseMaterializer subclass with ASSOCIATED_TYPES = "
            f"({name},) with zenml.materializers.register_materializer")

    def __contains__(self, data_type: object) -> bool:
        return self.find(data_type) is not None


class CoreFirstMaterializers(MaterializerRegistry):
    """Answers a type the core's materializers name exactly (``int``, ``dict``,
    ``numpy.ndarray``, ...) without loading any plugin: the first materializer
    registered for a type wins and the core's are registered first, so neither a
    plugin nor :func:`register_materializer` can change that answer. Anything else (a
    subclass, a type the core does not name, a registration) goes to the full
    registry ``full()`` builds from every plugin and the registered classes."""

    def __init__(self, full: Callable[[], MaterializerRegistry]) -> None:
        super().__init__()
        # the core's alone: looked up by exact type, never synced with the registered ones
        self._core = MaterializerRegistry(core_materializers())._by_type
        self._full = full

    def register(self, materializer: type[BaseMaterializer]) -> None:
        """Add a materializer to the full registry."""
        self._full().register(materializer)

    def _nearest(self, data_type: Any) -> tuple[type, type[BaseMaterializer]] | None:
        if isinstance(data_type, type):  # not list[int]: a generic alias passes __mro__ on
            found = self._core.get(type_key(data_type))
            if found is not None:
                return data_type, found
        return self._full()._nearest(data_type)
