# ruff: noqa  (era-style code, kept as its docs wrote it)
"""Caching (docs/book/developer-guide/steps-pipelines/caching.md): three runs; the second
reuses ``load_digits`` and retrains (``enable_cache=False`` on the step), the third
(``run(enable_cache=False)``) reruns everything."""
import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.svm import SVC

from zenml.integrations.sklearn.helpers.digits import get_digits
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import BaseStepConfig, Output, step


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


@step(enable_cache=False)  # never cache this step, always retrain
def svc_trainer(
    config: SVCTrainerStepConfig,
    X_train: np.ndarray,
    y_train: np.ndarray,
) -> ClassifierMixin:
    """An SVC on the training half."""
    model = SVC(gamma=config.gamma)
    model.fit(X_train, y_train)
    return model


@pipeline
def first_pipeline(step_1, step_2):
    X_train, X_test, y_train, y_test = step_1()
    step_2(X_train, y_train)


first_pipeline_instance = first_pipeline(step_1=load_digits(), step_2=svc_trainer())

# The pipeline is executed for the first time, so all steps are run.
first_pipeline_instance.run()
# Step one will use cache, step two will rerun due to the decorator config
first_pipeline_instance.run()
# The complete pipeline will be rerun
first_pipeline_instance.run(enable_cache=False)

runs = Repository().get_pipeline(pipeline_name="first_pipeline").runs
for number, run in enumerate(runs, start=1):
    cached = [run.get_step(name=name).is_cached for name in ("step_1", "step_2")]
    print(f"Run {number} cached: {cached}")
