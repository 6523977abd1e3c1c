"""The era's ``@pipeline(required_integrations=[...], requirements=[...])`` builds the step
image's requirements (issue 15, item 4), so the era's Kubeflow example needs no
``--requirements`` on the orchestrator: library integrations as their pip packages
(``sklearn`` -> ``scikit-learn``), ours as their ``zenml-<name>`` distributions with
their requirements. Compiled with the real kfp compiler; no registry, no docker."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from kfp_harness import load_pipeline_spec, task_command

from zenml.errors import PipelineConfigurationError
from zenml.execution.deployment import Deployment
from zenml.integrations.catalog import get_known
from zenml.integrations.constants import KUBEFLOW, SELDON, SKLEARN
from zenml.integrations.status import installed_version
from zenml.pipelines import pipeline
from zenml.pipelines.schedule import Schedule
from zenml.repository import Repository
from zenml.steps import step

from conftest import Stacks

TESTS = Path(__file__).parent


@step
def count() -> int:
    return 3


@step
def square(x: int) -> int:
    return x * x


@pipeline(required_integrations=[SKLEARN, SELDON], requirements=["scipy>=1.9"],
          enable_cache=False)
def era_kubeflow_pipeline(first, second):
    second(first())


def test_required_integrations_and_requirements_go_into_the_image(stacks: Stacks,
                                                                  tmp_path: Path) -> None:
    ignore = tmp_path / "era.dockerignore"
    ignore.write_text("# the era's dockerignore_file\nkfp_stub.py\n")

    @pipeline(required_integrations=[SKLEARN, SELDON], requirements=["scipy>=1.9"],
              dockerignore_file=str(ignore))
    def with_ignore(first, second):
        second(first())

    stacks.register("kf")  # no requirements on the orchestrator
    stack = Repository().active_stack
    deployment = with_ignore(first=count(), second=square()).deployment(stack)
    assert deployment.required_integrations == ["sklearn", "seldon"]
    assert deployment.requirements == ["scipy>=1.9"]
    compiled = stack.orchestrator.compile(deployment, stack)
    context = compiled.image.context
    requirements = (context / "requirements.txt").read_text().splitlines()
    assert requirements == compiled.image.requirements
    assert "scikit-learn" in requirements and "scipy>=1.9" in requirements
    for requirement in get_known("seldon").requirements:  # seldon's own
        assert requirement in requirements
    dockerfile = (context / "Dockerfile").read_text()
    if installed_version("zenml-seldon") is not None:
        # installed from this source checkout (the integrations' dev environment):
        # copied into the context and installed from there
        assert "/zenml/packages/zenml-seldon" in dockerfile
        assert (context / "packages" / "zenml-seldon" / "pyproject.toml").is_file()
    else:  # not installed here (tests(kubeflow)): the image gets it from the index
        assert "zenml-seldon" in requirements
        assert "/zenml/packages/zenml-seldon" not in dockerfile
    code = context / "code" / "0"
    assert (code / "test_era_requirements.py").is_file()
    assert not (code / "kfp_stub.py").exists()  # left out by the dockerignore_file
    # the tasks run the step entrypoint with the deployment that carries them
    spec = load_pipeline_spec(compiled.path)
    key = next(iter(spec.root.dag.tasks))
    argv, _, container = task_command(spec, key, run_id="RID", run_name="RNAME")
    assert container["image"] == compiled.image.name
    shipped = Deployment.from_json(argv[4])
    assert shipped.required_integrations == ["sklearn", "seldon"]
    assert shipped.requirements == ["scipy>=1.9"]


def test_the_image_changes_with_the_required_integrations(stacks: Stacks) -> None:
    stacks.register("kf")
    stack = Repository().active_stack

    @pipeline(name="era_kubeflow_pipeline")
    def plain(first, second):
        second(first())

    with_requirements = era_kubeflow_pipeline(first=count(), second=square())
    without = plain(first=count(), second=square())
    image_with = stack.orchestrator.compile(with_requirements.deployment(stack), stack).image
    image_without = stack.orchestrator.compile(without.deployment(stack), stack).image
    assert "scikit-learn" in image_with.requirements
    assert "scikit-learn" not in image_without.requirements
    assert image_with.name != image_without.name  # the tag is the context's content hash


@pipeline(required_integrations=[KUBEFLOW], enable_cache=False)
def era_scheduled_pipeline(first, second):
    second(first())


def test_a_schedule_is_refused_before_anything_is_compiled(stacks: Stacks) -> None:
    folder = stacks.register("kf", compile_only=True)
    made = era_scheduled_pipeline(first=count(), second=square())
    schedule = Schedule(start_time=datetime(2022, 7, 1, 10), interval_second=600)
    with pytest.raises(PipelineConfigurationError, match=(
            r"^Orchestrator 'kf' \(kubeflow\) cannot schedule runs; run pipeline "
            r"'era_scheduled_pipeline' without a schedule$")):
        made.run(schedule=schedule)
    assert not (folder / "kubeflow").exists()
    assert made.run() is None  # compile_only: compiled, not submitted
    assert list((folder / "kubeflow").rglob("*.yaml"))
