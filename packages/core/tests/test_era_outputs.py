"""Return values as the original framework (0.8-0.10) accepted them (issue 15, item 2):
a step with one declared ``-> Output(x=T)`` may return the bare value or a 1-tuple."""

from __future__ import annotations

import pytest

from zenml.errors import RunFailedError
from zenml.pipelines import pipeline
from zenml.steps import Output, step


@step
def bare() -> Output(x=int):
    return 5


@step
def one_tuple() -> Output(y=int):
    return (6,)


@step
def a_tuple_output() -> Output(pair=tuple):
    return (7,)


@step
def combine(x: int, y: int, pair: tuple) -> Output(total=int, pair_length=int):
    return x + y, len(pair)


@pipeline
def era_outputs(bare, one_tuple, a_tuple_output, combine):
    combine(x=bare(), y=one_tuple(), pair=a_tuple_output())


def test_one_declared_output_takes_the_bare_value_or_a_one_tuple() -> None:
    run = era_outputs(bare=bare(), one_tuple=one_tuple(), a_tuple_output=a_tuple_output(),
                      combine=combine()).run()
    assert run.get_step("bare").output.read() == 5
    assert run.get_step("one_tuple").output.read() == 6
    # a 1-tuple stays whole where the declared output is itself a tuple
    assert run.get_step("a_tuple_output").output.read() == (7,)
    outputs = run.get_step("combine").outputs
    assert outputs["total"].read() == 11 and outputs["pair_length"].read() == 1


@step
def two() -> Output(a=int, b=int):
    return 1


@pipeline
def two_outputs(two):
    two()


def test_several_declared_outputs_still_need_a_tuple() -> None:
    with pytest.raises(RunFailedError, match=r"must return 2 values \(a, b\) as a tuple"):
        two_outputs(two=two()).run()
