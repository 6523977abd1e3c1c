"""The core's own flavors, registered through the same hooks as any plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl

if TYPE_CHECKING:
    from zenml.stack.flavor import Flavor


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """The ``local`` orchestrator and artifact store, ``sqlite`` metadata store,
    ``default`` container registry and ``local`` secrets manager."""
    from zenml.plugins.core_flavors import CORE_FLAVORS, core_flavor

    return [flavor for type_, name in CORE_FLAVORS
            if (flavor := core_flavor(type_, name)) is not None]


@hookimpl
def zenml_materializers() -> list[type]:
    """Python's own types, pydantic models, numpy, pandas, scikit-learn and model services.

    The numpy, pandas and scikit-learn materializers name their types as
    strings, so none of those libraries is imported until an object of
    theirs is stored.
    """
    from zenml.materializers.registry import core_materializers

    return list(core_materializers())
