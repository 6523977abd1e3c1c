"""Secret references on Kubeflow: the compiled pipeline names Kubernetes Secrets and keys
(``secretAsEnv``), never a value, and its tasks, executed, get the values from the
Secrets of kmock's Kubernetes API emulator, as the kubelet would give them."""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sample_pipelines
import yaml
from kfp_harness import execute_pipeline, load_documents, load_pipeline_spec
from kube_emulator import NAMESPACE, Cluster
from secret_flavor import install_plugin
from zenml_kubeflow.compiler import secret_env
from zenml_kubeflow.errors import KubeflowError
from zenml_kubeflow.secrets_manager import kubernetes_secret_name

from zenml.plugins.manager import reset_plugins
from zenml.post_execution.views import PipelineRunView
from zenml.repository import Repository
from zenml.secrets_managers.references import SecretReference, secret_env_var
from zenml.secrets_managers.schemas import ArbitrarySecretSchema, AWSSecretSchema
from zenml.stack.component_type import StackComponentType as T

from conftest import Stacks

MARKER = "hunter2-MARKER-5c1e"
SESSION_MARKER = "sess-MARKER-88aa"
TOKEN = SecretReference("store.creds", "token")


@pytest.fixture
def secretive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The ``secretive`` artifact store flavor installed as a plugin, here and in the tasks."""
    folder = install_plugin(tmp_path / "plugins")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(folder), os.environ["PYTHONPATH"]]))
    reset_plugins()
    yield
    reset_plugins()


def secret_stack(stacks: Stacks, manager_flavor: str = "kubernetes",
                 **store: Any) -> Any:
    """Stack ``kf``: the secretive store holding ``store`` and a secrets manager."""
    folder = stacks.register("kf")
    repo = Repository()
    repo.register_component(T.SECRETS_MANAGER, "sm", manager_flavor, {})
    repo.update_stack("kf", {T.SECRETS_MANAGER: "sm"})
    sm = repo.active_stack.secrets_manager
    assert sm is not None
    return sm, folder


def use_store(stacks: Stacks, folder: Path, **store: Any) -> None:
    repo = Repository()
    repo.register_component(T.ARTIFACT_STORE, "secretive", "secretive",
                            {"path": str(folder / "s"), **store})
    repo.update_stack("kf", {T.ARTIFACT_STORE: "secretive"}, decouple_stores=True)


def test_tasks_get_referenced_values_from_the_kubernetes_secret_only(
        cluster: Cluster, stacks: Stacks, secretive: None,
        caplog: pytest.LogCaptureFixture) -> None:
    sm, folder = secret_stack(stacks)
    sm.register_secret(ArbitrarySecretSchema(name="store.creds", token=MARKER))
    sm.register_secret(AWSSecretSchema(name="aws", aws_access_key_id="AKIA",
                                       aws_secret_access_key=MARKER))  # no session token
    use_store(stacks, folder, token=str(TOKEN), authentication_secret="aws")
    stack = Repository().active_stack
    names = [secret_env_var(TOKEN), secret_env_var(SecretReference("aws", "aws_secret_access_key")),
             secret_env_var(SecretReference("aws", "aws_session_token"))]
    deployment = sample_pipelines.make("env_digests", names=names).deployment(stack)
    with caplog.at_level(logging.INFO, logger="zenml"):
        compiled = stack.orchestrator.compile(deployment, stack)

    text = compiled.path.read_text()
    assert MARKER not in text and MARKER not in deployment.to_json()
    assert not [r for r in caplog.records if "in clear" in r.getMessage()]
    pipeline, platform = load_documents(compiled.path)
    load_pipeline_spec(compiled.path)  # both documents parse strictly
    executors = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    assert list(executors) == ["exec-probe"]
    aws, optional, store = (kubernetes_secret_name(n) for n in ("aws", "aws", "store.creds"))
    assert executors["exec-probe"]["secretAsEnv"] == [
        {"secretName": aws, "secretNameParameter": {"runtimeValue": {"constant": aws}},
         "keyToEnv": [
             {"secretKey": "aws_access_key_id",
              "envVar": secret_env_var(SecretReference("aws", "aws_access_key_id"))},
             {"secretKey": "aws_secret_access_key", "envVar": names[1]}]},
        {"secretName": optional, "secretNameParameter": {"runtimeValue": {"constant": aws}},
         "keyToEnv": [{"secretKey": "aws_session_token", "envVar": names[2]}],
         "optional": True},
        {"secretName": store, "secretNameParameter": {"runtimeValue": {"constant": store}},
         "keyToEnv": [{"secretKey": "token", "envVar": names[0]}]}]
    # the pods' component configs are the references, as written
    stored = next(c for c in deployment.stack.components if c.type is T.ARTIFACT_STORE)
    assert stored.config["token"] == str(TOKEN) and stored.config["authentication_secret"] == "aws"
    assert pipeline["root"]["inputDefinitions"]["parameters"]["deployment"]

    # executed: the pods cannot reach a secrets manager (no kubeconfig in them), so the
    # store's values can only come from the variables the kubelet set from the Secrets
    run_id = str(uuid.uuid4())
    results = execute_pipeline(compiled.path, run_id=run_id, run_name="r1",
                               env={"KUBECONFIG": str(folder / "no-kubeconfig")})
    assert [(r.task, r.returncode) for r in results] == [("probe", 0)], results[0].stderr
    for result in results:
        assert MARKER not in result.stderr and not any(MARKER in a for a in result.argv)
    run = PipelineRunView(stack.metadata_store, stack.metadata_store.get_run(run_id),
                          stack.artifact_store)
    digest = hashlib.sha256(MARKER.encode()).hexdigest()
    assert run.get_step("probe").output.read() == {names[0]: digest, names[1]: digest,
                                                   names[2]: None}

    # a session token added later reaches the pods too (optional keys are read when present)
    sm.update_secret(AWSSecretSchema(name="aws", aws_access_key_id="AKIA",
                                     aws_secret_access_key=MARKER,
                                     aws_session_token=SESSION_MARKER))
    run_id = str(uuid.uuid4())
    results = execute_pipeline(compiled.path, run_id=run_id, run_name="r2",
                               env={"KUBECONFIG": str(folder / "no-kubeconfig")})
    assert results[0].returncode == 0, results[0].stderr
    output = stack.metadata_store.get_run(run_id)
    view = PipelineRunView(stack.metadata_store, output, stack.artifact_store)
    assert view.get_step("probe").output.read()[names[2]] == hashlib.sha256(
        SESSION_MARKER.encode()).hexdigest()


def test_a_missing_secret_keeps_the_pods_from_starting(cluster: Cluster, stacks: Stacks,
                                                       secretive: None) -> None:
    sm, folder = secret_stack(stacks)
    sm.register_secret(ArbitrarySecretSchema(name="store.creds", token=MARKER))
    use_store(stacks, folder, token=str(TOKEN))
    stack = Repository().active_stack
    compiled = stack.orchestrator.compile(sample_pipelines.make("linear").deployment(stack),
                                          stack)
    sm.delete_secret("store.creds")
    results = execute_pipeline(compiled.path, run_id=str(uuid.uuid4()), run_name="r")
    assert [r.returncode for r in results] == [None, None, None]
    assert results[0].stderr.startswith("CreateContainerConfigError: secret "
                                        f'"{kubernetes_secret_name("store.creds")}" not found')


def test_references_with_a_local_secrets_manager_are_refused_at_compile_time(
        stacks: Stacks, secretive: None) -> None:
    sm, folder = secret_stack(stacks, manager_flavor="local")
    sm.register_secret(ArbitrarySecretSchema(name="store.creds", token=MARKER))
    use_store(stacks, folder, token=str(TOKEN))
    stack = Repository().active_stack
    deployment = sample_pipelines.make("linear").deployment(stack)
    with pytest.raises(KubeflowError) as info:
        stack.orchestrator.compile(deployment, stack)
    message = str(info.value)
    assert message.startswith("Pipeline 'linear' uses secret 'store.creds' (artifact store "
                              "'secretive' --token), but secrets manager 'sm' (local) keeps "
                              "its secrets on this machine")
    assert "--flavor=kubernetes" in message and "\n" not in message and MARKER not in message
    assert not list((folder / "kubeflow").rglob("*.yaml"))
    # without a secrets manager at all, the same refusal (the deployment names none)
    bare = deployment.model_copy(update={"stack": deployment.stack.model_copy(update={
        "components": [c for c in deployment.stack.components
                       if c.type is not T.SECRETS_MANAGER]})})
    with pytest.raises(KubeflowError, match="has no secrets manager"):
        secret_env(bare)


def test_a_stack_without_references_compiles_as_before(stacks: Stacks) -> None:
    stacks.register("kf")
    stack = Repository().active_stack
    compiled = stack.orchestrator.compile(sample_pipelines.make("linear").deployment(stack),
                                          stack)
    documents = list(yaml.safe_load_all(compiled.path.read_text()))
    assert len(documents) == 1  # no platform spec


def test_a_namespace_other_than_kubeflows_is_warned_about(
        cluster: Cluster, stacks: Stacks, secretive: None,
        caplog: pytest.LogCaptureFixture) -> None:
    folder = stacks.register("kf")
    repo = Repository()
    repo.register_component(T.SECRETS_MANAGER, "sm", "kubernetes", {"namespace": "team-a"})
    repo.update_stack("kf", {T.SECRETS_MANAGER: "sm"})
    sm = repo.active_stack.secrets_manager
    assert sm is not None
    sm.register_secret(ArbitrarySecretSchema(name="store.creds", token=MARKER))
    use_store(stacks, folder, token=str(TOKEN))
    stack = Repository().active_stack
    with caplog.at_level(logging.WARNING, logger="zenml"):
        compiled = stack.orchestrator.compile(sample_pipelines.make("linear").deployment(stack),
                                              stack)
    warnings = [r.getMessage() for r in caplog.records if "namespace 'team-a'" in r.getMessage()]
    assert len(warnings) == 1 and "not 'kubeflow' (kubeflow_namespace)" in warnings[0]
    # pods running in team-a read it; in kubeflow (the context's namespace) they could not
    ok = execute_pipeline(compiled.path, run_id=str(uuid.uuid4()), run_name="a",
                          namespace="team-a")
    assert [r.returncode for r in ok] == [0, 0, 0], ok[0].stderr
    wrong = execute_pipeline(compiled.path, run_id=str(uuid.uuid4()), run_name="b")
    assert wrong[0].returncode is None and f"namespace {NAMESPACE}" in wrong[0].stderr
