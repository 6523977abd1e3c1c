# ruff: noqa  (era-style code, kept as its docs wrote it)
"""The era's Kubeflow example (examples/kubeflow, 0.8-0.10) on the digits: the pipeline
names the integrations and the extra packages its steps need, so the image gets them
without orchestrator options."""
import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.svm import SVC

from zenml.integrations.constants import SKLEARN
from zenml.integrations.sklearn.helpers.digits import get_digits
from zenml.pipelines import pipeline
from zenml.steps import BaseStepConfig, Output, step


@step
def importer() -> Output(
    X_train=np.ndarray, X_test=np.ndarray, y_train=np.ndarray, y_test=np.ndarray
):
    """The digits, split in halves."""
    X_train, X_test, y_train, y_test = get_digits()
    return X_train, X_test, y_train, y_test


@step
def normalizer(
    X_train: np.ndarray, X_test: np.ndarray
) -> Output(X_train_normed=np.ndarray, X_test_normed=np.ndarray):
    """Scale the pixel values into [0, 1]."""
    return X_train / 16.0, X_test / 16.0


class TrainerConfig(BaseStepConfig):
    """Trainer params"""

    gamma: float = 0.001


@step
def trainer(
    config: TrainerConfig, X_train: np.ndarray, y_train: np.ndarray
) -> ClassifierMixin:
    """An SVC on the scaled images."""
    model = SVC(gamma=config.gamma)
    model.fit(X_train, y_train)
    return model


@step
def evaluator(X_test: np.ndarray, y_test: np.ndarray, model: ClassifierMixin) -> float:
    """Accuracy on the test half."""
    test_acc = model.score(X_test, y_test)
    print(f"Test accuracy: {test_acc}")
    return test_acc


@pipeline(required_integrations=[SKLEARN], requirements=["joblib"])
def mnist_pipeline(importer, normalizer, trainer, evaluator):
    X_train, X_test, y_train, y_test = importer()
    X_trained_normed, X_test_normed = normalizer(X_train=X_train, X_test=X_test)
    model = trainer(X_train=X_trained_normed, y_train=y_train)
    evaluator(X_test=X_test_normed, y_test=y_test, model=model)
