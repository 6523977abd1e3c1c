"""zenml-seldon: Seldon Core model deployer (MLServer for local serving) for zenml.

zenml finds this integration through the ``seldon`` entry point of the
``zenml`` group (:mod:`zenml_seldon.plugin`); importing the package is light:
the names below are imported on first use.
"""

from __future__ import annotations

from zenml._lazy import lazy_exports
from zenml_seldon.__about__ import __version__

__all__ = [
    "MLServerService",
    "SeldonDeployerStepConfig",
    "SeldonDeploymentConfig",
    "SeldonDeploymentService",
    "SeldonModelDeployer",
    "SeldonModelDeployerConfig",
    "__version__",
    "seldon_model_deployer_step",
]

__getattr__ = lazy_exports(__name__, {
    "MLServerService": "zenml_seldon.local",
    "SeldonDeployerStepConfig": "zenml_seldon.steps",
    "SeldonDeploymentConfig": "zenml_seldon.deployment_config",
    "SeldonDeploymentService": "zenml_seldon.cluster",
    "SeldonModelDeployer": "zenml_seldon.model_deployer",
    "SeldonModelDeployerConfig": "zenml_seldon.flavors",
    "seldon_model_deployer_step": "zenml_seldon.steps",
})
