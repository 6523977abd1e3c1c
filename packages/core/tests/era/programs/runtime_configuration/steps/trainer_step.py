# ruff: noqa  (era-style code, kept as its docs wrote it)
"""The trainer, in a file of its own (the config's ``source.file``)."""
import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.svm import SVC

from zenml.steps import BaseStepConfig, step


class SVCTrainerStepConfig(BaseStepConfig):
    """Trainer params"""

    gamma: float = 0.001


@step
def svc_trainer(
    config: SVCTrainerStepConfig,
    X_train: np.ndarray,
    y_train: np.ndarray,
) -> ClassifierMixin:
    """An SVC on the training half."""
    model = SVC(gamma=config.gamma)
    model.fit(X_train, y_train)
    return model
