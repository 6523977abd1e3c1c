# ruff: noqa  (era-style code, kept as its docs wrote it)
"""Deploy and predict, as the era's ``python run.py --model-flavor sklearn`` did."""
from typing import cast

from pipeline import (
    DeploymentTriggerConfig,
    SeldonDeploymentLoaderStepConfig,
    SklearnTrainerConfig,
    continuous_deployment_pipeline,
    deployment_trigger,
    dynamic_importer,
    importer_digits,
    inference_pipeline,
    normalizer,
    prediction_service_loader,
    predictor,
    sklearn_evaluator,
    sklearn_predict_preprocessor,
    sklearn_trainer,
)
from rich import print

from zenml.integrations.seldon.model_deployers import SeldonModelDeployer
from zenml.integrations.seldon.services import (
    SeldonDeploymentConfig,
    SeldonDeploymentService,
)
from zenml.integrations.seldon.steps import (
    SeldonDeployerStepConfig,
    seldon_model_deployer_step,
)


def main(min_accuracy: float = 0.85) -> None:  # the era's --min-accuracy option
    model_name = "mnist"
    deployment_pipeline_name = "continuous_deployment_pipeline"
    deployer_step_name = "seldon_model_deployer_step"

    model_deployer = SeldonModelDeployer.get_active_model_deployer()

    continuous_deployment_pipeline(
        importer=importer_digits(),
        normalizer=normalizer(),
        trainer=sklearn_trainer(SklearnTrainerConfig()),
        evaluator=sklearn_evaluator(),
        deployment_trigger=deployment_trigger(
            config=DeploymentTriggerConfig(min_accuracy=min_accuracy)
        ),
        model_deployer=seldon_model_deployer_step(
            config=SeldonDeployerStepConfig(
                service_config=SeldonDeploymentConfig(
                    model_name=model_name,
                    replicas=1,
                    implementation="SKLEARN_SERVER",
                ),
                timeout=120,
            )
        ),
    ).run()

    inference_pipeline(
        dynamic_importer=dynamic_importer(),
        predict_preprocessor=sklearn_predict_preprocessor(),
        prediction_service_loader=prediction_service_loader(
            SeldonDeploymentLoaderStepConfig(
                pipeline_name=deployment_pipeline_name,
                step_name=deployer_step_name,
                model_name=model_name,
            )
        ),
        predictor=predictor(),
    ).run()

    services = model_deployer.find_model_server(
        pipeline_name=deployment_pipeline_name,
        pipeline_step_name=deployer_step_name,
        model_name=model_name,
    )
    if services:
        service = cast(SeldonDeploymentService, services[0])
        if service.is_running:
            print(
                f"The Seldon prediction server is running and accepts inference "
                f"requests at:\n    {service.prediction_url}\n"
                f"To stop the service, run `zenml served-models delete {str(service.uuid)}`."
            )
        elif service.is_failed:
            print(
                f"The Seldon prediction server is in a failed state:\n"
                f" Last state: '{service.status.state.value}'\n"
                f" Last error: '{service.status.last_error}'"
            )
    else:
        print("No Seldon prediction server is currently running.")


if __name__ == "__main__":
    main()
