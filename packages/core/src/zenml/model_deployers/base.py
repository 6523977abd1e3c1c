"""The base class of every model deployer."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, ClassVar, TypeVar

from zenml.errors import StackValidationError
from zenml.model_deployers.service import (
    DEFAULT_SERVICE_TIMEOUT,
    BaseService,
    ServiceConfig,
    ServiceError,
    ServiceNotFoundError,
)
from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

if TYPE_CHECKING:
    from zenml.model_deployers.registry import ServiceRegistry

__all__ = ["BaseModelDeployer"]

logger = logging.getLogger("zenml")

_D = TypeVar("_D", bound="BaseModelDeployer")


class BaseModelDeployer(StackComponent):
    """Deploys trained models as prediction services and keeps track of them.

    A flavor implements :meth:`_create_service` (a new, not yet started
    service for a config). By default the services' records live in this
    deployer's :class:`~zenml.model_deployers.registry.ServiceRegistry` on
    this machine; a flavor whose services are recorded elsewhere (in a
    cluster) overrides :meth:`list_services` and :meth:`_forget`.

    ``zenml stack down`` stops the deployer's local services (those whose
    ``is_local`` is true) and ``zenml stack up`` starts them again; while
    they are stopped that way, the deployer is not running, so pipelines
    ask for ``zenml stack up`` first.
    """

    TYPE: ClassVar[StackComponentType] = StackComponentType.MODEL_DEPLOYER

    @property
    def registry(self) -> ServiceRegistry:
        """This deployer's service records on this machine."""
        from zenml.model_deployers.registry import ServiceRegistry

        return ServiceRegistry(self.id)

    @classmethod
    def get_active_model_deployer(cls: type[_D]) -> _D:
        """The model deployer of the stack in use: the running step's stack inside a step,
        else the active stack; one that is not a ``cls`` is refused with one line."""
        from zenml.execution.step_info import current_step_run

        info = current_step_run()
        deployer: StackComponent | None
        if info is not None:
            deployer, stack_name = info.stack.model_deployer, info.stack.name
        else:
            from zenml.repository import Repository

            repo = Repository()
            stack = repo.active_stack_model
            model = stack.components.get(StackComponentType.MODEL_DEPLOYER)
            deployer = repo.instantiate(model) if model is not None else None
            stack_name = stack.name
        if deployer is None:
            raise StackValidationError(
                f"The active stack '{stack_name}' has no model deployer; register one with "
                f"'zenml model-deployer register NAME --flavor=...' and add it with 'zenml "
                f"stack update -d NAME'")
        if not isinstance(deployer, cls):
            raise StackValidationError(
                f"The model deployer '{deployer.name}' of stack '{stack_name}' is a "
                f"{type(deployer).__name__}, not a {cls.__name__}; add one with 'zenml stack "
                f"update -d NAME'")
        return deployer

    # -- for flavors ---------------------------------------------------------------------

    def _create_service(self, config: ServiceConfig) -> BaseService:
        """A new service for ``config``, not started yet (its files prepared)."""
        raise NotImplementedError(f"{type(self).__name__} cannot deploy models")

    def list_services(self) -> list[BaseService]:
        """Every service of this deployer, oldest first (records that cannot be loaded
        are skipped with a warning)."""
        services = []
        for record in self.registry.records():
            try:
                services.append(BaseService.from_record(record))
            except (ServiceError, ValueError) as error:
                logger.warning("Skipping service %s of model deployer '%s': %s",
                               record.get("uuid", "?"), self.name, error)
        return services

    def _forget(self, service: BaseService) -> None:
        """Drop a deleted service's record."""
        self.registry.remove(service.uuid)

    # -- the API -------------------------------------------------------------------------

    def deploy_model(self, config: ServiceConfig, replace: bool = True,
                     timeout: float = DEFAULT_SERVICE_TIMEOUT) -> BaseService:
        """Serve a model and wait until it answers; return its service.

        With ``replace``, a service of the same pipeline, step and model
        name is updated to serve ``config`` instead (keeping its uuid), and
        any further duplicates are deleted; otherwise a new service is
        always created. A service that does not become ready within
        ``timeout`` seconds raises :class:`ServiceError`; a new one is then
        deleted again, so nothing is left behind.
        """
        existing: list[BaseService] = []
        if replace:
            existing = [s for s in self.list_services()
                        if s.config.pipeline_name == config.pipeline_name
                        and s.config.pipeline_step_name == config.pipeline_step_name
                        and s.config.model_name == config.model_name]
        if existing:
            service = existing[-1]  # the newest
            for duplicate in existing[:-1]:
                logger.info("Deleting duplicate model server %s.", duplicate.uuid)
                self._delete(duplicate, timeout, force=False)
            logger.info("Updating model server %s for model '%s'.", service.uuid,
                        config.model_name)
            service.update(config, timeout)
            self.registry.unsuspend(service.uuid)
            return service
        service = self._create_service(config)
        service.save()
        logger.info("Starting model server %s for model '%s'.", service.uuid, config.model_name)
        try:
            service.start(timeout)
        except BaseException:
            try:
                self._delete(service, timeout, force=True)
            except Exception as cleanup:  # the start error is the one to report
                logger.warning("Could not clean up model server %s: %s", service.uuid, cleanup)
            raise
        return service

    def find_model_server(self, pipeline_name: str | None = None,
                          pipeline_run_id: str | None = None,
                          pipeline_step_name: str | None = None,
                          model_name: str | None = None, running: bool = False,
                          service_uuid: str | None = None) -> list[BaseService]:
        """The services matching every given filter (None matches anything), oldest first.

        ``pipeline_step_name`` matches the step's name in the pipeline or its function
        (or class) name. ``running=True`` keeps only the services that answer now.
        """
        found = []
        for service in self.list_services():
            config = service.config
            if ((pipeline_name is not None and config.pipeline_name != pipeline_name)
                    or (pipeline_run_id is not None and config.pipeline_run_id != pipeline_run_id)
                    or (pipeline_step_name is not None
                        and not config.deployed_by_step(pipeline_step_name))
                    or (model_name is not None and config.model_name != model_name)
                    or (service_uuid is not None and service.uuid != service_uuid)):
                continue
            if running and not service.is_running:
                continue
            found.append(service)
        return found

    def get_model_server(self, uuid: str) -> BaseService:
        """The service with this uuid (or the only one whose uuid starts with it)."""
        services = self.list_services()
        exact = [s for s in services if s.uuid == uuid]
        matches = exact or [s for s in services if uuid and s.uuid.startswith(uuid)]
        if not matches:
            raise ServiceNotFoundError(f"Model deployer '{self.name}' has no model server with "
                                       f"uuid '{uuid}'; see 'zenml served-models list'")
        if len(matches) > 1:
            raise ServiceNotFoundError(
                f"'{uuid}' matches {len(matches)} model servers "
                f"({', '.join(s.uuid for s in matches)}); give more of the uuid")
        return matches[0]

    def start_model_server(self, uuid: str,
                           timeout: float = DEFAULT_SERVICE_TIMEOUT) -> BaseService:
        """Start a stopped service and wait until it answers."""
        service = self.get_model_server(uuid)
        service.start(timeout)
        self.registry.unsuspend(service.uuid)
        return service

    def stop_model_server(self, uuid: str, timeout: float = DEFAULT_SERVICE_TIMEOUT,
                          force: bool = False) -> BaseService:
        """Stop a service (its record stays: it can be started again)."""
        service = self.get_model_server(uuid)
        service.stop(timeout, force=force)
        self.registry.unsuspend(service.uuid)
        return service

    def delete_model_server(self, uuid: str, timeout: float = DEFAULT_SERVICE_TIMEOUT,
                            force: bool = False) -> None:
        """Stop a service and delete it with everything it left behind."""
        self._delete(self.get_model_server(uuid), timeout, force)

    def _delete(self, service: BaseService, timeout: float, force: bool) -> None:
        service.remove(timeout, force=force)
        self._forget(service)
        self.registry.unsuspend(service.uuid)

    # -- stack state (zenml stack up / down) ---------------------------------------------

    @property
    def is_running(self) -> bool:
        """False while ``zenml stack down`` holds some of its local services stopped."""
        return not self.registry.suspended()

    def _local_services(self) -> list[BaseService]:
        """The services ``stack down`` / ``up`` stop and start: those on this machine."""
        return [s for s in self.list_services() if s.is_local]

    def suspend(self) -> None:
        """Stop every running local service, remembering which (``stack down``)."""
        stopped = list(self.registry.suspended())
        for service in self._local_services():
            if service.is_running:
                logger.info("Stopping model server %s (%s).", service.uuid,
                            service.config.model_name)
                service.stop()
                stopped.append(service.uuid)
        if stopped:
            self.registry.set_suspended(stopped)

    def resume(self) -> None:
        """Start again the services that :meth:`suspend` stopped (``stack up``)."""
        suspended = self.registry.suspended()
        by_uuid = {s.uuid: s for s in self._local_services()}
        for uuid in suspended:
            service = by_uuid.get(uuid)
            if service is not None and not service.is_running:
                logger.info("Starting model server %s (%s).", uuid, service.config.model_name)
                service.start()
            self.registry.unsuspend(uuid)

    def deprovision(self) -> None:
        """``stack down --force``: stop the local services too (they stay recorded)."""
        self.suspend()
