"""Model deployers: serve trained models as prediction services."""

from zenml._lazy import lazy_exports

__all__ = [
    "DEFAULT_SERVICE_TIMEOUT",
    "BaseModelDeployer",
    "BaseModelDeployerConfig",
    "BaseService",
    "ServiceConfig",
    "ServiceError",
    "ServiceNotFoundError",
    "ServiceRegistry",
    "ServiceState",
    "ServiceStatus",
    "ServiceTimeoutError",
]

__getattr__ = lazy_exports(__name__, {
    "BaseModelDeployer": "zenml.model_deployers.base",
    "BaseModelDeployerConfig": "zenml.model_deployers.config",
    "ServiceRegistry": "zenml.model_deployers.registry",
    **{name: "zenml.model_deployers.service" for name in (
        "DEFAULT_SERVICE_TIMEOUT", "BaseService", "ServiceConfig", "ServiceError",
        "ServiceNotFoundError", "ServiceState", "ServiceStatus", "ServiceTimeoutError")},
})
