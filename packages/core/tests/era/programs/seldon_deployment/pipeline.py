# ruff: noqa  (era-style code, kept as its docs wrote it)
"""The era's Seldon example (examples/seldon_deployment, sklearn flavor), on the digits:
a continuous deployment pipeline and an inference pipeline."""
from typing import cast

import numpy as np
from rich import print as rich_print
from sklearn.base import ClassifierMixin
from sklearn.linear_model import LogisticRegression

from zenml.integrations.constants import SELDON, SKLEARN
from zenml.integrations.seldon.model_deployers import SeldonModelDeployer
from zenml.integrations.seldon.services import SeldonDeploymentService
from zenml.integrations.sklearn.helpers.digits import get_digits
from zenml.logger import get_logger
from zenml.pipelines import pipeline
from zenml.steps import BaseStepConfig, Output, step

logger = get_logger(__name__)


@step
def importer_digits() -> Output(
    x_train=np.ndarray, y_train=np.ndarray, x_test=np.ndarray, y_test=np.ndarray
):
    """The digits as arrays."""
    x_train, x_test, y_train, y_test = get_digits()
    return x_train, y_train, x_test, y_test


@step
def normalizer(
    x_train: np.ndarray, x_test: np.ndarray
) -> Output(x_train_normed=np.ndarray, x_test_normed=np.ndarray):
    """Scale the pixel values into [0, 1]."""
    return x_train / 16.0, x_test / 16.0


class SklearnTrainerConfig(BaseStepConfig):
    """Trainer params"""

    solver: str = "saga"
    penalty: str = "l1"
    C: float = 1.0
    tol: float = 0.1


@step
def sklearn_trainer(
    config: SklearnTrainerConfig, x_train: np.ndarray, y_train: np.ndarray
) -> ClassifierMixin:
    """A logistic regression on the flattened images."""
    clf = LogisticRegression(
        penalty=config.penalty, solver=config.solver, tol=config.tol, C=config.C
    )
    clf.fit(x_train.reshape((x_train.shape[0], -1)), y_train)
    return clf


@step
def sklearn_evaluator(x_test: np.ndarray, y_test: np.ndarray, model: ClassifierMixin) -> float:
    """Accuracy on the test half."""
    test_acc = model.score(x_test.reshape((x_test.shape[0], -1)), y_test)
    print(f"Test accuracy: {test_acc}")
    return test_acc


class DeploymentTriggerConfig(BaseStepConfig):
    """Parameters that are used to trigger the deployment"""

    min_accuracy: float


@step
def deployment_trigger(accuracy: float, config: DeploymentTriggerConfig) -> bool:
    """Deploy only a model that is accurate enough."""
    return accuracy > config.min_accuracy


class SeldonDeploymentLoaderStepConfig(BaseStepConfig):
    """Which prediction server to load."""

    pipeline_name: str
    step_name: str
    model_name: str


@step(enable_cache=False)
def prediction_service_loader(
    config: SeldonDeploymentLoaderStepConfig,
) -> SeldonDeploymentService:
    """The prediction service started by the deployment pipeline."""
    model_deployer = SeldonModelDeployer.get_active_model_deployer()
    services = model_deployer.find_model_server(
        pipeline_name=config.pipeline_name,
        pipeline_step_name=config.step_name,
        model_name=config.model_name,
    )
    if not services:
        raise RuntimeError(
            f"No Seldon Core prediction server deployed by the '{config.step_name}' step "
            f"in the '{config.pipeline_name}' pipeline for the '{config.model_name}' "
            f"model is currently running."
        )
    if not services[0].is_running:
        raise RuntimeError(
            f"The Seldon Core prediction server last deployed by the '{config.step_name}' "
            f"step in the '{config.pipeline_name}' pipeline is not currently running."
        )
    return cast(SeldonDeploymentService, services[0])


@step(enable_cache=False)
def dynamic_importer() -> Output(data=np.ndarray):
    """A batch of new images to classify (the era downloaded it; here: 20 test digits)."""
    _, x_test, _, _ = get_digits()
    return x_test[:20]


@step
def sklearn_predict_preprocessor(input: np.ndarray) -> Output(data=np.ndarray):
    """Prepare the batch as the model was trained."""
    input = input / 16.0
    return input.reshape((input.shape[0], -1))


@step
def predictor(
    service: SeldonDeploymentService,
    data: np.ndarray,
) -> Output(predictions=np.ndarray):
    """Run an inference request against the prediction service."""
    service.start(timeout=120)  # should be a NOP if already started
    prediction = service.predict(data)
    prediction = prediction.argmax(axis=-1)
    rich_print("Prediction: ", prediction)
    return prediction


@pipeline(enable_cache=True, required_integrations=[SELDON, SKLEARN])
def continuous_deployment_pipeline(
    importer, normalizer, trainer, evaluator, deployment_trigger, model_deployer
):
    x_train, y_train, x_test, y_test = importer()
    x_trained_normed, x_test_normed = normalizer(x_train=x_train, x_test=x_test)
    model = trainer(x_train=x_trained_normed, y_train=y_train)
    accuracy = evaluator(x_test=x_test_normed, y_test=y_test, model=model)
    deployment_decision = deployment_trigger(accuracy=accuracy)
    model_deployer(deployment_decision, model)


@pipeline(enable_cache=True, required_integrations=[SELDON, SKLEARN])
def inference_pipeline(dynamic_importer, predict_preprocessor, prediction_service_loader,
                       predictor):
    batch_data = dynamic_importer()
    inference_data = predict_preprocessor(batch_data)
    model_deployment_service = prediction_service_loader()
    predictor(model_deployment_service, inference_data)
