"""The models the active stack's model deployer serves (as ``zenml served-models list``).

Read-only: the deployer is built from the stack store and asked for its
services (:meth:`BaseModelDeployer.list_services`) and each service for its
status; nothing is started, stopped or written. The run that deployed a
model is looked up in the active stack's metadata store (by id or name: deployment
steps record either).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zenml.metadata_stores.base import BaseMetadataStore
    from zenml.model_deployers.service import BaseService
    from zenml_dashboard.data import DashboardData

__all__ = ["served_models"]

logger = logging.getLogger("zenml.dashboard")


def _run_name(store: BaseMetadataStore | None, run_id: str) -> str | None:
    """The name of the run with this id or name (None: unknown to the metadata store)."""
    if store is None or not run_id:
        return None
    from zenml.errors import EntityKeyError, EntityNotFoundError, ZenMLError

    try:
        record = store.get_run(run_id)
    except (EntityNotFoundError, EntityKeyError):
        return None
    except ZenMLError as error:  # an unreachable store: the rest of the page still shows
        logger.warning("Could not look up run %s: %s", run_id, error)
        return None
    return record.name if run_id in (record.id, record.name) else None


def _service(service: BaseService, store: BaseMetadataStore | None) -> dict[str, Any]:
    """One service as the API shows it (the URL only while it answers, as the CLI does)."""
    try:
        status = service.check_status()
        state, message = status.state.value, status.message
        url = service.prediction_url if status.is_running else None
    except Exception as error:  # a cluster that cannot be asked: shown, not a 500
        state, message, url = "unknown", f"could not ask for its status: {error}", None
    config = service.config
    return {"uuid": service.uuid, "type": service.SERVICE_TYPE,
            "model": config.model_name, "model_uri": config.model_uri,
            "pipeline": config.pipeline_name or None, "run_id": config.pipeline_run_id or None,
            "run": _run_name(store, config.pipeline_run_id),
            "step": config.pipeline_step_name or config.step_source_name or None,
            "status": state, "status_message": message, "prediction_url": url,
            "created": service.created}


def served_models(data: DashboardData) -> dict[str, Any]:
    """The active stack's model deployer and its services (oldest first).

    Without a model deployer, ``deployer`` is None and ``message`` says how to
    add one; a deployer that cannot be loaded (its integration not installed)
    gives a message too.
    """
    from zenml.errors import ZenMLError
    from zenml.model_deployers.base import BaseModelDeployer
    from zenml.stack.component_type import StackComponentType

    repository = data.repository()
    stack = repository.active_stack_model
    model = stack.components.get(StackComponentType.MODEL_DEPLOYER)
    answer: dict[str, Any] = {"stack": stack.name, "deployer": None, "message": None,
                              "services": []}
    if model is None:
        answer["message"] = (f"No model deployer in the active stack '{stack.name}'; add one "
                             f"with 'zenml stack update -d NAME' (see 'zenml model-deployer "
                             f"list')")
        return answer
    answer["deployer"] = {"name": model.name, "flavor": model.flavor}
    try:
        deployer = repository.instantiate(model)
    except (ZenMLError, ImportError) as error:
        answer["message"] = f"Model deployer '{model.name}' cannot be loaded: {error}"
        return answer
    if not isinstance(deployer, BaseModelDeployer):
        answer["message"] = f"Component '{model.name}' is not a model deployer"
        return answer
    try:
        store: BaseMetadataStore | None = data.stores()[0]
    except ZenMLError:
        store = None
    answer["services"] = [_service(service, store) for service in deployer.list_services()]
    return answer
