"""Orchestrators: where and how a pipeline's steps run."""

from zenml._lazy import lazy_exports

__all__ = [
    "BaseOrchestrator",
    "BaseOrchestratorConfig",
    "LocalOrchestrator",
    "LocalOrchestratorConfig",
]

__getattr__ = lazy_exports(__name__, {
    "BaseOrchestrator": "zenml.orchestrators.base",
    "BaseOrchestratorConfig": "zenml.orchestrators.config",
    "LocalOrchestrator": "zenml.orchestrators.local",
    "LocalOrchestratorConfig": "zenml.orchestrators.config",
})
