"""The ``seldon`` model deployer: SeldonDeployments on Kubernetes, or MLServer locally.

Importing this module imports neither kubernetes nor mlserver: the
kubernetes client is imported when a cluster is used, and MLServer only ever
runs in its own process.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

from zenml.model_deployers.base import BaseModelDeployer
from zenml.model_deployers.service import BaseService, ServiceConfig
from zenml_seldon.deployment_config import SeldonDeploymentConfig
from zenml_seldon.flavors import SeldonModelDeployerConfig

if TYPE_CHECKING:
    from zenml_seldon.kube import SeldonClient

__all__ = ["SeldonModelDeployer"]


class SeldonModelDeployer(BaseModelDeployer):
    """Serves models with Seldon Core (``mode=kubernetes``) or MLServer (``mode=local``).

    Local services are recorded in this deployer's registry on this machine;
    Kubernetes services are recorded in the cluster itself (labels and an
    annotation on each SeldonDeployment), so every machine with access to
    the cluster sees them. Listing shows both kinds, whatever the mode.
    """

    config: SeldonModelDeployerConfig

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._client: SeldonClient | None = None

    @property
    def client(self) -> SeldonClient:
        """The kubernetes client of the configured context and namespace."""
        if self._client is None:
            from zenml_seldon.kube import SeldonClient

            self._client = SeldonClient(context=self.config.kubernetes_context,
                                        namespace=self.config.kubernetes_namespace)
        return self._client

    def _create_service(self, config: ServiceConfig) -> BaseService:
        deployment = SeldonDeploymentConfig.model_validate(config.model_dump())
        if self.config.mode == "local":
            from zenml_seldon.local import MLServerService

            service = MLServerService(deployment, deployer_id=self.id)
            try:
                service.prepare()
            except BaseException:
                shutil.rmtree(service.folder, ignore_errors=True)
                raise
            return service
        from zenml_seldon.cluster import SeldonDeploymentService

        client = self.client
        return SeldonDeploymentService(
            deployment, deployer_id=self.id, client=client,
            attrs={"namespace": client.namespace,
                   "kubernetes_context": self.config.kubernetes_context,
                   "base_url": self.config.base_url, "secret": self.config.secret})

    def list_services(self) -> list[BaseService]:
        """Local services from the registry, then (kubernetes mode) the cluster's."""
        services = super().list_services()
        if self.config.mode == "kubernetes":
            from zenml_seldon.cluster import services_in_cluster

            services.extend(services_in_cluster(self.client, self.id))
        return services

    def _local_services(self) -> list[BaseService]:
        """The MLServer services of the registry (``stack down`` never touches a cluster)."""
        return [s for s in BaseModelDeployer.list_services(self) if s.is_local]
