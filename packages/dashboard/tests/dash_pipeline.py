"""The pipeline the dashboard tests run: produce -> consume, and a parameter to fail."""

from __future__ import annotations

from typing import Any

from zenml.pipelines import pipeline
from zenml.steps import BaseStepConfig, step


class ProduceConfig(BaseStepConfig):
    value: int = 7
    fail: bool = False
    note: str = ""


@step
def produce(config: ProduceConfig) -> int:
    if config.fail:
        raise KeyError("missing column")
    return config.value


@step
def consume(x: int) -> str:
    return str(x * 2)


@pipeline
def dash_pipeline(produce, consume):  # type: ignore[no-untyped-def]
    consume(produce())


def run(name: str, value: int = 7, fail: bool = False, note: str = "") -> Any:
    """Run the pipeline as ``name``; returns the run's view."""
    config = ProduceConfig(value=value, fail=fail, note=note)
    return dash_pipeline(produce=produce(config=config),
                         consume=consume()).run(run_name=name)
