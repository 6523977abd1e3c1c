# ruff: noqa  (era-style code, kept as its docs wrote it)
"""Runtime configuration (docs/book/developer-guide/steps-pipelines/runtime-configuration.md):
the pipeline and its importer live here; nothing runs at import, as the docs ask, since
``zenml pipeline run run.py -c config.yaml`` imports this file."""
import numpy as np

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


@pipeline
def first_pipeline(step_1, step_2):
    X_train, X_test, y_train, y_test = step_1()
    step_2(X_train, y_train)
