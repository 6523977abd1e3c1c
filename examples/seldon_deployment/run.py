"""Train an iris classifier and serve it with the stack's seldon model deployer.

The pipeline trains a logistic regression on the iris data, evaluates it,
decides whether it is good enough (``--min-accuracy``), and deploys it with
``seldon_model_deployer_step``; then the script sends three flowers to the
served model and prints the predicted species. Run it on a stack with a
seldon model deployer (see README.md)::

    python examples/seldon_deployment/run.py [--min-accuracy 0.9] [--c 1.0]

Each run replaces the model this pipeline serves (the server keeps its uuid);
a run whose model misses the accuracy bar keeps the current one serving.
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from zenml_seldon import (
    SeldonDeployerStepConfig,
    SeldonDeploymentConfig,
    seldon_model_deployer_step,
)

from zenml.pipelines import pipeline
from zenml.steps import BaseStepConfig, Output, step

SAMPLES = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3]]


class TrainerConfig(BaseStepConfig):
    """Inverse regularisation strength of the logistic regression."""

    C: float = 1.0


class TriggerConfig(BaseStepConfig):
    """The accuracy a model needs to be deployed."""

    min_accuracy: float = 0.9


@step
def loader() -> Output(X_train=np.ndarray, X_test=np.ndarray, y_train=np.ndarray,
                       y_test=np.ndarray):
    """The iris flowers, split 75/25 (stratified, fixed seed)."""
    X, y = load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0,
                                                        stratify=y)
    return X_train, X_test, y_train, y_test


@step
def trainer(config: TrainerConfig, X_train: np.ndarray, y_train: np.ndarray) -> LogisticRegression:
    """Fit a logistic regression."""
    return LogisticRegression(C=config.C, max_iter=1000).fit(X_train, y_train)


@step
def evaluator(model: LogisticRegression, X_test: np.ndarray, y_test: np.ndarray) -> float:
    """Accuracy on the held-out flowers."""
    return float(model.score(X_test, y_test))


@step
def deployment_trigger(config: TriggerConfig, accuracy: float) -> bool:
    """Deploy only a model that is accurate enough."""
    return accuracy >= config.min_accuracy


@pipeline
def train_and_deploy(loader, trainer, evaluator, trigger, deployer):
    """Load, train, evaluate, decide, deploy."""
    X_train, X_test, y_train, y_test = loader()
    model = trainer(X_train, y_train)
    accuracy = evaluator(model, X_test, y_test)
    deployer(trigger(accuracy), model)


def main() -> None:
    """Run the pipeline, then predict with the served model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-accuracy", type=float, default=TriggerConfig().min_accuracy)
    parser.add_argument("--c", type=float, default=TrainerConfig().C)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    run = train_and_deploy(
        loader=loader(),
        trainer=trainer(config=TrainerConfig(C=args.c)),
        evaluator=evaluator(),
        trigger=deployment_trigger(config=TriggerConfig(min_accuracy=args.min_accuracy)),
        deployer=seldon_model_deployer_step(config=SeldonDeployerStepConfig(
            service_config=SeldonDeploymentConfig(model_name="iris", replicas=1,
                                                  implementation="SKLEARN_SERVER"),
            timeout=args.timeout)),
    ).run()
    if run is None:  # imported by a step entrypoint: nothing to report
        return
    accuracy = run.get_step("evaluator").output.read()
    deployed = run.get_step("trigger").output.read()
    service = run.get_step("deployer").output.read()
    names = load_iris().target_names
    # SKLEARN_SERVER answers predict_proba (Seldon Core's default method): one row of
    # class probabilities per sample, on this machine as on Kubernetes
    predictions = service.predict(np.array(SAMPLES)).argmax(axis=-1)
    print(f"\nAccuracy: {accuracy:.3f} ({'deployed' if deployed else 'not deployed: kept'} "
          f"the {'new' if deployed else 'current'} model)")
    print(f"Served model {service.uuid}: {service.status.state.value} at "
          f"{service.prediction_url}")
    for sample, label in zip(SAMPLES, np.ravel(predictions), strict=True):
        print(f"  {sample} -> {names[int(label)]}")
    print(f"""
Look at it, and stop it:
    zenml served-models list
    zenml served-models describe {service.uuid}
    zenml served-models delete {service.uuid} -y""")


if __name__ == "__main__":
    main()
