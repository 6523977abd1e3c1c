"""The kfp compiler for real: pipelines of several shapes become KFP v2 YAML that parses
strictly as kfp's PipelineSpec, with one task per step, the DAG's dependencies, the
step entrypoint's command, caching off, and the resources and environment per step."""

from __future__ import annotations

import logging
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
import sample_pipelines
import yaml
from google.protobuf import json_format
from kfp_harness import load_pipeline_spec, task_command, task_order
from zenml_kubeflow.compiler import MAX_DEPLOYMENT_CHARS
from zenml_kubeflow.errors import KubeflowError
from zenml_kubeflow.image import APP_DIR
from zenml_kubeflow.orchestrator import CompiledPipeline

from zenml.execution.deployment import Deployment
from zenml.execution.runtime import StackRuntime
from zenml.repository import Repository

from conftest import Stacks

SHAPES = {
    "linear": {"first": [], "second": ["first"], "third": ["second"]},
    "fan_out_in": {"source": [], "left": ["source"], "right": ["source"],
                   "joined": ["left", "right"]},
    "multi_output": {"splitter": [], "reader": ["splitter"]},
}


def compile_shape(stacks: Stacks, shape: str, **config: Any
                  ) -> tuple[CompiledPipeline, Deployment]:
    stacks.register("kf", **config)
    stack = Repository().active_stack
    deployment = sample_pipelines.make(shape).deployment(stack)
    return stack.orchestrator.compile(deployment, stack), deployment


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_compiled_pipeline_parses_strictly_and_mirrors_the_dag(stacks: Stacks,
                                                               shape: str) -> None:
    compiled, deployment = compile_shape(stacks, shape)
    spec = load_pipeline_spec(compiled.path)  # strict: unknown fields raise
    assert spec.schema_version == "2.1.0" and spec.sdk_version.startswith("kfp-2.")
    assert spec.pipeline_info.display_name == deployment.pipeline_name
    tasks = spec.root.dag.tasks
    by_step = {task.task_info.name: (key, task) for key, task in tasks.items()}
    assert set(by_step) == set(SHAPES[shape])
    key_of = {step: key for step, (key, _) in by_step.items()}
    for step, upstream in SHAPES[shape].items():
        key, task = by_step[step]
        assert sorted(task.dependent_tasks) == sorted(key_of[u] for u in upstream)
        assert not task.caching_options.enable_cache  # zenml caches, KFP does not
        argv, _, container = task_command(spec, key, run_id="RID", run_name="RNAME")
        assert container["image"] == compiled.image.name
        # a shell moves the deployment into $ZENML_DEPLOYMENT and execs the entrypoint
        assert container["command"] == [
            "sh", "-c", 'ZENML_DEPLOYMENT="$1"; export ZENML_DEPLOYMENT; shift; exec "$@"',
            "zenml-step"]
        assert argv[5:] == [sys.executable, "-m", "zenml.execution.entrypoint", "--step",
                            step, "--run-id", "RID", "--run-name", "RNAME"]
        shipped = Deployment.from_json(argv[4])
        assert shipped.source_roots == [APP_DIR]  # the image's code folder
        assert shipped.model_copy(update={"source_roots": deployment.source_roots}) \
            == deployment
    # one pipeline parameter carries the deployment; every task reads it, none copies it
    parameters = spec.root.input_definitions.parameters
    assert list(parameters) == ["deployment"]
    for _, task in tasks.items():
        inputs = task.inputs.parameters
        assert inputs["deployment"].component_input_parameter == "deployment"
        assert inputs["run_id"].runtime_value.constant.string_value == "{{$.pipeline_job_uuid}}"
        assert inputs["run_name"].runtime_value.constant.string_value == \
            "{{$.pipeline_job_name}}"
    assert compiled.path.read_text().count('"steps":[') == 2  # the default + kfp's header


def test_the_yaml_is_private_and_named_after_the_run(stacks: Stacks) -> None:
    compiled, deployment = compile_shape(stacks, "linear")
    assert compiled.path == (stacks.root / "kf" / "kubeflow" / "linear"
                             / f"{deployment.run_name}.yaml")
    assert stat.S_IMODE(compiled.path.stat().st_mode) == 0o600


def test_default_output_dir_is_under_the_global_config_dir(stacks: Stacks,
                                                           isolated: Path) -> None:
    compiled, _ = compile_shape(stacks, "linear", output_dir=None)
    orchestrator = Repository().active_stack.orchestrator
    assert compiled.path.is_relative_to(isolated / "kubeflow" / orchestrator.id)


