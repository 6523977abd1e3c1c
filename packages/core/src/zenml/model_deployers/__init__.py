"""Model deployers: serve trained models."""

from zenml._lazy import lazy_exports

__all__ = ["BaseModelDeployer", "BaseModelDeployerConfig"]

__getattr__ = lazy_exports(__name__, {
    "BaseModelDeployer": "zenml.model_deployers.base",
    "BaseModelDeployerConfig": "zenml.model_deployers.config",
})
