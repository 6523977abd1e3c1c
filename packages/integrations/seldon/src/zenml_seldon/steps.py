"""``seldon_model_deployer_step``: deploy the model a pipeline trained (continuous deployment)."""

from __future__ import annotations

import logging

from pydantic import Field

from zenml.errors import StackValidationError
from zenml.model_deployers.service import DEFAULT_SERVICE_TIMEOUT, BaseService, ServiceError
from zenml.steps.config import BaseStepConfig
from zenml.steps.context import StepContext
from zenml.steps.decorator import step
from zenml_seldon.deployment_config import SeldonDeploymentConfig

__all__ = ["SeldonDeployerStepConfig", "seldon_model_deployer_step"]

logger = logging.getLogger("zenml.seldon")

#: The step's function name (the original framework recorded it as the step's name).
STEP_NAME = "seldon_model_deployer_step"
#: Sub-folder of the step's output where the deployed copy of the model is written.
MODEL_FOLDER = "model"


class SeldonDeployerStepConfig(BaseStepConfig):
    """Parameters of :func:`seldon_model_deployer_step`."""

    service_config: SeldonDeploymentConfig = Field(
        description="The model to serve (name, server implementation, replicas...).")
    timeout: float = Field(default=DEFAULT_SERVICE_TIMEOUT, gt=0,
                           description="Seconds to wait for the model server to be ready.")


@step(enable_cache=False)
def seldon_model_deployer_step(deploy_decision: bool, model: object,
                               config: SeldonDeployerStepConfig,
                               context: StepContext) -> BaseService:
    """Serve ``model`` with the stack's seldon model deployer and return the service.

    When ``deploy_decision`` is true, the model is written into this step's
    output folder (by its materializer, e.g. ``model.joblib``) and deployed:
    the server that this pipeline step already runs for the same model name
    is replaced, so each run updates the one deployment. When it is false,
    the current server keeps running (it is started if it was stopped) and is
    returned; only if there is none yet is the model deployed anyway.
    """
    from zenml.execution.step_info import current_step_run
    from zenml.materializers import ArtifactContext
    from zenml_seldon.model_deployer import SeldonModelDeployer

    deployer = context.stack.model_deployer
    if not isinstance(deployer, SeldonModelDeployer):
        found = (f"'{deployer.name}' ({deployer.flavor})" if deployer is not None else "none")
        raise StackValidationError(
            f"Step '{context.step_name}' needs a seldon model deployer in stack "
            f"'{context.stack.name}' (it has {found}); register one with 'zenml model-deployer "
            f"register NAME --flavor=seldon --mode=local' and add it with 'zenml stack update "
            f"-d NAME'")
    info = current_step_run()
    run_id = info.run_id if info is not None else ""
    source = info.step.source if info is not None else ""
    service_config = config.service_config.model_copy(update={
        "pipeline_name": context.pipeline_name, "pipeline_run_id": run_id,
        "pipeline_step_name": context.step_name,
        "step_source_name": source.rpartition(":")[2].rpartition(".")[2] or STEP_NAME})

    existing = deployer.find_model_server(pipeline_name=context.pipeline_name,
                                          pipeline_step_name=context.step_name,
                                          model_name=service_config.model_name)
    if not deploy_decision and existing:
        service = existing[-1]
        logger.info("Deployment decision is negative: model server %s keeps serving '%s'.",
                    service.uuid, service.config.model_name)
        if not service.is_running:
            service.start(config.timeout)
        return service
    if not deploy_decision:
        logger.info("Deployment decision is negative, but no server serves '%s' for this step "
                    "yet: deploying this model.", service_config.model_name)

    method = service_config.method
    if method and not callable(getattr(model, method, None)):
        raise ServiceError(
            f"The {type(model).__name__} model given to '{context.step_name}' has no {method}(), "
            f"which {service_config.implementation} answers (Seldon Core's default method is "
            f"'{method}'); set SeldonDeploymentConfig(parameters={{'method': 'predict'}}) or "
            f"train a model that has it")
    uri = f"{context.get_output_artifact_uri().rstrip('/')}/{MODEL_FOLDER}"
    context.artifact_store.makedirs(uri)
    materializer = context.materializers.get(type(model),
                                             f"the model given to '{context.step_name}'")
    materializer.from_context(ArtifactContext(uri, context.artifact_store,
                                              context.materializers)).handle_return(model)
    service_config.model_uri = uri
    return deployer.deploy_model(service_config, replace=True, timeout=config.timeout)
