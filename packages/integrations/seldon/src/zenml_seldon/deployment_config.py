"""``SeldonDeploymentConfig``: what one served model looks like (pydantic only)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from zenml.model_deployers.service import ServiceConfig

__all__ = [
    "CUSTOM_IMPLEMENTATION",
    "LOCAL_METHODS",
    "METHOD_PARAMETER",
    "PREPACKAGED_SERVERS",
    "SERVER_METHODS",
    "SeldonDeploymentConfig",
]

#: Seldon Core's prepackaged model servers (``implementation``), and the MLServer
#: runtime that serves each one locally (None: no MLServer runtime exists).
PREPACKAGED_SERVERS: dict[str, str | None] = {
    "SKLEARN_SERVER": "mlserver_sklearn.SKLearnModel",
    "XGBOOST_SERVER": "mlserver_xgboost.XGBoostModel",
    "MLFLOW_SERVER": "mlserver_mlflow.MLflowRuntime",
    "TENSORFLOW_SERVER": None,
}
#: The ``method`` parameter of the servers that take one: Seldon Core 1.x's
#: SKLEARN_SERVER answers ``predict_proba`` unless told otherwise (the other
#: prepackaged servers take no ``method``: they answer their library's ``predict``).
METHOD_PARAMETER = "method"
#: implementation -> (the method it answers by default, the methods it accepts).
SERVER_METHODS: dict[str, tuple[str, tuple[str, ...]]] = {
    "SKLEARN_SERVER": ("predict_proba", ("predict", "predict_proba", "decision_function")),
}
#: The methods MLServer's runtime of an implementation can answer (local mode, and the
#: V2 protocol on Kubernetes, which Seldon Core serves with MLServer too).
LOCAL_METHODS: dict[str, tuple[str, ...]] = {"SKLEARN_SERVER": ("predict", "predict_proba")}
#: A model server of your own: an image (kubernetes mode) or an MLServer runtime class (local).
CUSTOM_IMPLEMENTATION = "custom"

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class SeldonDeploymentConfig(ServiceConfig):
    """One model served by the ``seldon`` model deployer.

    ``model_name`` names the model in prediction URLs (and the Seldon graph
    node): lower-case letters, digits and ``-``. The pipeline fields and
    ``model_uri`` are filled in by :func:`zenml_seldon.seldon_model_deployer_step`.
    """

    implementation: str = Field(
        default="SKLEARN_SERVER",
        description="Seldon Core prepackaged server (SKLEARN_SERVER, XGBOOST_SERVER, "
                    "TENSORFLOW_SERVER, MLFLOW_SERVER) or 'custom'.")
    replicas: int = Field(default=1, ge=1, le=1000, description="Pods serving the model "
                                                                "(kubernetes mode).")
    protocol: Literal["v2", "seldon"] = Field(
        default="v2", description="Prediction protocol: 'v2' (V2 inference protocol, what "
                                  "MLServer speaks) or 'seldon' (Seldon's v1 protocol; "
                                  "kubernetes mode only).")
    parameters: dict[str, bool | int | float | str] = Field(
        default_factory=dict, description="Parameters passed to the model server.")
    resources: dict[Literal["requests", "limits"], dict[str, str]] | None = Field(
        default=None, description="Kubernetes resources of the model container, e.g. "
                                  "{'limits': {'cpu': '1', 'memory': '1Gi'}}.")
    image: str | None = Field(default=None, description="Container image serving the model "
                                                        "(implementation 'custom', kubernetes).")
    mlserver_implementation: str | None = Field(
        default=None, description="Import path of the MLServer runtime class serving the model "
                                  "(implementation 'custom', local mode).")
    secret_name: str | None = Field(
        default=None, description="Kubernetes secret with the credentials Seldon uses to "
                                  "download the model (kubernetes mode); overrides the model "
                                  "deployer's 'secret'.")

    @property
    def method(self) -> str | None:
        """What the server answers: the ``method`` parameter, else the server's default
        (``predict_proba`` for SKLEARN_SERVER, as Seldon Core's); None for servers that take
        no ``method`` (they answer ``predict``) and for custom servers."""
        if self.implementation not in SERVER_METHODS:
            return None
        default, _ = SERVER_METHODS[self.implementation]
        return str(self.parameters.get(METHOD_PARAMETER, default))

    def server_parameters(self) -> dict[str, bool | int | float | str]:
        """The parameters the server is given, with ``method`` always explicit (so the
        answer never depends on a server's default)."""
        parameters = dict(self.parameters)
        if self.method is not None:
            parameters[METHOD_PARAMETER] = self.method
        return parameters

    @field_validator("model_name")
    @classmethod
    def _model_name(cls, value: str) -> str:
        if not (_DNS_LABEL.match(value) and len(value) <= 63):
            raise ValueError(f"model_name '{value}' must be lower-case letters, digits and '-' "
                             f"(at most 63 characters, starting and ending with a letter or "
                             f"digit), e.g. 'iris-classifier'")
        return value

    @field_validator("implementation")
    @classmethod
    def _implementation(cls, value: str) -> str:
        if value != CUSTOM_IMPLEMENTATION and value not in PREPACKAGED_SERVERS:
            known = ", ".join([*PREPACKAGED_SERVERS, CUSTOM_IMPLEMENTATION])
            raise ValueError(f"implementation '{value}' is not one of {known}")
        return value

    @model_validator(mode="after")
    def _method(self) -> SeldonDeploymentConfig:
        if METHOD_PARAMETER not in self.parameters or self.implementation == CUSTOM_IMPLEMENTATION:
            return self
        if self.implementation not in SERVER_METHODS:
            raise ValueError(f"{self.implementation} takes no '{METHOD_PARAMETER}' parameter (it "
                             f"answers the model's predict); remove it from parameters")
        _, accepted = SERVER_METHODS[self.implementation]
        if self.method not in accepted:
            raise ValueError(f"parameters.{METHOD_PARAMETER} '{self.method}' of "
                             f"{self.implementation} is not one of {', '.join(accepted)}")
        if self.protocol == "v2" and self.method not in LOCAL_METHODS.get(self.implementation, ()):
            raise ValueError(f"parameters.{METHOD_PARAMETER} '{self.method}' needs protocol "
                             f"'seldon' (the V2 protocol is served by MLServer, whose "
                             f"{self.implementation} runtime cannot answer it)")
        return self
