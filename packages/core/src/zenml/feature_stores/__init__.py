"""Feature stores: serve features to training and inference."""

from zenml._lazy import lazy_exports

__all__ = ["BaseFeatureStore", "BaseFeatureStoreConfig"]

__getattr__ = lazy_exports(__name__, {
    "BaseFeatureStore": "zenml.feature_stores.base",
    "BaseFeatureStoreConfig": "zenml.feature_stores.config",
})
