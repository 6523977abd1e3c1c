"""Issue 15 item 6: the post-execution API and step fixtures as the original framework wrote them.

``Repository().get_pipeline(pipeline_name=..., stack_key=...)``, ``runs[-1]``,
``get_run(run_name=...)``, ``get_step(name=...)`` by the pipeline's name for
the step or by its function's name, ``.output.read()``; in a step,
``context.metadata_store.get_pipeline(name).runs`` (the earlier runs: the
step's own run is not finished and not listed). Missing things raise an
error that is both zenml's ``EntityNotFoundError`` and the ``KeyError`` the
original framework raised.
"""

from __future__ import annotations

import pytest

from zenml.errors import EntityNotFoundError
from zenml.metadata_stores.records import ExecutionStatus
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import BaseStepConfig, Output, StepContext, step
from zenml.testing import ZenCLI


class TrainerConfig(BaseStepConfig):
    gamma: float = 0.5


@step
def importer() -> Output(features=list, labels=list):
    return [1.0, 2.0, 3.0], [0, 1, 1]


@step
def svc_trainer(config: TrainerConfig, features: list, labels: list) -> float:
    return config.gamma * len(features) + sum(labels)


@step
def evaluator(score: float) -> str:
    return f"score={score}"


@pipeline
def training_pipeline(importer, trainer, evaluator):
    features, labels = importer()
    evaluator(score=trainer(features=features, labels=labels))


def _run(gamma: float = 0.5) -> None:
    training_pipeline(importer=importer(), trainer=svc_trainer(config=TrainerConfig(gamma=gamma)),
                      evaluator=evaluator()).run()


def test_the_era_walk_from_repository_to_output() -> None:
    _run(0.5)
    _run(2.0)
    repo = Repository()
    assert [p.name for p in repo.get_pipelines()] == ["training_pipeline"]
    by_name = repo.get_pipeline("training_pipeline")
    by_kwargs = repo.get_pipeline(pipeline_name="training_pipeline", stack_key="default")
    by_object = repo.get_pipeline(pipeline=training_pipeline)
    assert by_name == by_kwargs == by_object
    runs = by_kwargs.runs
    assert len(runs) == 2 and runs[0].created <= runs[1].created  # oldest first
    run = by_kwargs.get_run(run_name=runs[0].name)
    assert run.name == runs[0].name and by_kwargs.get_run(runs[0].name).id == run.id
    assert by_kwargs.get_run_names() == [r.name for r in runs]
    assert run.status is ExecutionStatus.COMPLETED
    assert run.get_step_names() == ["importer", "trainer", "evaluator"]

    # by its name in the pipeline, or by its function's name as the era named steps
    trainer = run.get_step(name="trainer")
    assert run.get_step(name="svc_trainer").id == trainer.id
    assert run.get_step("svc_trainer").id == trainer.id
    assert run.get_step(step=svc_trainer).id == trainer.id
    assert trainer.entrypoint_name == "svc_trainer"
    assert trainer.pipeline_step_name == "trainer"
    assert trainer.parameters == {"gamma": 0.5}
    assert trainer.status is ExecutionStatus.COMPLETED and trainer.is_completed
    assert not trainer.is_cached
    assert trainer.output.read() == 0.5 * 3 + 2
    assert trainer.output.read(output_data_type=float) == 3.5
    assert set(trainer.inputs) == {"features", "labels"}
    assert trainer.inputs["labels"].read() == [0, 1, 1]

    last = runs[-1].steps[-1]
    assert last.name == "evaluator" and last.output.read() == "score=8.0"
    assert last.input.read() == 8.0
    outputs = runs[-1].get_step("importer").outputs
    assert outputs["features"].read() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="outputs features, labels"):
        _ = runs[-1].get_step("importer").output
    # the importer was cached in the second run: its outputs are the first run's
    cached = runs[-1].get_step("importer")
    assert cached.is_cached and cached.status is ExecutionStatus.CACHED
    assert outputs["labels"].is_cached
    assert not runs[0].get_step("importer").outputs["labels"].is_cached
    assert by_kwargs.get_run_for_completed_step("importer").id == runs[0].id


def test_missing_things_are_key_errors_and_zenml_errors() -> None:
    _run()
    repo = Repository()
    with pytest.raises(KeyError):
        repo.get_pipeline(pipeline_name="nope")
    with pytest.raises(EntityNotFoundError) as missing:
        repo.get_pipeline("nope")
    assert str(missing.value).startswith("No pipeline 'nope' has run")  # no KeyError quotes
    view = repo.get_pipeline("training_pipeline")
    with pytest.raises(KeyError):
        view.get_run(run_name="not-a-run")
    with pytest.raises(EntityNotFoundError, match="has no run 'not-a-run'"):
        view.get_run("not-a-run")
    run = view.runs[-1]
    with pytest.raises(KeyError):
        run.get_step(name="no_step")
    with pytest.raises(EntityNotFoundError) as no_step:
        run.get_step("no_step")
    assert str(no_step.value) == (f"Run '{run.name}' has no step 'no_step' (steps: importer, "
                                  f"trainer, evaluator)")


def test_a_function_used_twice_is_found_by_its_pipeline_names_only() -> None:
    @pipeline
    def twice(first, second):
        first()
        second()

    @step
    def seven() -> int:
        return 7

    twice(first=seven(), second=seven()).run()
    run = Repository().get_pipeline("twice").runs[-1]
    assert run.get_step("second").output.read() == 7
    with pytest.raises(KeyError, match="2 steps of function 'seven'"):
        run.get_step("seven")


@step(enable_cache=False)
def best_of_history(context: StepContext, score: float) -> Output(previous_runs=int,
                                                                   best=float):
    """The era's step-fixture example: compare with the earlier runs' trainer outputs."""
    with pytest.raises(KeyError):
        context.metadata_store.get_pipeline("never_ran")
    assert context.metadata_store.name == "default"  # the store's own attributes too
    try:
        runs = context.metadata_store.get_pipeline("history_pipeline").runs
    except KeyError:  # as the era's docs: the first run sees no pipeline yet
        assert context.metadata_store.get_pipelines() == []
        return -1, score
    assert [p.name for p in context.metadata_store.get_pipelines()] == ["history_pipeline"]
    best = score
    for run in runs:
        assert run.name != context.run_name
        best = max(best, run.get_step("trainer").output.read())
    assert runs[-1].get_step("svc_trainer").status.is_finished
    return len(runs), best


@pipeline
def history_pipeline(importer, trainer, evaluator):
    features, labels = importer()
    evaluator(score=trainer(features=features, labels=labels))


@pytest.mark.parametrize("gammas", [(3.0, 1.0, 2.0)])
def test_a_step_reads_the_earlier_runs_through_its_context(gammas: tuple[float, ...]) -> None:
    results = []
    for gamma in gammas:
        history_pipeline(importer=importer(),
                         trainer=svc_trainer(config=TrainerConfig(gamma=gamma)),
                         evaluator=best_of_history()).run()
        step_view = Repository().get_pipeline("history_pipeline").runs[-1].get_step("evaluator")
        results.append((step_view.outputs["previous_runs"].read(),
                        step_view.outputs["best"].read()))
    # run 1 sees no pipeline yet; later runs see the earlier runs, never their own
    assert results == [(-1, 11.0), (1, 11.0), (2, 11.0)]


def test_the_cli_lists_pipelines_through_the_view_api(zen: ZenCLI) -> None:
    _run()
    result = zen("pipeline", "list")
    assert result.exit_code == 0, result.output
    assert "training_pipeline" in result.output and "completed" in result.output