def test_step_settings_become_task_resources_and_environment(stacks: Stacks) -> None:
    compiled, _ = compile_shape(stacks, "fan_out_in", step_settings={
        "*": {"environment": {"SAMPLE_COMMON": "all"}, "memory_limit": "1Gi"},
        "left": {"cpu_request": "250m", "cpu_limit": "1", "memory_request": "256Mi",
                 "environment": {"SAMPLE_ENV": "left"}},
        "joined": {"accelerator_type": "nvidia.com/gpu", "accelerator_limit": 2},
    })
    spec = load_pipeline_spec(compiled.path)
    executors = json_format.MessageToDict(spec.deployment_spec)["executors"]
    containers = {task.task_info.name: executors[
        spec.components[task.component_ref.name].executor_label]["container"]
        for task in spec.root.dag.tasks.values()}
    left = containers["left"]
    assert {e["name"]: e["value"] for e in left["env"]} == {"SAMPLE_COMMON": "all",
                                                          "SAMPLE_ENV": "left"}
    assert left["resources"]["resourceCpuRequest"] == "250m"
    assert left["resources"]["resourceCpuLimit"] == "1"
    assert left["resources"]["resourceMemoryRequest"] == "256Mi"
    assert left["resources"]["resourceMemoryLimit"] == "1Gi"
    assert {e["name"] for e in containers["right"]["env"]} == {"SAMPLE_COMMON"}
    accelerator = containers["joined"]["resources"]["accelerator"]
    assert accelerator["resourceType"] == "nvidia.com/gpu"
    assert accelerator["resourceCount"] == "2"


def test_step_settings_for_an_unknown_step_are_refused(stacks: Stacks) -> None:
    with pytest.raises(KubeflowError, match=r"step\(s\) trainer, which pipeline 'linear' "
                                            r"does not have \(steps: first, second, third"):
        compile_shape(stacks, "linear", step_settings={"trainer": {"cpu_limit": "1"}})


def test_a_deployment_too_long_for_a_command_line_is_refused(stacks: Stacks) -> None:
    stacks.register("kf")
    stack = Repository().active_stack
    pipeline = sample_pipelines.linear(
        first=sample_pipelines.number(config=sample_pipelines.NumberConfig(value=1)),
        second=sample_pipelines.add_one(), third=sample_pipelines.double())
    deployment = pipeline.deployment(stack)
    big = deployment.model_copy(update={"run_name": "x" * MAX_DEPLOYMENT_CHARS})
    with pytest.raises(KubeflowError, match="pass large step parameters as artifacts"):
        stack.orchestrator.compile(big, stack)


