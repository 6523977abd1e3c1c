"""Steps and pipelines the tests run (a module of its own: the step entrypoint imports it)."""

from __future__ import annotations

import os
from pathlib import Path

import wandb
from zenml_wandb import enable_wandb

from zenml.pipelines import pipeline
from zenml.steps import BaseStep, BaseStepConfig, Output, step

#: Steps append their name here when their body runs (set by the tests).
BODY_LOG = "ZENML_WANDB_TEST_BODY_LOG"


def body_ran(name: str) -> None:
    path = os.environ.get(BODY_LOG)
    if path:
        with Path(path).open("a") as handle:
            handle.write(name + "\n")


class TrainerConfig(BaseStepConfig):
    learning_rate: float = 0.1
    epochs: int = 3
    fail_after: int = -1  # raise after logging this many epochs (-1: never)


def scaled(value: int, epoch: int) -> float:
    return value / (epoch + 1)


@step
def load_data() -> int:
    body_ran("load_data")
    return 12


@enable_wandb
@step
def trainer(data: int, config: TrainerConfig) -> Output(model=float, trained_epochs=int):
    """Logs one loss per epoch."""
    body_ran("trainer")
    for epoch in range(config.epochs):
        if epoch == config.fail_after:
            raise RuntimeError(f"diverged at epoch {epoch}")
        wandb.log({"loss": scaled(data, epoch), "lr": config.learning_rate})
    wandb.run.summary["final_loss"] = scaled(data, config.epochs - 1)
    return config.learning_rate * data, config.epochs


@enable_wandb(settings=wandb.Settings(run_notes="noted by settings"))
@step
def evaluator(model: float) -> float:
    body_ran("evaluator")
    wandb.log({"accuracy": 0.5 + model / 100})
    return model / 2


@enable_wandb({"run_notes": "settings as a positional dict"})
@step(enable_cache=True)
def cached_scorer(model: float) -> float:
    body_ran("cached_scorer")
    wandb.log({"score": model})
    return model


@enable_wandb
class ClassTrainer(BaseStep):
    """A class-based step."""

    def entrypoint(self, data: int, config: TrainerConfig) -> float:
        body_ran("class_trainer")
        wandb.log({"class_loss": data * config.learning_rate})
        return data * config.learning_rate


@pipeline
def training(load, train, evaluate):
    model, _ = train(load())
    evaluate(model)


@pipeline
def train_only(load, train):
    train(load())


@pipeline
def cached_scoring(load, train, score):
    model, _ = train(load())
    score(model)


@pipeline
def class_training(load, train):
    train(load())


@enable_wandb
@step
def side(data: int, config: TrainerConfig) -> int:
    body_ran(f"side-{config.epochs}")
    for epoch in range(config.epochs):
        wandb.log({f"side_{config.epochs}": epoch})
    return data


@step
def plain(data: int) -> int:
    body_ran("plain")
    return data


@pipeline
def fan_out(load, left, right, middle):
    data = load()
    left(data)
    right(data)
    middle(data)


@enable_wandb(settings={"init_timeout": 5})
@step
def impatient(data: int) -> int:
    body_ran("impatient")
    return data


@enable_wandb(settings={"no_such_setting": 1})
@step
def misconfigured(data: int) -> int:
    body_ran("misconfigured")
    return data
