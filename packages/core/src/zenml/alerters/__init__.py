"""Alerters: send messages from pipelines to people."""

from zenml._lazy import lazy_exports

__all__ = ["BaseAlerter", "BaseAlerterConfig"]

__getattr__ = lazy_exports(__name__, {
    "BaseAlerter": "zenml.alerters.base",
    "BaseAlerterConfig": "zenml.alerters.config",
})
