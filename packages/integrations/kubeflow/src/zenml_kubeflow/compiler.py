"""Compile a zenml deployment into a Kubeflow Pipelines (kfp v2) pipeline YAML.

One container task per step, named after it, each running the core's step
entrypoint with the deployment in its environment, not on its command line::

    sh -c 'ZENML_DEPLOYMENT="$1"; export ZENML_DEPLOYMENT; shift; exec "$@"' zenml-step
        <deployment> python -m zenml.execution.entrypoint
        --step <name> --run-id {{$.pipeline_job_uuid}} --run-name {{$.pipeline_job_name}}

KFP v2 can pass a parameter only as an argument (not as an environment variable),
so a shell moves it into ``$ZENML_DEPLOYMENT`` and replaces itself with Python: the
step's process shows no deployment in ``ps``, and the entrypoint removes the
variable once read. The deployment is the pipeline's one input parameter
(``deployment``, its default the deployment's JSON), so it is written once however
many steps there are. KFP resolves the two placeholders to the KFP run's id and display
name: every KFP run of the YAML (a re-run from the UI too) is its own zenml
run. Dependencies follow the pipeline's DAG, KFP caching is off (zenml caches),
and each task gets the resources and environment of its ``step_settings``.

Secret references (``{{NAME.KEY}}``, or a field naming a whole secret) in the
stack's configurations stay references in the deployment. With the
``kubernetes`` secrets manager, every task gets each referenced value in the
environment variable :func:`~zenml.secrets_managers.references.secret_env_var`
from a ``secretKeyRef`` to that manager's Kubernetes Secret (the ``kubernetes``
platform spec's ``secretAsEnv``, what ``kfp.kubernetes.use_secret_as_env``
writes): the YAML names Secrets and keys, never values. A secrets manager that
keeps secrets on this machine is refused (:func:`secret_env`).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zenml.execution.entrypoint import DEPLOYMENT_ENV  # what the step entrypoint reads
from zenml_kubeflow.errors import KubeflowError
from zenml_kubeflow.flavors import ALL_STEPS
from zenml_kubeflow.image import image_source_roots

if TYPE_CHECKING:
    from zenml.execution.deployment import Deployment
    from zenml_kubeflow.flavors import KubeflowOrchestratorConfig, KubeflowStepSettings

__all__ = [
    "DEPLOYMENT_ENV",
    "DEPLOYMENT_PARAMETER",
    "ENTRYPOINT_COMMAND",
    "KFP_NAME_CHARS",
    "MAX_DEPLOYMENT_CHARS",
    "SHELL_COMMAND",
    "compile_pipeline",
    "kfp_name",
    "pod_deployment",
    "secret_env",
    "secret_fields",
]

#: The pipeline input parameter that carries the deployment's JSON.
DEPLOYMENT_PARAMETER = "deployment"
ENTRYPOINT_COMMAND = ["python", "-m", "zenml.execution.entrypoint"]
#: A task's command: a shell that moves its first argument (the deployment) into
#: ``$ZENML_DEPLOYMENT`` and ``exec``s the rest, so the step's process has no
#: deployment in its argv (``sh`` is in every image that has ``pip``).
SHELL_COMMAND = ["sh", "-c", f'{DEPLOYMENT_ENV}="$1"; export {DEPLOYMENT_ENV}; shift; '
                 f'exec "$@"', "zenml-step"]
#: KFP's limit on a pipeline's name.
KFP_NAME_CHARS = 128
#: Linux refuses a single command-line argument (or environment entry) longer than 128 KiB.
MAX_DEPLOYMENT_CHARS = 120_000


def pod_deployment(deployment: Deployment) -> Deployment:
    """The deployment as pods see it: source roots point into the image."""
    roots = [target for _, target in image_source_roots(deployment)]
    return deployment.model_copy(update={"source_roots": roots})


def secret_fields(deployment: Deployment) -> list[str]:
    """``<component> <field>`` of every secret value the deployment holds in clear
    (a reference is no value)."""
    from zenml.plugins.manager import get_flavor_registry
    from zenml.secrets_managers.references import parse_reference

    registry = get_flavor_registry()
    found = []
    for component in deployment.stack.components:
        flavor = registry.get(component.type, component.flavor)
        for name in flavor.config_class.secret_field_names():
            value = component.config.get(name)
            if value and parse_reference(value) is None:
                found.append(f"{component.type.display_name} '{component.name}' field {name}")
    return found


def _needed_references(deployment: Deployment) -> tuple[dict[Any, str], set[Any]]:
    """Every reference the stack's components need (with the first user of each), and
    those that may stay unset (optional keys of a secret a field names)."""
    from zenml.plugins.manager import get_flavor_registry
    from zenml.secrets_managers.references import SecretReference, parse_reference
    from zenml.secrets_managers.resolve import references_of
    from zenml.secrets_managers.schemas import get_schema

    registry = get_flavor_registry()
    users: dict[SecretReference, str] = {}
    required: set[SecretReference] = set()
    for component in deployment.stack.components:
        config_class = registry.get(component.type, component.flavor).config_class
        values = component.config
        what = f"{component.type.display_name} '{component.name}'"
        for key, value in values.items():
            reference = parse_reference(value)
            if reference is not None:
                required.add(reference)
                users.setdefault(reference, f"{what} --{key}")
        for field, spec in config_class.SECRET_NAME_FIELDS.items():
            name = values.get(field)
            if isinstance(name, str) and name:
                required.update(SecretReference(name, key)
                                for key in get_schema(spec.schema).required_keys())
        for reference in references_of(config_class, values):
            users.setdefault(reference, f"{what} (secret '{reference.name}')")
    return users, set(users) - required


def secret_env(deployment: Deployment) -> list[dict[str, Any]]:
    """The ``secretAsEnv`` entries every task gets (empty: the stack uses no secret).

    One entry per Kubernetes Secret for the keys that must exist, and one marked
    ``optional`` for keys a secret may lack (e.g. ``aws_session_token``). Refused
    in one line when the stack's secrets manager keeps its secrets on this machine
    (or there is none): the pods could not read them. Another remote secrets
    manager gets no entries: the pods ask it themselves.
    """
    from zenml.plugins.manager import get_flavor_registry
    from zenml.secrets_managers.references import secret_env_var
    from zenml.stack.component_type import StackComponentType
    from zenml_kubeflow.flavors import (
        KUBERNETES_SECRETS_MANAGER_FLAVOR,
        KubernetesSecretsManagerConfig,
    )
    from zenml_kubeflow.secrets_manager import kubernetes_secret_name

    users, optional = _needed_references(deployment)
    if not users:
        return []
    manager = next((c for c in deployment.stack.components
                    if c.type is StackComponentType.SECRETS_MANAGER), None)
    first = min(users)
    fix = ("register a secrets manager the pods can read, e.g. 'zenml secrets-manager register "
           "NAME --flavor=kubernetes --namespace=NAMESPACE_OF_THE_PODS', create the secrets "
           "there and set it with 'zenml stack update -x NAME'")
    if manager is None:
        raise KubeflowError(
            f"Pipeline '{deployment.pipeline_name}' uses secret '{first.name}' "
            f"({users[first]}), but stack '{deployment.stack.name}' has no secrets manager; "
            f"{fix}")
    flavor = get_flavor_registry().get(manager.type, manager.flavor)
    if manager.flavor != KUBERNETES_SECRETS_MANAGER_FLAVOR:
        if flavor.build_config(manager.config).is_local:
            raise KubeflowError(
                f"Pipeline '{deployment.pipeline_name}' uses secret '{first.name}' "
                f"({users[first]}), but secrets manager '{manager.name}' ({manager.flavor}) "
                f"keeps its secrets on this machine, where the Kubeflow pods cannot read "
                f"them; {fix}")
        return []
    # the manager's namespace is where the pods must run: checked by the orchestrator
    KubernetesSecretsManagerConfig.model_validate(manager.config)
    by_secret: dict[tuple[str, bool], list[dict[str, str]]] = {}
    for reference in sorted(users):
        mapping = {"secretKey": reference.key, "envVar": secret_env_var(reference)}
        by_secret.setdefault((reference.name, reference in optional), []).append(mapping)
    entries = []
    for (name, may_lack), keys in sorted(by_secret.items()):
        k8s_name = kubernetes_secret_name(name)
        entry: dict[str, Any] = {"secretName": k8s_name,
                                 "secretNameParameter": {"runtimeValue": {"constant": k8s_name}},
                                 "keyToEnv": keys}
        if may_lack:
            entry["optional"] = True
        entries.append(entry)
    return entries


def kfp_name(name: str) -> str:
    """``name`` as KFP accepts it: lowercase letters, digits and dashes, at most
    :data:`KFP_NAME_CHARS` (a longer one is cut and ends in a hash of the whole name)."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "pipeline"
    if len(text) > KFP_NAME_CHARS:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
        text = f"{text[:KFP_NAME_CHARS - 17].rstrip('-')}-{digest}"
    return text


