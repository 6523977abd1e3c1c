# ruff: noqa  (era-style code, kept as its docs wrote it)
"""The class-based API (docs/book/developer-guide/steps-pipelines/class-based-api.md): a
``BaseStep`` subclass with ``entrypoint``, a ``BasePipeline`` subclass with ``connect``, and
both mixed with the functional API."""
import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.svm import SVC

from zenml.integrations.sklearn.helpers.digits import get_digits
from zenml.pipelines import BasePipeline, pipeline
from zenml.repository import Repository
from zenml.steps import BaseStep, BaseStepConfig, Output, step


@step
def load_digits() -> Output(
    X_train=np.ndarray, X_test=np.ndarray, y_train=np.ndarray, y_test=np.ndarray
):
    """The digits, split in halves."""
    X_train, X_test, y_train, y_test = get_digits()
    return X_train, X_test, y_train, y_test


class SVCTrainerStepConfig(BaseStepConfig):
    """Trainer params"""

    gamma: float = 0.001


class SVCTrainerStep(BaseStep):
    def entrypoint(
        self,
        config: SVCTrainerStepConfig,
        X_train: np.ndarray,
        y_train: np.ndarray,
    ) -> ClassifierMixin:
        """An SVC on the training half."""
        model = SVC(gamma=config.gamma)
        model.fit(X_train, y_train)
        return model


class FirstPipeline(BasePipeline):
    def connect(self, step_1, step_2):
        X_train, X_test, y_train, y_test = step_1()
        step_2(X_train, y_train)


@pipeline
def first_pipeline(step_1, step_2):
    X_train, X_test, y_train, y_test = step_1()
    step_2(X_train, y_train)


FirstPipeline(
    step_1=load_digits(),
    step_2=SVCTrainerStep(SVCTrainerStepConfig(gamma=0.01)),
).run()

first_pipeline(
    step_1=load_digits(),
    step_2=SVCTrainerStep(SVCTrainerStepConfig(gamma=0.0001)),
).run()

repo = Repository()
for name in ("FirstPipeline", "first_pipeline"):
    run = repo.get_pipeline(pipeline_name=name).runs[-1]
    model = run.get_step(name="step_2").output.read()
    X_test = run.get_step(name="step_1").outputs["X_test"].read()
    y_test = run.get_step(name="step_1").outputs["y_test"].read()
    print(f"{name}: {type(model).__name__} gamma={model.gamma} accuracy={model.score(X_test, y_test)}")
