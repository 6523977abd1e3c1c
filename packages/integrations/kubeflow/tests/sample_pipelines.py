"""Pipelines of several shapes, importable by module name from the tests' folder.

The compiled tasks run in other processes (as in pods), which import this
module as ``sample_pipelines`` (the tests put this folder on PYTHONPATH, as the
image puts the code folder on it).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from zenml.pipelines import pipeline
from zenml.steps import BaseStepConfig, Output, StepContext, step


class NumberConfig(BaseStepConfig):
    value: int = 1


class FailConfig(BaseStepConfig):
    fail: bool = False


@step
def number(config: NumberConfig) -> int:
    return config.value


@step
def add_one(x: int) -> int:
    return x + 1


@step
def double(x: int) -> int:
    return 2 * x


@step
def triple(x: int) -> int:
    return 3 * x


@step
def total(a: int, b: int) -> int:
    return a + b


@step
def split(config: NumberConfig) -> Output(quotient=int, remainder=int, label=str):
    return config.value // 7, config.value % 7, f"{config.value} = 7q + r"


@step
def describe(quotient: int, remainder: int, label: str) -> dict:
    return {"q": quotient, "r": remainder, "label": label}


@step
def maybe_fail(config: FailConfig, x: int) -> int:
    if config.fail:
        raise ValueError(f"asked to fail with input {x}")
    return x


@step(enable_cache=True)
def where(context: StepContext) -> dict:
    """What a step sees of its run and its environment."""
    context.set_step_run_extra("seen_run_name", context.run_name)
    return {"run_name": context.run_name, "pipeline": context.pipeline_name,
            "sample_env": os.environ.get("SAMPLE_ENV", ""),
            "sample_common": os.environ.get("SAMPLE_COMMON", "")}


@step
def own_command_line() -> list:
    """This process's command line, as ``ps`` shows it to every local user."""
    with open("/proc/self/cmdline", "rb") as handle:
        return [part.decode() for part in handle.read().split(b"\0") if part]


class VariablesConfig(BaseStepConfig):
    names: list[str] = []


@step(enable_cache=False)
def env_digests(config: VariablesConfig) -> dict:
    """sha256 of each environment variable named (None: unset): no value is recorded."""
    return {name: (hashlib.sha256(os.environ[name].encode()).hexdigest()
                   if name in os.environ else None) for name in config.names}


@pipeline
def linear(first, second, third):
    third(second(first()))


@pipeline
def fan_out_in(source, left, right, joined):
    x = source()
    joined(left(x), right(x))


@pipeline
def multi_output(splitter, reader):
    q, r, label = splitter()
    reader(q, r, label)


@pipeline
def failing(source, checker, after):
    after(checker(source()))


@pipeline
def context_pipeline(probe):
    probe()


def make(shape: str, **options: Any) -> Any:
    """A pipeline instance of one shape."""
    if shape == "linear":
        return linear(first=number(config=NumberConfig(value=options.get("value", 4))),
                      second=add_one(), third=double())
    if shape == "fan_out_in":
        return fan_out_in(source=number(config=NumberConfig(value=options.get("value", 5))),
                          left=double(), right=triple(), joined=total())
    if shape == "multi_output":
        return multi_output(splitter=split(config=NumberConfig(value=options.get("value", 30))),
                            reader=describe())
    if shape == "failing":
        return failing(source=number(), checker=maybe_fail(config=FailConfig(fail=True)),
                       after=add_one())
    if shape == "context":
        return context_pipeline(probe=where())
    if shape == "env_digests":
        return context_pipeline(probe=env_digests(
            config=VariablesConfig(names=options.get("names", []))))
    if shape == "cmdline":
        return context_pipeline(probe=own_command_line())
    raise ValueError(shape)
