"""Materializers: how step outputs are written to and read from the artifact store.

``build_registry()`` is the process's registry (built once from the plugins, then
cached; kept under this name for compatibility).
"""

from zenml._lazy import lazy_exports

__all__ = ["ArtifactContext", "BaseMaterializer", "MaterializerRegistry", "build_registry",
           "register_materializer"]

__getattr__ = lazy_exports(__name__, {
    "ArtifactContext": "zenml.materializers.base",
    "BaseMaterializer": "zenml.materializers.base",
    "MaterializerRegistry": "zenml.materializers.registry",
    "build_registry": "zenml.plugins.manager",
    "register_materializer": "zenml.materializers.registry",
})
