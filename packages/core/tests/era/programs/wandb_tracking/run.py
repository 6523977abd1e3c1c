# ruff: noqa  (era-style code, kept as its docs wrote it)
"""The era's W&B tracking example (examples/wandb_tracking, 0.8-0.10) on the digits:
``@enable_wandb`` above ``@step`` and above a ``BaseStep`` subclass, ``wandb.log`` inside,
two runs with different hyperparameters."""
import numpy as np
import wandb
from sklearn.base import ClassifierMixin
from sklearn.svm import SVC

from zenml.integrations.constants import SKLEARN, WANDB
from zenml.integrations.sklearn.helpers.digits import get_digits
from zenml.integrations.wandb.wandb_step_decorator import enable_wandb
from zenml.pipelines import pipeline
from zenml.steps import BaseStep, BaseStepConfig, Output, step


@step
def importer() -> Output(
    X_train=np.ndarray, X_test=np.ndarray, y_train=np.ndarray, y_test=np.ndarray
):
    """The digits, split in halves."""
    X_train, X_test, y_train, y_test = get_digits()
    return X_train, X_test, y_train, y_test


class TrainerConfig(BaseStepConfig):
    """Trainer params"""

    gamma: float = 0.001


@enable_wandb
class SVCTrainer(BaseStep):
    def entrypoint(
        self, config: TrainerConfig, X_train: np.ndarray, y_train: np.ndarray
    ) -> ClassifierMixin:
        """An SVC; logs its training accuracy."""
        model = SVC(gamma=config.gamma)
        model.fit(X_train, y_train)
        wandb.log({"train_accuracy": model.score(X_train, y_train)})
        return model


@enable_wandb
@step
def evaluator(X_test: np.ndarray, y_test: np.ndarray, model: ClassifierMixin) -> float:
    """Logs the test accuracy."""
    test_acc = model.score(X_test, y_test)
    wandb.log({"test_accuracy": test_acc})
    print(f"Test accuracy: {test_acc}")
    return test_acc


@pipeline(enable_cache=False, required_integrations=[SKLEARN, WANDB])
def wandb_example_pipeline(importer, trainer, evaluator):
    X_train, X_test, y_train, y_test = importer()
    model = trainer(X_train=X_train, y_train=y_train)
    evaluator(X_test=X_test, y_test=y_test, model=model)


if __name__ == "__main__":
    for gamma in (0.001, 0.0001):
        wandb_example_pipeline(
            importer=importer(),
            trainer=SVCTrainer(config=TrainerConfig(gamma=gamma)),
            evaluator=evaluator(),
        ).run()
