"""Artifact stores: where the artifacts of pipeline runs are kept."""

from zenml._lazy import lazy_exports

__all__ = [
    "BaseArtifactStore",
    "BaseArtifactStoreConfig",
    "LocalArtifactStore",
    "LocalArtifactStoreConfig",
]

__getattr__ = lazy_exports(__name__, {
    "BaseArtifactStore": "zenml.artifact_stores.base",
    "BaseArtifactStoreConfig": "zenml.artifact_stores.config",
    "LocalArtifactStore": "zenml.artifact_stores.local",
    "LocalArtifactStoreConfig": "zenml.artifact_stores.config",
})
