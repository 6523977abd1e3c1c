"""Metadata stores: the record of runs, steps, artifacts and lineage."""

from zenml._lazy import lazy_exports

__all__ = [
    "BaseMetadataStore",
    "BaseMetadataStoreConfig",
    "SQLiteMetadataStore",
    "SQLiteMetadataStoreConfig",
]

__getattr__ = lazy_exports(__name__, {
    "BaseMetadataStore": "zenml.metadata_stores.base",
    "BaseMetadataStoreConfig": "zenml.metadata_stores.config",
    "SQLiteMetadataStore": "zenml.metadata_stores.sqlite",
    "SQLiteMetadataStoreConfig": "zenml.metadata_stores.config",
})
