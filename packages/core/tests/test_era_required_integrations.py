"""``@pipeline(required_integrations=[...], requirements=[...])`` as the original framework
wrote it (issue 15, item 4): the integrations are checked before a run (one line naming
the install command when one is missing; nothing runs), and the deployment carries them
and the pipeline's requirements for container-based orchestrators."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from zenml.errors import PipelineConfigurationError, PipelineInterfaceError
from zenml.integrations.catalog import CATALOG
from zenml.integrations.constants import SCIPY, SELDON, SKLEARN
from zenml.integrations.requirements import (
    LIBRARY_INTEGRATIONS,
    MissingIntegrationError,
    check_required_integrations,
)
from zenml.integrations.status import installed_version
from zenml.pipelines import BasePipeline, pipeline
from zenml.repository import Repository
from zenml.steps import step

#: A library integration whose library is not installed in any of our environments.
ABSENT_LIBRARY = next(name for name, entry in LIBRARY_INTEGRATIONS.items()
                      if importlib.util.find_spec(entry.module) is None)


@step
def seven() -> int:
    return 7


@step
def double(x: int) -> int:
    return 2 * x


@pipeline(required_integrations=[SKLEARN, SCIPY], requirements=["scipy>=1.9", "pyyaml"])
def sklearn_pipeline(first, second):
    second(first())


@pipeline(required_integrations=[ABSENT_LIBRARY, SKLEARN])
def absent_library_pipeline(first, second):
    second(first())


@pipeline(required_integrations=["no_such_integration"])
def unknown_pipeline(first, second):
    second(first())


class ClassPipeline(BasePipeline):
    """Our form: class attributes."""

    REQUIRED_INTEGRATIONS = (SKLEARN,)
    REQUIREMENTS = ("scipy",)

    def connect(self, first: Any, second: Any) -> None:
        second(first())


class EraClassPipeline(BasePipeline):
    """The era's form: what ``@pipeline`` wrote into INSTANCE_CONFIGURATION."""

    INSTANCE_CONFIGURATION = {"required_integrations": [SKLEARN], "requirements": ["numpy"]}

    def connect(self, first: Any, second: Any) -> None:
        second(first())


def runs_of(name: str) -> int:
    return sum(len(p.runs) for p in Repository().get_pipelines() if p.name == name)


def test_installed_library_integrations_run_and_are_recorded_in_the_deployment() -> None:
    p = sklearn_pipeline(first=seven(), second=double())
    run = p.run()
    assert run is not None and run.steps[-1].output.read() == 14
    assert runs_of("sklearn_pipeline") == 1
    deployment = p.deployment(Repository().active_stack)
    assert deployment.required_integrations == ["sklearn", "scipy"]
    assert deployment.requirements == ["scipy>=1.9", "pyyaml"]
    assert p.requirements == {"scikit-learn", "scipy", "scipy>=1.9", "pyyaml"}
    assert sklearn_pipeline.REQUIRED_INTEGRATIONS == ("sklearn", "scipy")


def test_a_missing_library_integration_is_one_line_naming_pip_and_nothing_runs() -> None:
    p = absent_library_pipeline(first=seven(), second=double())
    package = " ".join(LIBRARY_INTEGRATIONS[ABSENT_LIBRARY].requirements)
    with pytest.raises(MissingIntegrationError) as error:
        p.run()
    assert str(error.value) == (
        f"Pipeline 'absent_library_pipeline' requires integration {ABSENT_LIBRARY}, not "
        f"installed here; install it with: pip install {package}")
    assert runs_of("absent_library_pipeline") == 0


STACK_INTEGRATIONS = [entry for entry in CATALOG if not entry.is_tool]  # not the dashboard


@pytest.mark.parametrize("entry", STACK_INTEGRATIONS, ids=lambda e: e.name)
def test_our_integrations_count_as_installed_when_their_distribution_is(entry: Any) -> None:
    installed = installed_version(entry.distribution) is not None
    if installed:
        check_required_integrations("p", [entry.name, f"zenml-{entry.name}"])
    else:
        with pytest.raises(MissingIntegrationError, match=(
                rf"^Pipeline 'p' requires integration {entry.name}, not installed here; "
                rf"install it with: zenml integration install {entry.name}$")):
            check_required_integrations("p", [entry.name])


