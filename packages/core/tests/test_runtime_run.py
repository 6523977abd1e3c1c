"""Issue 14 (runtime): one StackRuntime per run, built from the deployment's stack.

The run view ``run()`` returns reads from the stores the run used; a run does not
instantiate or probe every component of the stack; the step entrypoint builds the
same runtime from the deployment alone and refuses a deployment from a newer zenml.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import Field

from zenml.artifact_stores.config import LocalArtifactStoreConfig
from zenml.artifact_stores.local import LocalArtifactStore
from zenml.errors import ArtifactStoreError, ZenMLError
from zenml.execution.deployment import Deployment
from zenml.pipelines import pipeline
from zenml.plugins import hookimpl
from zenml.repository import Repository
from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType as T
from zenml.stack.config import StackComponentConfig
from zenml.stack.flavor import Flavor
from zenml.steps import step
from zenml.testing import imported_modules_after, plugin_registered

from conftest import Zen


@step
def produce() -> int:
    return 41


@step
def add_one(value: int) -> int:
    return value + 1


@pipeline
def two_steps(first, second):
    second(first())


def make() -> Any:
    return two_steps(first=produce(), second=add_one())


class Unreachable(LocalArtifactStore):
    """An artifact store this machine cannot reach (a bucket of another account, say)."""

    def exists(self, path: str) -> bool:
        raise ArtifactStoreError(f"Artifact store '{self.name}' is unreachable")

    def open(self, path: str, mode: str = "rb") -> Any:
        raise ArtifactStoreError(f"Artifact store '{self.name}' is unreachable")


class UnreachablePlugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [Flavor(name="unreachable", type="artifact_store",
                       config_class=LocalArtifactStoreConfig,
                       implementation=f"{__name__}:Unreachable")]


def test_a_run_reads_from_its_own_stores_after_the_active_stack_changed(
        zen: Zen, tmp_path: Path) -> None:
    run = make().run()
    assert run is not None
    with plugin_registered(UnreachablePlugin(), "unreachable-test"):
        zen("artifact-store", "register", "far", "--flavor=unreachable",
            f"--path={tmp_path / 'far'}")
        zen("metadata-store", "register", "far_metadata", "--flavor=sqlite",
            f"--uri={tmp_path / 'far.db'}")
        zen("stack", "register", "other", "-o", "default", "-a", "far", "-m", "far_metadata")
        zen("stack", "set", "other")
        assert Repository().active_stack_name == "other"
        # the view is bound to the run's runtime: the active stack is not asked
        assert run.get_step("second").output.read() == 42
        assert run.get_step("first").output.read() == 41
        assert run.get_step("second").inputs["value"].read() == 41


# -- components are neither built nor probed eagerly -------------------------------------

class CountingConfig(StackComponentConfig):
    """A feature store that counts how often it is built and probed."""

    running: bool = Field(default=True, description="What is_running answers.")


class Counting(StackComponent):
    TYPE = T.FEATURE_STORE
    config: CountingConfig
    created: ClassVar[int] = 0
    probed: ClassVar[int] = 0
    prepared: ClassVar[int] = 0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        type(self).created += 1

    @property
    def is_running(self) -> bool:
        type(self).probed += 1
        return self.config.running

    def suspend(self) -> None:
        self.config.running = False

    def prepare_step_run(self, info: Any) -> None:
        type(self).prepared += 1


class CountingPlugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [Flavor(name="counting", type="feature_store", config_class=CountingConfig,
                       implementation=f"{__name__}:Counting")]


@pytest.fixture
def counting(zen: Zen) -> Iterator[type[Counting]]:
    with plugin_registered(CountingPlugin(), "counting-test"):
        zen("feature-store", "register", "counter", "--flavor=counting")
        zen("stack", "update", "default", "-f", "counter")
        Counting.created = Counting.probed = Counting.prepared = 0
        yield Counting


def test_a_run_builds_each_component_once_and_probes_none(counting: type[Counting]) -> None:
    assert make().run() is not None
    # one runtime per run: built once, whatever the number of steps; asked to
    # prepare each step; never asked is_running (a network probe for some flavors)
    assert (counting.created, counting.prepared, counting.probed) == (1, 2, 0)


def test_a_component_recorded_down_stops_the_run_with_one_line(
        zen: Zen, counting: type[Counting]) -> None:
    zen("stack", "down")
    with pytest.raises(ZenMLError, match=r"^Stack 'default' is not running \(feature store "
                                         r"'counter'\); run 'zenml stack up' first$"):
        make().run()
    zen("stack", "up", input=None)
    assert make().run() is not None


def test_the_orchestrator_is_the_one_component_probed_before_a_run(
        zen: Zen, counting: type[Counting], monkeypatch: pytest.MonkeyPatch) -> None:
    from zenml.orchestrators.local import LocalOrchestrator

    monkeypatch.setattr(LocalOrchestrator, "is_running", property(lambda self: False))
    with pytest.raises(ZenMLError, match=r"^Stack 'default' is not running \(orchestrator "
                                         r"'default'\); run 'zenml stack up' first$"):
        make().run()
    assert counting.probed == 0


# -- the step entrypoint ------------------------------------------------------------------

def entrypoint(deployment: Deployment | str, step_name: str,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    text = deployment if isinstance(deployment, str) else deployment.to_json()
    return subprocess.run(
        [sys.executable, "-m", "zenml.execution.entrypoint", "--deployment", "-",
         "--step", step_name], input=text, capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})})


@pytest.mark.parametrize(("field", "value"), [("zenml_version", "99.0.0"), ("version", 99)])
def test_the_entrypoint_refuses_a_deployment_from_a_newer_zenml(field: str, value: Any) -> None:
    from zenml.__about__ import __version__
    from zenml.execution.deployment import DEPLOYMENT_VERSION

    deployment = make().deployment(Repository().active_stack, run_name="newer")
    data = json.loads(deployment.to_json())
    data[field] = value
    done = entrypoint(json.dumps(data), "first")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"Error: the deployment comes from a newer zenml ({data['zenml_version']}, "
        f"deployment format {data['version']}) than this one ({__version__}, format "
        f"{DEPLOYMENT_VERSION}); install zenml-core {data['zenml_version']} where the steps "
        f"run"]
    store = Repository().active_stack.metadata_store
    assert store.get_runs() == []  # nothing recorded


def test_the_entrypoint_runs_from_the_deployment_alone(tmp_path: Path) -> None:
    deployment = make().deployment(Repository().active_stack, run_name="alone")
    # no stack store where the step runs: the deployment carries the stack
    elsewhere = {"ZENML_CONFIG_PATH": str(tmp_path / "elsewhere")}
    for name in ("first", "second"):
        done = entrypoint(deployment, name, env=elsewhere)
        assert done.returncode == 0, done.stderr
    assert not (tmp_path / "elsewhere").exists()
    run = Repository().get_pipeline("two_steps").get_run("alone")
    assert run.get_step("second").output.read() == 42


def test_the_entrypoint_imports_neither_pipelines_nor_the_stack_store() -> None:
    modules = imported_modules_after(code=(
        "from zenml.execution import entrypoint\n"
        "entrypoint.main(['--step', 'x'])\n"))
    assert "zenml.execution.entrypoint" in modules
    assert not {m for m in modules if m.startswith(("zenml.pipelines", "zenml.config",
                                                    "zenml.repository", "zenml.cli"))}


def test_views_do_not_fall_back_to_the_active_stack() -> None:
    from zenml.post_execution.views import PipelineRunView

    run = make().run()
    assert run is not None
    store = Repository().active_stack.metadata_store
    unbound = PipelineRunView(store, store.get_run(run.id))
    with pytest.raises(ZenMLError, match="no artifact store"):
        unbound.get_step("first").output.read()
    modules = imported_modules_after(code="import zenml.post_execution.views")
    assert "zenml.repository" not in modules
