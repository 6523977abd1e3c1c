"""Pipelines on the default stack: runs, outputs, caching, failures, post-execution."""

from __future__ import annotations

from pathlib import Path

import pytest

from zenml.errors import (
    PipelineConfigurationError,
    PipelineInterfaceError,
    RunFailedError,
    StepInterfaceError,
)
from zenml.metadata_stores.records import ExecutionStatus
from zenml.pipelines import BasePipeline, pipeline
from zenml.repository import Repository
from zenml.steps import BaseStep, BaseStepConfig, Output, StepContext, step

CALLS: list[str] = []


class AddConfig(BaseStepConfig):
    amount: int = 1


@step
def numbers() -> Output(a=int, b=int):
    CALLS.append("numbers")
    return 2, 3


@step
def add(config: AddConfig, a: int, b: int) -> int:
    CALLS.append("add")
    return a + b + config.amount


@step
def double(x: int) -> int:
    CALLS.append("double")
    return 2 * x


@step
def report(x: int, y: int) -> str:
    CALLS.append("report")
    return f"{x}/{y}"


@pipeline
def arithmetic(numbers, add, first, second, report):
    a, b = numbers()
    total = add(a, b)
    report(first(total), second(total))


def make(amount: int = 1) -> BasePipeline:
    return arithmetic(numbers=numbers(), add=add(config=AddConfig(amount=amount)),
                      first=double(), second=double(), report=report())


@pytest.fixture(autouse=True)
def _calls() -> None:
    CALLS.clear()


def test_run_records_every_step_and_output() -> None:
    run = make().run()
    assert run is not None and run.status is ExecutionStatus.COMPLETED
    assert [s.name for s in run.steps] == ["numbers", "add", "first", "second", "report"]
    assert run.get_step("report").output.read() == "12/12"
    assert run.get_step("add").parameters == {"amount": 1}
    numbers_step = run.get_step("numbers")
    assert {k: v.read() for k, v in numbers_step.outputs.items()} == {"a": 2, "b": 3}
    with pytest.raises(ValueError, match="outputs a, b"):
        _ = numbers_step.output
    add_inputs = run.get_step("add").inputs
    assert {k: v.read() for k, v in add_inputs.items()} == {"a": 2, "b": 3}
    assert add_inputs["a"].producer_step.name == "numbers"
    # the same step class under two names ran twice
    assert CALLS.count("double") == 2


def test_post_execution_through_repository() -> None:
    make().run()
    make(amount=5).run()
    view = Repository().get_pipeline("arithmetic")
    assert [p.name for p in Repository().get_pipelines()] == ["arithmetic"]
    assert len(view.runs) == 2
    latest = view.runs[-1]
    assert latest.get_step("add").output.read() == 10
    assert view.get_run(latest.name).name == latest.name
    assert Repository().get_pipeline(pipeline=arithmetic).name == "arithmetic"
    assert arithmetic(numbers=numbers(), add=add(), first=double(), second=double(),
                      report=report()).get_runs()[0].name == view.runs[0].name


def test_artifacts_land_under_pipeline_run_and_step() -> None:
    run = make().run()
    assert run is not None
    store = Repository().active_stack.artifact_store
    add = run.get_step("add")
    # names are encoded path segments, one folder per attempt of a step (issue 13)
    assert add.output.uri == f"{store.path}/arithmetic/{run.name}/add/{add.id[:8]}/output"
    uri = add.output.uri
    assert Path(uri, "data.json").read_text() == "6"


def test_second_run_is_cached_and_points_at_the_original_outputs() -> None:
    first = make().run()
    CALLS.clear()
    second = make().run()
    assert first is not None and second is not None
    assert CALLS == []
    assert all(s.is_cached and s.status is ExecutionStatus.CACHED for s in second.steps)
    assert second.get_step("add").output.uri == first.get_step("add").output.uri
    assert second.get_step("report").output.read() == "12/12"


def test_changed_parameter_reruns_the_step_and_what_depends_on_it() -> None:
    make(amount=1).run()
    CALLS.clear()
    run = make(amount=2).run()
    assert run is not None
    assert CALLS == ["add", "double", "double", "report"]
    assert run.get_step("numbers").is_cached
    assert not run.get_step("add").is_cached
    assert run.get_step("report").output.read() == "14/14"


def test_unchanged_output_keeps_downstream_cached() -> None:
    make().run()
    CALLS.clear()
    run = make().run(enable_cache=False)
    assert run is not None and not any(s.is_cached for s in run.steps)
    CALLS.clear()
    # a re-run upstream step that writes the same content keeps children cached
    run = arithmetic(numbers=numbers(), add=add(),
                     first=double(), second=double(), report=report()).run()
    assert run is not None and all(s.is_cached for s in run.steps)


@step(enable_cache=False)
def never_cached() -> int:
    CALLS.append("never_cached")
    return 1


@pipeline
def one_step(only):
    only()


@pipeline(enable_cache=False)
def uncached_pipeline(only):
    only()


def test_cache_switches() -> None:
    one_step(only=never_cached()).run()
    one_step(only=never_cached()).run()
    assert CALLS == ["never_cached", "never_cached"]
    CALLS.clear()
    uncached_pipeline(only=double_free()).run()
    uncached_pipeline(only=double_free()).run()
    assert CALLS == ["double_free", "double_free"]


@step
def double_free() -> int:
    CALLS.append("double_free")
    return 4


