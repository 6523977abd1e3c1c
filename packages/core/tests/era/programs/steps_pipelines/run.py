# ruff: noqa  (era-style code, kept as its docs wrote it)
"""Steps & Pipelines (docs/book/developer-guide/steps-pipelines/steps-and-pipelines.md):
``Output``, a ``ClassifierMixin`` step, ``.entrypoint()`` outside a pipeline, ``run_name``."""
import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.svm import SVC

from zenml.integrations.sklearn.helpers.digits import get_digits
from zenml.pipelines import pipeline
from zenml.steps import Output, step


@step
def load_digits() -> Output(
    X_train=np.ndarray, X_test=np.ndarray, y_train=np.ndarray, y_test=np.ndarray
):
    """The digits, split in halves."""
    X_train, X_test, y_train, y_test = get_digits()
    return X_train, X_test, y_train, y_test


@step
def svc_trainer(X_train: np.ndarray, y_train: np.ndarray) -> ClassifierMixin:
    """An SVC on the training half."""
    model = SVC(gamma=0.001)
    model.fit(X_train, y_train)
    return model


@pipeline
def first_pipeline(step_1, step_2):
    X_train, X_test, y_train, y_test = step_1()
    step_2(X_train, y_train)


# a step's function, called outside any pipeline
X_train, X_test, y_train, y_test = get_digits()
direct = svc_trainer.entrypoint(X_train=X_train, y_train=y_train)
print(f"Entrypoint accuracy: {direct.score(X_test, y_test)}")

first_pipeline_instance = first_pipeline(
    step_1=load_digits(),
    step_2=svc_trainer(),
)
first_pipeline_instance.run(run_name="custom_pipeline_run_name")
print("Pipeline done")