def _check_step_settings(deployment: Deployment, config: KubeflowOrchestratorConfig) -> None:
    names = {spec.name for spec in deployment.steps}
    unknown = sorted(set(config.step_settings) - names - {ALL_STEPS})
    if unknown:
        raise KubeflowError(
            f"step_settings of the kubeflow orchestrator name step(s) {', '.join(unknown)}, "
            f"which pipeline '{deployment.pipeline_name}' does not have (steps: "
            f"{', '.join(sorted(names))}; '{ALL_STEPS}' means every step)")


def _apply_settings(task: Any, settings: KubeflowStepSettings) -> None:
    for name, value in sorted(settings.environment.items()):
        task.set_env_variable(name, value)
    if settings.cpu_request:
        task.set_cpu_request(settings.cpu_request)
    if settings.cpu_limit:
        task.set_cpu_limit(settings.cpu_limit)
    if settings.memory_request:
        task.set_memory_request(settings.memory_request)
    if settings.memory_limit:
        task.set_memory_limit(settings.memory_limit)
    if settings.accelerator_type:
        task.set_accelerator_type(settings.accelerator_type)
        task.set_accelerator_limit(settings.accelerator_limit or 1)


def _step_component(step_name: str, source: str, image: str) -> Any:
    """A container component named after the step, running the step entrypoint."""
    from kfp import dsl  # type: ignore[import-not-found,import-untyped]

    def component(deployment: str, run_id: str, run_name: str) -> Any:
        return dsl.ContainerSpec(
            image=image, command=list(SHELL_COMMAND),
            args=[deployment, *ENTRYPOINT_COMMAND, "--step", step_name,
                  "--run-id", run_id, "--run-name", run_name])

    # kfp reads the signature's types; this module's annotations are strings.
    component.__annotations__ = {"deployment": str, "run_id": str, "run_name": str,
                                 "return": dsl.ContainerSpec}
    component.__name__ = step_name
    component.__qualname__ = step_name
    component.__doc__ = f"zenml step '{step_name}' ({source})."
    return dsl.container_component(component)


