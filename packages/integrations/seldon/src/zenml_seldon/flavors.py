"""The flavors of zenml-seldon: the ``seldon`` model deployer's config class and flavor.

Only pydantic and zenml are imported here, never kubernetes or mlserver: the
CLI imports this module to list and register flavors with every
integration installed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from zenml.errors import StackValidationError
from zenml.model_deployers.config import BaseModelDeployerConfig
from zenml.stack.component_type import StackComponentType
from zenml.stack.config import ComponentSpec
from zenml.stack.flavor import Flavor

__all__ = [
    "SELDON_MODEL_DEPLOYER_FLAVOR",
    "SeldonModelDeployerConfig",
    "seldon_model_deployer_flavor",
]

SELDON_MODEL_DEPLOYER_FLAVOR = "seldon"

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class SeldonModelDeployerConfig(BaseModelDeployerConfig):
    """Serves models with Seldon Core on Kubernetes, or with MLServer on this machine.

    Attributes:
        mode: ``kubernetes`` (a SeldonDeployment per model) or ``local`` (an
            MLServer process per model on this machine).
        kubernetes_context: kubeconfig context of the cluster (kubernetes mode).
        kubernetes_namespace: namespace of the SeldonDeployments (kubernetes mode).
        base_url: the cluster's ingress URL predictions go through (kubernetes mode).
        secret: name of the Kubernetes secret with the credentials Seldon's model
            initializer uses to download models from the artifact store.
    """

    mode: Literal["kubernetes", "local"] = Field(
        default="kubernetes",
        description="'kubernetes': a SeldonDeployment per model in a cluster running Seldon "
                    "Core; 'local': an MLServer process per model on this machine.")
    kubernetes_context: str | None = Field(
        default=None,
        description="kubeconfig context of the cluster (kubernetes mode; default: the current "
                    "context, or the in-cluster configuration inside a pod).")
    kubernetes_namespace: str | None = Field(
        default=None,
        description="Namespace of the SeldonDeployments (kubernetes mode; default: the "
                    "context's namespace, else 'default').")
    base_url: str | None = Field(
        default=None, validate_default=True,
        description="Ingress URL of the cluster (Istio or Ambassador) that predictions go "
                    "through, e.g. http://INGRESS_HOST (required in kubernetes mode).")
    secret: str | None = Field(
        default=None,
        description="Name of the Kubernetes secret (in the namespace) holding the credentials "
                    "Seldon uses to download models from the artifact store (kubernetes mode).")

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            if info.data.get("mode", "kubernetes") == "kubernetes":
                raise ValueError("required in kubernetes mode: the ingress URL predictions go "
                                 "through (e.g. --base_url=http://INGRESS_HOST), or use "
                                 "--mode=local to serve models on this machine")
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"'{value}' is not an http:// or https:// URL")
        return value

    @field_validator("kubernetes_namespace", "secret")
    @classmethod
    def _k8s_name(cls, value: str | None) -> str | None:
        if value is not None and not (_DNS_LABEL.match(value) and len(value) <= 63):
            raise ValueError(f"'{value}' is not a Kubernetes name (lower-case letters, digits "
                             f"and '-', at most 63 characters)")
        return value

    @property
    def is_local(self) -> bool:
        """In local mode the model servers run on this machine only."""
        return self.mode == "local"

    def validate_stack(self, stack: Mapping[StackComponentType, ComponentSpec]) -> None:
        """Kubernetes mode needs an artifact store the cluster can download models from."""
        if self.mode != "kubernetes":
            return
        store = stack.get(StackComponentType.ARTIFACT_STORE)
        deployer = stack.get(StackComponentType.MODEL_DEPLOYER)
        if store is not None and store.config.is_local:
            name = f"'{deployer.name}' " if deployer is not None else ""
            raise StackValidationError(
                f"Model deployer {name}(seldon, kubernetes mode) cannot serve models from the "
                f"local artifact store '{store.name}': Seldon Core downloads them from the "
                f"artifact store; use a remote artifact store (e.g. s3) or a seldon model "
                f"deployer registered with --mode=local")


def seldon_model_deployer_flavor() -> Flavor:
    """The ``seldon`` model deployer flavor."""
    return Flavor(
        name=SELDON_MODEL_DEPLOYER_FLAVOR,
        type=StackComponentType.MODEL_DEPLOYER,
        config_class=SeldonModelDeployerConfig,
        implementation="zenml_seldon.model_deployer:SeldonModelDeployer",
        integration="seldon",
    )
