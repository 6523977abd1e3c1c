# ruff: noqa  (era-style code, kept as its docs wrote it)
"""The era's quickstart (docs/book/introduction/quickstart-guide.md, 0.8-0.10), as a user
typed it: sklearn digits, a ``ClassifierMixin`` output, ``python run.py``."""
import numpy as np
from sklearn.base import ClassifierMixin

from zenml.integrations.sklearn.helpers.digits import get_digits, get_digits_model
from zenml.pipelines import pipeline
from zenml.steps import Output, step


@step
def importer() -> Output(
    X_train=np.ndarray, X_test=np.ndarray, y_train=np.ndarray, y_test=np.ndarray
):
    """Load the digits as plain numpy arrays."""
    X_train, X_test, y_train, y_test = get_digits()
    return X_train, X_test, y_train, y_test


@step
def trainer(X_train: np.ndarray, y_train: np.ndarray) -> ClassifierMixin:
    """Fit the helper's classifier."""
    model = get_digits_model()
    model.fit(X_train, y_train)
    return model


@step
def evaluator(X_test: np.ndarray, y_test: np.ndarray, model: ClassifierMixin) -> float:
    """Accuracy on the held-out half."""
    test_acc = model.score(X_test, y_test)
    print(f"Test accuracy: {test_acc}")
    return test_acc


@pipeline
def mnist_pipeline(importer, trainer, evaluator):
    """Wire the three steps."""
    X_train, X_test, y_train, y_test = importer()
    model = trainer(X_train=X_train, y_train=y_train)
    evaluator(X_test=X_test, y_test=y_test, model=model)


# the era's quickstart rebinds the decorator's name to the instance
pipeline = mnist_pipeline(importer=importer(), trainer=trainer(), evaluator=evaluator())
pipeline.run()
