# ruff: noqa  (era-style code, kept as its docs wrote it)
"""Step fixtures (docs/book/developer-guide/advanced-concepts/step-fixtures.md): a step
that takes a ``StepContext`` reads the past runs of its own pipeline from
``context.metadata_store`` (the run in progress is not among them) and keeps the best
accuracy; another asks where its output goes."""
import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.svm import SVC

from zenml.environment import Environment
from zenml.integrations.sklearn.helpers.digits import get_digits
from zenml.pipelines import pipeline
from zenml.steps import BaseStepConfig, Output, StepContext, step


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


@step()
def svc_trainer(
    config: SVCTrainerStepConfig,
    X_train: np.ndarray,
    y_train: np.ndarray,
) -> ClassifierMixin:
    """An SVC on the training half."""
    model = SVC(gamma=config.gamma)
    model.fit(X_train, y_train)
    return model


@step
def evaluator(X_test: np.ndarray, y_test: np.ndarray, model: ClassifierMixin) -> float:
    """Accuracy on the held-out half."""
    test_acc = model.score(X_test, y_test)
    print(f"Test accuracy: {test_acc}")
    return test_acc


@step
def find_best_model(context: StepContext, test_acc: float) -> bool:
    """Whether this run reached the highest accuracy of all runs so far."""
    highest_acc = 0
    try:
        metadata_store = context.metadata_store
        prior_runs = metadata_store.get_pipeline("best_model_pipeline").runs
    except KeyError:
        print("No prior runs found.")
        prior_runs = []

    for run in prior_runs:
        prior_test_acc = run.get_step("evaluator").output.read()
        if prior_test_acc > highest_acc:
            highest_acc = prior_test_acc

    if test_acc >= highest_acc:
        print(f"This run produced the highest test accuracy: {test_acc}.")
        return True
    print(
        f"This run produced test accuracy {test_acc}, which is not the highest."
        f"\nThe highest previous test accuracy was {highest_acc}."
    )
    return False


@pipeline
def best_model_pipeline(importer, trainer, evaluator, find_best_model):
    X_train, X_test, y_train, y_test = importer()
    model = trainer(X_train, y_train)
    test_acc = evaluator(X_test, y_test, model)
    find_best_model(test_acc)


for gamma in (0.01, 0.001, 0.0001):
    best_model_pipeline(
        importer=load_digits(),
        trainer=svc_trainer(SVCTrainerStepConfig(gamma=gamma)),
        evaluator=evaluator(),
        find_best_model=find_best_model(),
    ).run()


@step
def where_it_goes(context: StepContext) -> str:
    """The output's own location in the artifact store, and what the step knows of its run
    (docs/book/developer-guide/advanced-concepts/environment.md)."""
    uri = context.get_output_artifact_uri()
    print(f"Output of {context.step_name} goes to: {uri}")
    env = Environment().step_environment
    print(f"Step environment: {env.step_name} {env.pipeline_name} {env.pipeline_run_id}")
    return uri


@pipeline
def uri_pipeline(reporter):
    reporter()


uri_pipeline(reporter=where_it_goes()).run(run_name="where_outputs_go")