def test_several_missing_integrations_are_still_one_line() -> None:
    missing_ours = [e.name for e in STACK_INTEGRATIONS
                    if installed_version(e.distribution) is None]
    names = [*missing_ours, ABSENT_LIBRARY]
    with pytest.raises(MissingIntegrationError) as error:
        check_required_integrations("p", names)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"Pipeline 'p' requires integration{'s' if len(names) > 1 else ''}"
                              f" {', '.join(names)}, not installed here")
    if missing_ours:
        assert f"zenml integration install {' '.join(missing_ours)} && pip install" in message
    assert message.endswith(" ".join(LIBRARY_INTEGRATIONS[ABSENT_LIBRARY].requirements))


def test_an_unknown_integration_is_one_line_and_nothing_runs() -> None:
    p = unknown_pipeline(first=seven(), second=double())
    with pytest.raises(PipelineConfigurationError, match=(
            r"^Pipeline 'unknown_pipeline' requires integration 'no_such_integration', which "
            r"zenml does not know; use one of: kubeflow, mysql, s3, seldon, wandb, ")):
        p.run()
    assert runs_of("unknown_pipeline") == 0


def test_class_attributes_and_the_eras_instance_configuration() -> None:
    stack = Repository().active_stack
    ours = ClassPipeline(first=seven(), second=double())
    assert ours.required_integrations == ("sklearn",)
    assert ours.deployment(stack).requirements == ["scipy"]
    era = EraClassPipeline(first=seven(), second=double())
    deployment = era.deployment(stack)
    assert deployment.required_integrations == ["sklearn"]
    assert deployment.requirements == ["numpy"]
    # the era also took the options as constructor keywords, beside the steps
    keyed = ClassPipeline(seven(), double(), required_integrations=[SELDON, SKLEARN],
                          requirements=["pandas"], enable_cache=False)
    assert keyed.required_integrations == ("seldon", "sklearn")
    assert keyed.enable_cache is False
    keyed_deployment = keyed.deployment(stack)
    assert keyed_deployment.requirements == ["pandas"]
    assert keyed_deployment.enable_cache is False


def test_requirements_from_a_file_and_the_deprecated_requirements_file(tmp_path: Path) -> None:
    stack = Repository().active_stack
    file = tmp_path / "pipeline-requirements.txt"
    file.write_text("# pinned for the image\nscipy>=1.9  # sparse\n\npyyaml\nscipy>=1.9\n")

    @pipeline(requirements=str(file))
    def from_file(first, second):
        second(first())

    @pipeline(requirements_file=str(file))
    def deprecated(first, second):
        second(first())

    for made in (from_file, deprecated):
        assert made(first=seven(), second=double()).deployment(stack).requirements == [
            "scipy>=1.9", "pyyaml"]

    @pipeline(requirements="scipy")  # a string that is no file: the era ignored it silently
    def not_a_file(first, second):
        second(first())

    with pytest.raises(PipelineConfigurationError, match=(
            r"^Pipeline 'not_a_file': requirements='scipy' is not a readable file; pass a "
            r"requirements file or a list like requirements=\['scipy'\]$")):
        not_a_file(first=seven(), second=double()).run()
    assert runs_of("not_a_file") == 0


def test_badly_typed_options_fail_where_the_pipeline_is_defined() -> None:
    with pytest.raises(PipelineInterfaceError, match="required_integrations must be a list "
                                                     "of strings, got 3"):
        pipeline(required_integrations=3)(lambda first: first())  # type: ignore[arg-type]
    with pytest.raises(PipelineInterfaceError, match="requirements must be a list of strings"):
        pipeline(requirements=[1, 2])(lambda first: first())  # type: ignore[list-item]

    class Bad(BasePipeline):
        INSTANCE_CONFIGURATION = {"required_integration": ["sklearn"]}

        def connect(self, first: Any) -> None:
            first()

    with pytest.raises(PipelineInterfaceError, match="unknown option"):
        Bad(first=seven())


def test_a_single_string_is_one_integration() -> None:
    @pipeline(required_integrations=SKLEARN)  # type: ignore[arg-type]
    def single(first, second):
        second(first())

    assert single.REQUIRED_INTEGRATIONS == ("sklearn",)
