"""Materializers: how step outputs are written to and read from the artifact store."""

from zenml._lazy import lazy_exports

__all__ = ["BaseMaterializer", "MaterializerRegistry", "build_registry"]

__getattr__ = lazy_exports(__name__, {
    "BaseMaterializer": "zenml.materializers.base",
    "MaterializerRegistry": "zenml.materializers.registry",
    "build_registry": "zenml.materializers.registry",
})
