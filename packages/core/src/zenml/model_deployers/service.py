"""Prediction services: what a model deployer deploys, and how they are persisted.

A service is a model being served somewhere (a local process, pods in a
cluster). Its record (:meth:`BaseService.to_record`) is plain JSON: the
service's class, its uuid, its :class:`ServiceConfig` and whatever the
implementation needs to find the running server again (``attrs``: a process
id and port, a Kubernetes resource name...). Records are kept per model
deployer (:class:`zenml.model_deployers.registry.ServiceRegistry`), so a
later process finds, queries, stops and deletes the same service.
"""

from __future__ import annotations

import datetime
import uuid as uuid_module
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from zenml.errors import EntityNotFoundError, ZenMLError
from zenml.utils.imports import import_object, object_path

__all__ = [
    "DEFAULT_SERVICE_TIMEOUT",
    "BaseService",
    "ServiceConfig",
    "ServiceError",
    "ServiceNotFoundError",
    "ServiceState",
    "ServiceStatus",
    "ServiceTimeoutError",
    "class_source",
    "load_class",
]

#: Seconds to wait for a model server to start or stop, unless told otherwise.
DEFAULT_SERVICE_TIMEOUT = 120.0


class ServiceError(ZenMLError):
    """A model server could not be deployed, started, stopped, queried or deleted."""


class ServiceNotFoundError(ServiceError, EntityNotFoundError):
    """No service with that uuid is known to the model deployer."""


class ServiceTimeoutError(ServiceError):
    """A model server did not become ready (or did not stop) in time."""


class ServiceState(str, Enum):
    """Where a service is in its life."""

    RUNNING = "running"
    STARTING = "starting"
    STOPPED = "stopped"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class ServiceStatus:
    """A service's state as last observed, with a human-readable note."""

    state: ServiceState
    message: str = ""

    @property
    def is_running(self) -> bool:
        """Whether the service answers predictions."""
        return self.state is ServiceState.RUNNING

    @property
    def last_error(self) -> str:
        """What went wrong, while the service is in error (else empty)."""
        return self.message if self.state is ServiceState.ERROR else ""


class ServiceConfig(BaseModel):
    """What to serve, and which pipeline step deployed it.

    Deployer flavors subclass it with their own fields (replicas, server
    implementation...). The pipeline fields are filled by deployment steps
    and are what :meth:`BaseModelDeployer.find_model_server` filters on.
    """

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model_name: str = Field(description="Name the model is served under.")
    model_uri: str = Field(default="", description="Where the model files are (an artifact "
                                                   "folder in the artifact store).")
    pipeline_name: str = Field(default="", description="Pipeline that deployed the model.")
    pipeline_run_id: str = Field(default="", description="Run that deployed the model.")
    pipeline_step_name: str = Field(default="", description="Step that deployed the model "
                                                            "(its name in the pipeline).")
    step_source_name: str = Field(default="", description="Function (or class) name of the "
                                                          "step that deployed the model.")

    def deployed_by_step(self, name: str) -> bool:
        """Whether the step ``name`` deployed the model: its name in the pipeline or its
        function/class name (what the original framework recorded)."""
        return name in (self.pipeline_step_name, self.step_source_name)


def class_source(cls: type) -> str:
    """``module:QualName`` of a class (how records name their service class)."""
    return object_path(cls)


def load_class(source: str) -> type:
    """Import the class a ``module:QualName`` source names."""
    obj = import_object(source)
    if not isinstance(obj, type):
        raise TypeError(f"'{source}' is not a class")
    return obj


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")


