"""The orchestrator's configuration and stack validation, through the real CLI."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from zenml_kubeflow.flavors import KubeflowOrchestratorConfig, KubeflowStepSettings

from conftest import Zen


def test_defaults() -> None:
    config = KubeflowOrchestratorConfig()
    assert config.kubeflow_hostname is None
    assert config.kubeflow_namespace == "kubeflow"
    assert (config.synchronous, config.compile_only, config.skip_local_validations) == (
        False, False, False)
    assert config.timeout == 1200
    assert config.is_remote and not config.is_local


def test_hostname_is_normalised_and_needs_a_scheme() -> None:
    config = KubeflowOrchestratorConfig(kubeflow_hostname=" http://localhost:8080/ ")
    assert config.kubeflow_hostname == "http://localhost:8080"
    assert KubeflowOrchestratorConfig(kubeflow_hostname="").kubeflow_hostname is None
    with pytest.raises(ValidationError, match="needs a scheme"):
        KubeflowOrchestratorConfig(kubeflow_hostname="localhost:8080")
    with pytest.raises(ValidationError, match="must start with http"):
        KubeflowOrchestratorConfig(kubeflow_hostname="grpc://localhost:8080")


def test_step_settings_merge_over_the_common_ones() -> None:
    config = KubeflowOrchestratorConfig(step_settings={
        "*": {"cpu_limit": "1", "memory_limit": "1Gi", "environment": {"A": "1", "B": "1"}},
        "trainer": {"cpu_limit": "500m", "environment": {"B": "2"},
                    "accelerator_type": "nvidia.com/gpu", "accelerator_limit": 2},
    })
    trainer = config.settings_for("trainer")
    assert (trainer.cpu_limit, trainer.memory_limit) == ("500m", "1Gi")
    assert trainer.environment == {"A": "1", "B": "2"}
    assert (trainer.accelerator_type, trainer.accelerator_limit) == ("nvidia.com/gpu", 2)
    other = config.settings_for("loader")
    assert (other.cpu_limit, other.environment) == ("1", {"A": "1", "B": "1"})
    assert KubeflowOrchestratorConfig().settings_for("x") == KubeflowStepSettings()


@pytest.mark.parametrize(("settings", "message"), [
    ({"a": {"cpu_limit": "lots"}}, "not a CPU quantity"),
    ({"a": {"memory_limit": "4 GB"}}, "not a memory quantity"),
    ({"a": {"environment": {"1X": "y"}}}, "invalid environment variable name"),
    ({"a": {"accelerator_limit": 1}}, "accelerator_limit needs accelerator_type"),
    ({"a": {"gpus": 1}}, "Extra inputs are not permitted"),
])
def test_bad_step_settings_are_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        KubeflowOrchestratorConfig(step_settings=settings)


def test_register_through_the_cli(zen: Zen) -> None:
    settings = json.dumps({"trainer": {"cpu_limit": "2", "memory_limit": "4Gi"}})
    zen("orchestrator", "register", "kfp", "--flavor=kubeflow",
        "--kubeflow_hostname=http://127.0.0.1:8080", "--synchronous=true", "--timeout=60",
        f"--step_settings={settings}", '--requirements=["numpy>=1.24"]')
    shown = zen("orchestrator", "describe", "kfp").output
    assert "http://127.0.0.1:8080" in shown and "trainer" in shown and "numpy" in shown


@pytest.mark.parametrize(("args", "message"), [
    (["--kubeflow_hostname=localhost:8080"], "needs a scheme, e.g. http://HOST:PORT"),
    (["--timeout=0"], "--timeout"),
    (["--step_settings={\"a\": {\"cpu_limit\": \"x\"}}"], "not a CPU quantity"),
    (["--step_settings=not json"], "--step_settings expects JSON"),
    (["--kubeflow_host=http://x"], "Unknown field(s) --kubeflow_host"),
])
def test_bad_values_are_one_line_errors(zen: Zen, args: list[str], message: str) -> None:
    result = zen.fails("orchestrator", "register", "kfp", "--flavor=kubeflow", *args)
    assert message in result.stderr


def test_a_stack_with_local_stores_is_refused_naming_the_remote_flavors(zen: Zen) -> None:
    zen("orchestrator", "register", "kfp", "--flavor=kubeflow")
    result = zen.fails("stack", "register", "kf", "-o", "kfp", "-a", "default", "-m", "default")
    message = result.stderr
    assert "artifact store 'default' (local) and metadata store 'default' (sqlite)" in message
    assert "s3 (zenml integration install s3)" in message
    assert "mysql (zenml integration install mysql)" in message
    assert "--skip_local_validations=true" in message
    assert "kf" not in zen("stack", "list").output.split()


def test_skip_local_validations_allows_local_stores(zen: Zen) -> None:
    zen("orchestrator", "register", "kfp", "--flavor=kubeflow", "--skip_local_validations=true")
    zen("stack", "register", "kf", "-o", "kfp", "-a", "default", "-m", "default")
    # switching the check back on is refused while the stack uses local stores
    result = zen.fails("orchestrator", "update", "kfp", "--skip_local_validations=false")
    assert "only on this machine" in result.stderr


def test_a_local_container_registry_is_refused(zen: Zen) -> None:
    zen("orchestrator", "register", "kfp", "--flavor=kubeflow")
    zen("container-registry", "register", "reg", "--flavor=default", "--uri=localhost:5000")
    result = zen.fails("stack", "register", "kf", "-o", "kfp", "-a", "default", "-m",
                       "default", "-c", "reg")
    assert "container registry 'reg' (default)" in result.stderr
    assert "a container registry the cluster can pull from" in result.stderr