def compile_pipeline(deployment: Deployment, *, image: str,
                     config: KubeflowOrchestratorConfig, path: Path) -> Path:
    """Write the pipeline YAML of ``deployment`` to ``path`` (mode 0600) and return it."""
    from kfp import compiler, dsl  # type: ignore[import-not-found,import-untyped]

    _check_step_settings(deployment, config)
    secrets = secret_env(deployment)
    text = pod_deployment(deployment).to_json()
    if len(text) > MAX_DEPLOYMENT_CHARS:
        raise KubeflowError(
            f"The deployment of pipeline '{deployment.pipeline_name}' is {len(text)} "
            f"characters long; a step's command line holds at most {MAX_DEPLOYMENT_CHARS}: "
            f"pass large step parameters as artifacts (a step's output) instead")
    components = {spec.name: _step_component(spec.name, spec.source, image)
                  for spec in deployment.steps}

    def zenml_pipeline(deployment: str = text) -> None:
        tasks: dict[str, Any] = {}
        for spec in pod_specs:
            task = components[spec.name](
                deployment=deployment, run_id=dsl.PIPELINE_JOB_ID_PLACEHOLDER,
                run_name=dsl.PIPELINE_JOB_NAME_PLACEHOLDER)
            task.set_display_name(spec.name)
            task.set_caching_options(False)
            for upstream in spec.upstream:
                task.after(tasks[upstream])
            _apply_settings(task, config.settings_for(spec.name))
            if secrets:  # what kfp.kubernetes.use_secret_as_env writes, without the package
                task.platform_config["kubernetes"] = {"secretAsEnv": secrets}
            tasks[spec.name] = task

    pod_specs = deployment.steps
    zenml_pipeline.__annotations__ = {"deployment": str, "return": None}
    zenml_pipeline.__doc__ = f"zenml pipeline '{deployment.pipeline_name}'."
    pipeline = dsl.pipeline(name=kfp_name(deployment.pipeline_name),
                            display_name=deployment.pipeline_name)(zenml_pipeline)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The YAML holds the deployment, secret fields included: private from the start.
    try:  # never through a link: the YAML is written where it is named, nowhere else
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600))
    except OSError as error:
        raise KubeflowError(f"Cannot write the compiled pipeline {path}: "
                            f"{error.strerror} (a link there is never followed: remove it)"
                            ) from None
    os.chmod(path, 0o600)
    try:
        compiler.Compiler().compile(pipeline_func=pipeline, package_path=str(path))
    except (ValueError, TypeError) as error:
        raise KubeflowError(f"The kfp compiler refused pipeline '{deployment.pipeline_name}': "
                            f"{error}") from error
    return path