class BaseService(ABC):
    """A served model: subclass it for each way of serving.

    Subclasses implement :meth:`check_status`, :attr:`prediction_url`,
    :meth:`start`, :meth:`stop` and :meth:`predict`, keep whatever they need
    to find the server again in :attr:`attrs` (JSON values) and call
    :meth:`save` whenever it changes.
    """

    #: The config class records are validated into.
    CONFIG_CLASS: ClassVar[type[ServiceConfig]] = ServiceConfig
    #: A short name of the kind of service, shown by ``describe``.
    SERVICE_TYPE: ClassVar[str] = "service"

    def __init__(self, config: ServiceConfig, *, uuid: str | None = None, deployer_id: str = "",
                 attrs: dict[str, Any] | None = None, created: str | None = None) -> None:
        self.config = config
        self.uuid = uuid or str(uuid_module.uuid4())
        self.deployer_id = deployer_id
        self.attrs: dict[str, Any] = dict(attrs or {})
        self.created = created or _now()

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(uuid={self.uuid!r}, "
                f"model_name={self.config.model_name!r})")

    # -- state ---------------------------------------------------------------------------

    @abstractmethod
    def check_status(self) -> ServiceStatus:
        """Look at the real server (process, cluster) and say how it is."""

    @property
    def status(self) -> ServiceStatus:
        """The current status, observed now."""
        return self.check_status()

    @property
    def is_running(self) -> bool:
        """Whether the service answers predictions now."""
        return self.check_status().is_running

    @property
    def is_failed(self) -> bool:
        """Whether the service is in error (``status.last_error`` says why)."""
        return self.check_status().state is ServiceState.ERROR

    @property
    def is_stopped(self) -> bool:
        """Whether the service is stopped."""
        return self.check_status().state is ServiceState.STOPPED

    @property
    def is_local(self) -> bool:
        """Whether the server runs on this machine (``zenml stack down`` stops those)."""
        return False

    @property
    @abstractmethod
    def prediction_url(self) -> str | None:
        """Where predictions are sent (None while the service has no address)."""

    # -- life cycle ----------------------------------------------------------------------

    @abstractmethod
    def start(self, timeout: float = DEFAULT_SERVICE_TIMEOUT) -> None:
        """Start the server and wait until it is ready; raise :class:`ServiceError`."""

    @abstractmethod
    def stop(self, timeout: float = DEFAULT_SERVICE_TIMEOUT, force: bool = False) -> None:
        """Stop the server and wait until it is gone (``force``: do not wait politely)."""

    def update(self, config: ServiceConfig, timeout: float = DEFAULT_SERVICE_TIMEOUT) -> None:
        """Serve ``config`` instead of the current config (default: stop, swap, start)."""
        self.stop(timeout)
        self.config = config
        self.save()
        self.start(timeout)

    def remove(self, timeout: float = DEFAULT_SERVICE_TIMEOUT, force: bool = False) -> None:
        """Stop the server and delete what it left behind (files, cluster resources)."""
        self.stop(timeout, force=force)

    @abstractmethod
    def predict(self, data: Any) -> Any:
        """Send ``data`` to the server and return its prediction."""

    # -- persistence ---------------------------------------------------------------------

    def to_record(self) -> dict[str, Any]:
        """The service as JSON data (what the registry and the materializer store)."""
        return {
            "type": class_source(type(self)),
            "uuid": self.uuid,
            "deployer_id": self.deployer_id,
            "created": self.created,
            "config": self.config.model_dump(mode="json"),
            "config_type": class_source(type(self.config)),
            "attrs": self.attrs,
        }

    @staticmethod
    def from_record(record: dict[str, Any]) -> BaseService:
        """Rebuild a service from :meth:`to_record` data (imports its class)."""
        try:
            cls = load_class(str(record["type"]))
        except (ImportError, AttributeError, TypeError, KeyError, ValueError) as error:
            name = record.get("type", "?")
            raise ServiceError(f"Service {record.get('uuid', '?')} has type '{name}', which "
                               f"cannot be imported ({error}); install the integration that "
                               f"deployed it") from None
        if not issubclass(cls, BaseService):
            raise ServiceError(f"'{record['type']}' is not a BaseService subclass")
        config = cls.CONFIG_CLASS.model_validate(record.get("config", {}))
        return cls(config, uuid=str(record["uuid"]), deployer_id=str(record.get("deployer_id", "")),
                   attrs=dict(record.get("attrs") or {}), created=record.get("created"))

    def save(self) -> None:
        """Write the record to the registry of the deployer that owns the service."""
        if not self.deployer_id:
            return
        from zenml.model_deployers.registry import ServiceRegistry

        ServiceRegistry(self.deployer_id).put(self.to_record())

    def refresh(self) -> bool:
        """Reload config and attrs from the registry; False if it no longer knows the service."""
        if not self.deployer_id:
            return False
        from zenml.model_deployers.registry import ServiceRegistry

        record = ServiceRegistry(self.deployer_id).get(self.uuid)
        if record is None:
            return False
        self.config = self.CONFIG_CLASS.model_validate(record.get("config", {}))
        self.attrs = dict(record.get("attrs") or {})
        return True

    def describe(self) -> dict[str, Any]:
        """Properties for ``zenml served-models describe`` (extend in subclasses)."""
        status = self.check_status()
        return {
            "UUID": self.uuid,
            "TYPE": self.SERVICE_TYPE,
            "STATUS": status.state.value,
            "STATUS_MESSAGE": status.message,
            "MODEL_NAME": self.config.model_name,
            "MODEL_URI": self.config.model_uri,
            "PIPELINE_NAME": self.config.pipeline_name,
            "PIPELINE_RUN_ID": self.config.pipeline_run_id,
            "PIPELINE_STEP_NAME": self.config.pipeline_step_name,
            "PREDICTION_URL": self.prediction_url or "",
            "CREATED": self.created,
        }