@step
def uses_context(context: StepContext) -> int:
    CALLS.append("uses_context")
    from zenml.execution import current_step_run

    info = current_step_run()
    assert info is not None
    assert context.get_output_artifact_uri().endswith(f"/only/{info.step_run_id[:8]}/output")
    assert context.pipeline_name == "one_step"
    assert context.metadata_store.name == "default"
    return 1


def test_a_step_using_the_context_is_not_cached() -> None:
    one_step(only=uses_context()).run()
    one_step(only=uses_context()).run()
    assert CALLS == ["uses_context", "uses_context"]


@step
def explode(x: int) -> int:
    raise ValueError(f"cannot handle {x}")


@pipeline
def failing(numbers, add, boom, after):
    a, b = numbers()
    after(boom(add(a, b)))


def test_a_failing_step_fails_the_run_and_stops_later_steps() -> None:
    with pytest.raises(RunFailedError, match=r"Step 'boom' .* failed: ValueError: cannot handle 6"):
        failing(numbers=numbers(), add=add(), boom=explode(), after=double()).run()
    assert "double" not in CALLS
    run = Repository().get_pipeline("failing").runs[-1]
    assert run.status is ExecutionStatus.FAILED
    assert "cannot handle 6" in (run.error or "")
    boom = run.get_step("boom")
    assert boom.status is ExecutionStatus.FAILED and "cannot handle 6" in (boom.error or "")
    assert [s.name for s in run.steps] == ["numbers", "add", "boom"]


def test_run_config_yaml_sets_parameters(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("run_name: configured\nsteps:\n  add:\n    parameters:\n      amount: 10\n")
    p = arithmetic(numbers=numbers(), add=add(), first=double(), second=double(),
                   report=report())
    run = p.with_config(config).run()
    assert run is not None and run.name == "configured"
    assert run.get_step("add").parameters == {"amount": 10}


def test_run_config_errors(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("steps:\n  nope:\n    parameters:\n      amount: 1\n")
    with pytest.raises(PipelineConfigurationError, match="step 'nope'"):
        make().with_config(config)
    config.write_text("steps:\n  add:\n    parameters:\n      amount: 1\n")
    with pytest.raises(PipelineConfigurationError, match="set in code and in"):
        make(amount=3).with_config(config)
    assert make(amount=3).with_config(config, overwrite_step_parameters=True)
    config.write_text("steps:\n  add:\n    parameters:\n      nope: 1\n")
    with pytest.raises(PipelineConfigurationError, match="no parameter nope"):
        arithmetic(numbers=numbers(), add=add(), first=double(), second=double(),
                   report=report()).with_config(config).run()
    config.write_text("steps: [oops\n")
    with pytest.raises(PipelineConfigurationError, match="not valid YAML"):
        make().with_config(config)


def test_duplicate_run_name_is_refused() -> None:
    make().run(run_name="same")
    with pytest.raises(Exception, match="already exists"):
        make().run(run_name="same")


class Opaque:
    pass


@step
def makes_opaque() -> Opaque:
    return Opaque()


def test_output_without_materializer_fails_the_step_and_writes_nothing() -> None:
    # issue 15: the value's runtime type may bring a materializer the annotation lacks,
    # so a type with none is found when the step returns (before anything is written)
    with pytest.raises(RunFailedError, match="No materializer for output 'output' of step "
                                             "'only' of type Opaque; pass one with"):
        one_step(only=makes_opaque()).run()
    run = Repository().get_pipeline("one_step").runs[-1]
    assert run.status is ExecutionStatus.FAILED
    assert run.get_step("only").outputs == {}


class Load(BaseStep):
    def entrypoint(self) -> Output(x=int, y=int):  # type: ignore[valid-type]
        return 4, 5


class Mult(BaseStep):
    def entrypoint(self, config: AddConfig, x: int, y: int) -> int:
        return x * y * config.amount


class ClassPipeline(BasePipeline):
    def connect(self, load: BaseStep, mult: BaseStep) -> None:  # type: ignore[override]
        mult(*load())


def test_class_based_steps_and_pipelines() -> None:
    run = ClassPipeline(load=Load(), mult=Mult(AddConfig(amount=2))).run()
    assert run is not None and run.pipeline_name == "ClassPipeline"
    assert run.get_step("mult").output.read() == 40


def test_interface_errors() -> None:
    with pytest.raises(StepInterfaceError, match="no type annotation"):
        step(lambda x: x)
    with pytest.raises(StepInterfaceError, match="no return annotation"):
        @step
        def no_return(x: int):  # type: ignore[no-untyped-def]
            return x
    with pytest.raises(StepInterfaceError, match=r"takes \*args"):
        @step
        def star(*args: int) -> int:
            return 1
    with pytest.raises(StepInterfaceError, match="only its config"):
        add(x=1)
    with pytest.raises(PipelineInterfaceError, match="missing step"):
        arithmetic(numbers=numbers())
    with pytest.raises(PipelineInterfaceError, match="create it first"):
        one_step(only=double_free)
    shared = double()
    with pytest.raises(PipelineInterfaceError, match="same step object"):
        arithmetic(numbers=numbers(), add=add(), first=shared, second=shared, report=report())

    @pipeline
    def called_twice(only):
        only()
        only()

    with pytest.raises(StepInterfaceError, match="called twice"):
        called_twice(only=double_free()).run()

    @pipeline
    def never_called(only):
        pass

    with pytest.raises(PipelineInterfaceError, match="never called"):
        never_called(only=double_free()).run()


def test_wrong_return_type_fails_the_step() -> None:
    @step
    def liar() -> int:
        return "not an int"  # type: ignore[return-value]

    with pytest.raises(RunFailedError, match="returned str for output 'output'"):
        one_step(only=liar()).run()
