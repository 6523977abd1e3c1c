"""Container registries: where the images of remote steps are pushed."""

from zenml._lazy import lazy_exports

__all__ = ["BaseContainerRegistry", "BaseContainerRegistryConfig", "DefaultContainerRegistryConfig"]

__getattr__ = lazy_exports(__name__, {
    "BaseContainerRegistry": "zenml.container_registries.base",
    "BaseContainerRegistryConfig": "zenml.container_registries.config",
    "DefaultContainerRegistryConfig": "zenml.container_registries.config",
})