def test_secret_values_in_the_yaml_are_warned_about(stacks: Stacks,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    from secret_flavor import SECRET_STORE

    from zenml.plugins import hookimpl
    from zenml.stack.component_type import StackComponentType as T
    from zenml.testing import plugin_registered

    class Plugin:
        @hookimpl
        def zenml_flavors(self) -> list[Any]:
            return [SECRET_STORE]

    with plugin_registered(Plugin(), "secret-test"):
        stacks.register("kf")
        repo = Repository()
        repo.register_component(T.ARTIFACT_STORE, "secretive", "secretive",
                                {"path": str(stacks.root / "s"), "token": "hunter2"})
        repo.update_stack("kf", {T.ARTIFACT_STORE: "secretive"}, decouple_stores=True)
        stack = repo.active_stack
        deployment = sample_pipelines.make("linear").deployment(stack)
        with caplog.at_level(logging.INFO, logger="zenml"):
            compiled = stack.orchestrator.compile(deployment, stack)
    assert "hunter2" in compiled.path.read_text()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "Plugin 'secret-test' was not installed from a distribution" in warnings[0]
    assert "secret values in clear (artifact store 'secretive' field token)" in warnings[1]
    assert not any("hunter2" in w for w in warnings)
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any(str(compiled.path) in line for line in info)  # the path is printed


def test_compile_only_run_writes_the_yaml_and_touches_no_network(
        stacks: Stacks, caplog: pytest.LogCaptureFixture) -> None:
    stacks.register("kf", compile_only=True, kubeflow_hostname="http://127.0.0.1:9")
    stack = Repository().active_stack
    deployment = sample_pipelines.make("linear").deployment(stack)
    runtime = StackRuntime.from_deployment(deployment)
    with caplog.at_level(logging.INFO, logger="zenml"):
        runtime.orchestrator.run(deployment, runtime)
    folder = stacks.root / "kf" / "kubeflow" / "linear"
    assert (folder / f"{deployment.run_name}.yaml").is_file()
    assert (folder / "image" / "Dockerfile").is_file()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "Not submitted: orchestrator 'kf' is compile_only" in text
    assert "docker build -t zenml-kubeflow-linear:" in text
    assert stack.orchestrator.is_running and stack.orchestrator.is_provisioned
    with pytest.raises(Exception, match="No run"):
        stack.metadata_store.get_run(deployment.run_id)


def test_build_context_holds_code_packages_and_requirements(stacks: Stacks,
                                                           tmp_path: Path) -> None:
    from zenml.stack.component_type import StackComponentType as T

    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "big.csv").write_text("1,2\n")
    (project / ".venv" / "lib").mkdir(parents=True)
    (project / ".venv" / "lib" / "x.py").write_text("")
    (project / "__pycache__").mkdir()
    (project / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"")
    (project / ".dockerignore").write_text("# comment\ndata\n")
    (project / "requirements.txt").write_text("numpy>=1.24  # arrays\n-e ./local\n")
    (project / "helpers.py").write_text("VALUE = 1\n")
    (project / "steps_module.py").write_text(
        "from zenml.steps import step\n\n@step\ndef one() -> int:\n    return 1\n")
    (project / "pipe_module.py").write_text(
        "from zenml.pipelines import pipeline\n\n@pipeline\ndef single(one):\n    one()\n")
    sys.path.insert(0, str(project))
    try:
        import pipe_module
        import steps_module

        stacks.register("kf", requirements=["scikit-learn>=1.3"],
                        custom_docker_base_image_name="registry.example/base:1")
        repo = Repository()
        # stores kept inside the project: their data is not code for the image
        repo.register_component(T.ARTIFACT_STORE, "inside", "local",
                                {"path": str(project / "artifacts")})
        repo.register_component(T.METADATA_STORE, "inside", "sqlite",
                                {"uri": str(project / "runs.db")})
        repo.update_stack("kf", {T.ARTIFACT_STORE: "inside", T.METADATA_STORE: "inside"},
                          decouple_stores=True)
        (project / "artifacts").mkdir()
        (project / "artifacts" / "blob").write_text("data")
        (project / "runs.db").write_text("not code")
        stack = repo.active_stack
        deployment = pipe_module.single(one=steps_module.one()).deployment(stack)
        compiled = stack.orchestrator.compile(deployment, stack)
    finally:
        sys.path.remove(str(project))
        for name in ("pipe_module", "steps_module"):
            sys.modules.pop(name, None)
    context = compiled.image.context
    code = context / "code" / "0"
    assert sorted(p.relative_to(code).as_posix() for p in code.rglob("*") if p.is_file()) == [
        ".dockerignore", "helpers.py", "pipe_module.py", "requirements.txt",
        "steps_module.py"]
    requirements = (context / "requirements.txt").read_text().splitlines()
    assert requirements[:5] == ["kfp>=2.15,<3", "kubernetes>=28", "pathspec>=0.12,<2",
                                "scikit-learn>=1.3", "numpy>=1.24"]
    dockerfile = (context / "Dockerfile").read_text()
    assert dockerfile.splitlines()[1] == "FROM registry.example/base:1"
    assert f"COPY code/0 {APP_DIR}" in dockerfile and f"ENV PYTHONPATH={APP_DIR}" in dockerfile
    # zenml-core and zenml-kubeflow are source checkouts here: copied, installed from there
    assert "RUN pip install /zenml/packages/zenml-core /zenml/packages/zenml-kubeflow" \
        in dockerfile
    assert (context / "packages" / "zenml-core" / "src" / "zenml" / "__init__.py").is_file()
    assert not (context / "packages" / "zenml-kubeflow" / "tests").exists()
    # the tag is the context's content hash: unchanged code, same image
    again = stack.orchestrator.compile(deployment, stack)
    assert again.image.name == compiled.image.name
    assert compiled.image.name.startswith("zenml-kubeflow-single:")


def test_the_default_base_image_matches_this_python(stacks: Stacks) -> None:
    compiled, _ = compile_shape(stacks, "linear")
    dockerfile = (compiled.image.context / "Dockerfile").read_text()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert f"FROM python:{version}-slim" in dockerfile


def test_a_container_registry_prefixes_the_image(stacks: Stacks) -> None:
    from zenml.stack.component_type import StackComponentType as T

    stacks.register("kf")
    repo = Repository()
    repo.register_component(T.CONTAINER_REGISTRY, "reg", "default",
                            {"uri": "registry.example.com/team"})
    repo.update_stack("kf", {T.CONTAINER_REGISTRY: "reg"})
    stack = repo.active_stack
    compiled = stack.orchestrator.compile(
        sample_pipelines.make("linear").deployment(stack), stack)
    assert compiled.image.name.startswith("registry.example.com/team/zenml-kubeflow-linear:")
    spec = yaml.safe_load(compiled.path.read_text())
    images = {e["container"]["image"] for e in spec["deploymentSpec"]["executors"].values()}
    assert images == {compiled.image.name}


def test_task_names_follow_step_names(stacks: Stacks) -> None:
    compiled, _ = compile_shape(stacks, "fan_out_in")
    spec = load_pipeline_spec(compiled.path)
    assert task_order(spec) == ["source", "left", "right", "joined"]
    assert {k: t.task_info.name for k, t in spec.root.dag.tasks.items()} == {
        "source": "source", "left": "left", "right": "right", "joined": "joined"}


def test_pipeline_run_with_compile_only_returns_none(stacks: Stacks) -> None:
    stacks.register("kf", compile_only=True)
    assert sample_pipelines.make("linear").run() is None
