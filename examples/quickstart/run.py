"""Quickstart: train and evaluate a digits classifier in a zenml pipeline.

Runs on the active stack (the ``default`` one unless you set another: local
orchestrator, local artifact store, SQLite metadata store)::

    python examples/quickstart/run.py [--gamma 0.001] [--c 1.0]

Run it a second time and every step is reused from the first run (cached);
change ``--gamma`` and only the trainer and the evaluator run again.
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

from zenml.pipelines import pipeline
from zenml.steps import BaseStepConfig, Output, step


class TrainerConfig(BaseStepConfig):
    """The SVC's hyperparameters."""

    gamma: float = 0.001
    C: float = 1.0


@step
def importer() -> Output(X=np.ndarray, y=np.ndarray):
    """The 8x8 handwritten digits shipped with scikit-learn, one flat row per image."""
    digits = load_digits()
    return digits.data, digits.target


@step
def splitter(X: np.ndarray, y: np.ndarray) -> Output(
    X_train=np.ndarray, X_test=np.ndarray, y_train=np.ndarray, y_test=np.ndarray
):
    """A fixed, stratified 80/20 split."""
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, random_state=42, stratify=y)
    return X_train, X_test, y_train, y_test


@step
def svc_trainer(config: TrainerConfig, X_train: np.ndarray, y_train: np.ndarray) -> SVC:
    """Fit a support vector classifier."""
    model = SVC(gamma=config.gamma, C=config.C)
    model.fit(X_train, y_train)
    return model


@step
def evaluator(model: SVC, X_test: np.ndarray, y_test: np.ndarray) -> float:
    """Accuracy on the held-out images."""
    return float(model.score(X_test, y_test))


@pipeline
def digits_pipeline(importer, splitter, trainer, evaluator):
    """Load, split, train, evaluate."""
    X, y = importer()
    X_train, X_test, y_train, y_test = splitter(X, y)
    model = trainer(X_train, y_train)
    evaluator(model, X_test, y_test)


def main() -> None:
    """Run the pipeline once and say how to look at the run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gamma", type=float, default=TrainerConfig().gamma)
    parser.add_argument("--c", type=float, default=TrainerConfig().C)
    args = parser.parse_args()

    run = digits_pipeline(
        importer=importer(),
        splitter=splitter(),
        trainer=svc_trainer(config=TrainerConfig(gamma=args.gamma, C=args.c)),
        evaluator=evaluator(),
    ).run()
    if run is None:  # imported by a step entrypoint: nothing to report
        return
    accuracy = run.get_step("evaluator").output.read()
    steps = ", ".join(f"{s.name} ({'cached' if s.is_cached else s.status.value})"
                      for s in run.steps)
    print(f"\nAccuracy on the test set: {accuracy:.4f}")
    print(f"Run '{run.name}': {steps}")
    print(f"""
Inspect the runs:
    zenml pipeline runs list
    zenml pipeline runs describe {run.name}

or in Python:
    from zenml.repository import Repository
    run = Repository().get_pipeline("digits_pipeline").runs[-1]
    print(run.get_step("evaluator").output.read())
    model = run.get_step("trainer").output.read()""")


if __name__ == "__main__":
    main()
