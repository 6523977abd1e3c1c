"""Secrets managers: keep the credentials that stack components use.

Components reference a secret's value as ``{{SECRET_NAME.KEY}}``
(:mod:`zenml.secrets_managers.references`); the value is read only in the
process that uses the component.
"""

from zenml._lazy import lazy_exports

__all__ = ["BaseSecretSchema", "BaseSecretsManager", "BaseSecretsManagerConfig"]

__getattr__ = lazy_exports(__name__, {
    "BaseSecretSchema": "zenml.secrets_managers.schemas",
    "BaseSecretsManager": "zenml.secrets_managers.base",
    "BaseSecretsManagerConfig": "zenml.secrets_managers.config",
})
