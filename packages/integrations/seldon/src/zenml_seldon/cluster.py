"""Kubernetes mode: each model a SeldonDeployment, driven through the kubernetes client.

The cluster is the record: every SeldonDeployment zenml creates carries the
labels of its model deployer and service and, in an annotation, the
service's record, so any process with access to the cluster finds, queries,
stops and deletes the same services. ``stop`` scales the deployment to zero
replicas (and marks it stopped); ``start`` scales it back; ``delete`` deletes
it. The kubernetes package is imported only when a cluster is used; the API
access itself (:class:`SeldonClient`) lives in :mod:`zenml_seldon.kube`.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, ClassVar

from zenml.model_deployers.local import http_post_json
from zenml.model_deployers.service import (
    DEFAULT_SERVICE_TIMEOUT,
    BaseService,
    ServiceConfig,
    ServiceError,
    ServiceState,
    ServiceStatus,
    ServiceTimeoutError,
)
from zenml_seldon.deployment_config import SeldonDeploymentConfig
from zenml_seldon.kube import SeldonClient
from zenml_seldon.manifest import (
    LABEL_DEPLOYER,
    LABEL_MANAGED_BY,
    RECORD_ANNOTATION,
    STOPPED_ANNOTATION,
    build_manifest,
    deployment_name,
    label_value,
)

__all__ = ["SeldonClient", "SeldonDeploymentService", "services_in_cluster"]

logger = logging.getLogger("zenml.seldon")


def _client_for(attrs: dict[str, Any]) -> SeldonClient:
    return SeldonClient(context=attrs.get("kubernetes_context"), namespace=attrs.get("namespace"))


class SeldonDeploymentService(BaseService):
    """A model served by Seldon Core in a Kubernetes cluster (one SeldonDeployment).

    It also names a model served in local mode: :class:`zenml_seldon.local.MLServerService`
    is registered as a virtual subclass, so ``isinstance(service, SeldonDeploymentService)``
    and steps annotated with it accept the services of both modes.
    """

    CONFIG_CLASS: ClassVar[type[ServiceConfig]] = SeldonDeploymentConfig
    SERVICE_TYPE: ClassVar[str] = "SeldonDeployment"

    config: SeldonDeploymentConfig

    def __init__(self, config: ServiceConfig, *, client: SeldonClient | None = None,
                 **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self._client = client

    @property
    def client(self) -> SeldonClient:
        """The client of the service's cluster and namespace (created on first use)."""
        if self._client is None:
            self._client = _client_for(self.attrs)
        return self._client

    @property
    def name(self) -> str:
        """The SeldonDeployment's name."""
        return deployment_name(self.uuid)

    @property
    def namespace(self) -> str:
        """The namespace of the SeldonDeployment."""
        return str(self.attrs.get("namespace") or self.client.namespace)

    def _record_for_annotation(self) -> dict[str, Any]:
        record = self.to_record()
        record["attrs"] = {k: v for k, v in record["attrs"].items() if k != "manifest"}
        return record

    def manifest(self, stopped: bool = False) -> dict[str, Any]:
        """The SeldonDeployment serving the current config (validated against the CRD)."""
        return build_manifest(uuid=self.uuid, deployer_id=self.deployer_id,
                              namespace=self.namespace, config=self.config,
                              secret=self.secret,
                              record=self._record_for_annotation(), stopped=stopped)

    # -- state ---------------------------------------------------------------------------

    def check_status(self) -> ServiceStatus:
        """From the SeldonDeployment's ``status.state`` (Available, Creating, Failed)."""
        return self._status_of(self.client.get(self.name))

    @staticmethod
    def _status_of(obj: dict[str, Any] | None) -> ServiceStatus:
        if obj is None:
            return ServiceStatus(ServiceState.STOPPED, "no SeldonDeployment in the cluster")
        annotations = obj.get("metadata", {}).get("annotations") or {}
        if annotations.get(STOPPED_ANNOTATION) == "true":
            return ServiceStatus(ServiceState.STOPPED, "scaled to 0 replicas")
        status = obj.get("status") or {}
        state = str(status.get("state", ""))
        description = str(status.get("description", ""))
        if state == "Available":
            return ServiceStatus(ServiceState.RUNNING, description)
        if state == "Failed":
            return ServiceStatus(ServiceState.ERROR, description or "Seldon Core reports Failed")
        return ServiceStatus(ServiceState.STARTING,
                             description or (f"Seldon Core reports {state}" if state else
                                             "waiting for the Seldon Core operator"))

    @property
    def prediction_url(self) -> str | None:
        """Through the ingress: ``BASE_URL/seldon/NAMESPACE/NAME/...`` (V2 or v1 path)."""
        base = self.attrs.get("base_url")
        if not base:
            return None
        root = f"{base}/seldon/{self.namespace}/{self.name}"
        if self.config.protocol == "seldon":
            return f"{root}/api/v1.0/predictions"
        return f"{root}/v2/models/{self.config.model_name}/infer"

    # -- life cycle ----------------------------------------------------------------------

    @property
    def secret(self) -> str | None:
        """The secret Seldon downloads the model with: the config's ``secret_name``, else
        the model deployer's ``secret``."""
        return self.config.secret_name or self.attrs.get("secret") or None

    def _check_secret(self) -> None:
        secret = self.secret
        change = ("the service config's secret_name" if self.config.secret_name
                  else "the model deployer's --secret")
        if secret and self.client.secret_exists(secret) is False:
            raise ServiceError(
                f"Secret '{secret}' does not exist in namespace '{self.namespace}': create it "
                f"with the artifact store's credentials (kubectl -n {self.namespace} create "
                f"secret generic {secret} --from-literal=...) or change {change}")

    def _wait(self, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while True:
            status = self.check_status()
            if status.state is ServiceState.RUNNING:
                return
            if status.state is ServiceState.ERROR:
                raise ServiceError(f"SeldonDeployment '{self.name}' ('{self.config.model_name}')"
                                   f" failed while {what}: {status.message}")
            if time.monotonic() > deadline:
                raise ServiceTimeoutError(
                    f"SeldonDeployment '{self.name}' ('{self.config.model_name}') did not become "
                    f"available within {timeout:g}s while {what} ({status.message}); see "
                    f"'kubectl -n {self.namespace} describe sdep {self.name}'")
            time.sleep(min(1.0, max(0.05, timeout / 50)))

    def start(self, timeout: float = DEFAULT_SERVICE_TIMEOUT) -> None:
        """Create the SeldonDeployment (or scale a stopped one back up) and wait for it."""
        current = self.client.get(self.name)
        if current is None:
            manifest = self.manifest()
            self._check_secret()
            self.client.create(manifest)
        elif (current.get("metadata", {}).get("annotations") or {}).get(STOPPED_ANNOTATION):
            predictors = current.get("spec", {}).get("predictors") or []
            for predictor in predictors:
                predictor["replicas"] = self.config.replicas
            self.client.patch(self.name, {
                "metadata": {"annotations": {STOPPED_ANNOTATION: None}},
                "spec": {"predictors": predictors}})
        self._wait(timeout, "starting")

    def stop(self, timeout: float = DEFAULT_SERVICE_TIMEOUT, force: bool = False) -> None:
        """Scale the SeldonDeployment to zero replicas (it stays, and can be started again)."""
        current = self.client.get(self.name)
        if current is None:
            return
        predictors = current.get("spec", {}).get("predictors") or []
        for predictor in predictors:
            predictor["replicas"] = 0
        self.client.patch(self.name, {"metadata": {"annotations": {STOPPED_ANNOTATION: "true"}},
                                      "spec": {"predictors": predictors}})

    def update(self, config: ServiceConfig, timeout: float = DEFAULT_SERVICE_TIMEOUT) -> None:
        """Replace the SeldonDeployment's spec (Seldon rolls the pods) and wait for it."""
        self.config = SeldonDeploymentConfig.model_validate(config.model_dump())
        manifest = self.manifest()
        self._check_secret()
        self.client.replace(manifest)
        self._wait(timeout, "updating")

    def remove(self, timeout: float = DEFAULT_SERVICE_TIMEOUT, force: bool = False) -> None:
        """Delete the SeldonDeployment and wait until it is gone."""
        if not self.client.delete(self.name) or force:
            return
        deadline = time.monotonic() + timeout
        while self.client.get(self.name) is not None:
            if time.monotonic() > deadline:
                raise ServiceTimeoutError(f"SeldonDeployment '{self.name}' was not deleted "
                                          f"within {timeout:g}s")
            time.sleep(0.2)

    def predict(self, data: Any) -> Any:
        """Predict through the ingress (``base_url``) with the service's protocol."""
        from zenml_seldon.protocol import (
            seldon_request,
            seldon_response,
            v2_request,
            v2_response,
        )

        url = self.prediction_url
        if url is None:
            raise ServiceError(f"Model server {self.uuid} has no base_url to predict through")
        status = self.check_status()
        if not status.is_running:
            raise ServiceError(f"Model server {self.uuid} ('{self.config.model_name}') is "
                               f"{status.state.value} ({status.message})")
        if isinstance(data, dict):
            return http_post_json(url, data, use_proxies=True)
        if self.config.protocol == "seldon":  # the server's ``method`` parameter decides
            return seldon_response(http_post_json(url, seldon_request(data), use_proxies=True))
        # V2 (MLServer in the pod): ask for the method's output, as local mode's server does
        return v2_response(http_post_json(url, v2_request(data, outputs=self.config.method),
                                          use_proxies=True))

    # -- persistence: the cluster is the record ------------------------------------------

    def save(self) -> None:
        """Nothing to do: the SeldonDeployment's annotation is the record."""

    def refresh(self) -> bool:
        """Reload the config from the SeldonDeployment; False once it is gone."""
        try:
            obj = self.client.get(self.name)
        except ServiceError:
            return False
        record = record_of(obj) if obj is not None else None
        if record is None:
            return False
        self.config = SeldonDeploymentConfig.model_validate(record.get("config", {}))
        return True

    def describe(self) -> dict[str, Any]:
        """Adds the cluster, namespace, SeldonDeployment name and implementation."""
        info = super().describe()
        info.update(SELDON_DEPLOYMENT=self.name, NAMESPACE=self.namespace,
                    KUBERNETES_CONTEXT=self.attrs.get("kubernetes_context") or "",
                    IMPLEMENTATION=self.config.implementation, REPLICAS=self.config.replicas,
                    PROTOCOL=self.config.protocol)
        return info


def record_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The service record a SeldonDeployment carries in its annotation (None if none)."""
    annotations = obj.get("metadata", {}).get("annotations") or {}
    try:
        record = json.loads(annotations.get(RECORD_ANNOTATION, ""))
    except ValueError:
        return None
    return record if isinstance(record, dict) and record.get("uuid") else None


def services_in_cluster(client: SeldonClient, deployer_id: str) -> list[SeldonDeploymentService]:
    """The services of one model deployer, from the SeldonDeployments it labelled."""
    selector = f"{LABEL_MANAGED_BY}=zenml,{LABEL_DEPLOYER}={label_value(deployer_id)}"
    services = []
    for obj in client.list(selector):
        record = record_of(obj)
        if record is None:
            continue
        config = SeldonDeploymentConfig.model_validate(record.get("config", {}))
        attrs = dict(record.get("attrs") or {})
        attrs["namespace"] = obj.get("metadata", {}).get("namespace") or client.namespace
        services.append(SeldonDeploymentService(
            config, uuid=str(record["uuid"]), deployer_id=deployer_id, attrs=attrs,
            created=record.get("created"), client=client))
    return sorted(services, key=lambda s: (s.created, s.uuid))
