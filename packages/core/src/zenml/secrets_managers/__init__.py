"""Secrets managers: keep the credentials that stack components use."""

from zenml._lazy import lazy_exports

__all__ = ["BaseSecretsManager", "BaseSecretsManagerConfig"]

__getattr__ = lazy_exports(__name__, {
    "BaseSecretsManager": "zenml.secrets_managers.base",
    "BaseSecretsManagerConfig": "zenml.secrets_managers.config",
})
