"""The flavors of zenml-kubeflow: the ``kubeflow`` orchestrator and the ``kubernetes``
secrets manager, their config classes and flavors.

Only pydantic and zenml are imported here, never kfp or kubernetes: the CLI
imports this module to list flavors and to register components with every
integration installed. The implementations are :mod:`zenml_kubeflow.orchestrator`
and :mod:`zenml_kubeflow.secrets_manager`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zenml.errors import StackValidationError
from zenml.orchestrators.config import BaseOrchestratorConfig
from zenml.secrets_managers.config import BaseSecretsManagerConfig
from zenml.stack.component_type import StackComponentType
from zenml.stack.config import ComponentSpec
from zenml.stack.flavor import Flavor

__all__ = [
    "ALL_STEPS",
    "KUBEFLOW_ORCHESTRATOR",
    "KUBEFLOW_ORCHESTRATOR_FLAVOR",
    "KUBERNETES_SECRETS_MANAGER",
    "KUBERNETES_SECRETS_MANAGER_FLAVOR",
    "KubeflowOrchestratorConfig",
    "KubeflowStepSettings",
    "KubernetesSecretsManagerConfig",
]

KUBEFLOW_ORCHESTRATOR_FLAVOR = "kubeflow"
KUBERNETES_SECRETS_MANAGER_FLAVOR = "kubernetes"
#: The key of ``step_settings`` that applies to every step.
ALL_STEPS = "*"

# The quantities Kubernetes (and the kfp compiler) accept.
_CPU = re.compile(r"^([0-9]+m|[0-9]+(\.[0-9]+)?)$")
_MEMORY = re.compile(r"^[0-9]+(\.[0-9]+)?(E|Ei|P|Pi|T|Ti|G|Gi|M|Mi|K|Ki)?$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A Kubernetes namespace: a DNS-1123 label.
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


class KubeflowStepSettings(BaseModel):
    """Resources and environment of the pods of one step (or of every step, key ``*``).

    Attributes:
        cpu_request, cpu_limit: CPU as Kubernetes writes it (``500m``, ``2``).
        memory_request, memory_limit: memory (``512Mi``, ``4G``).
        accelerator_type, accelerator_limit: e.g. ``nvidia.com/gpu`` and ``1``.
        environment: environment variables of the step's container.
    """

    model_config = ConfigDict(extra="forbid")

    cpu_request: str | None = Field(default=None, description="CPU request, e.g. 500m or 2.")
    cpu_limit: str | None = Field(default=None, description="CPU limit, e.g. 500m or 2.")
    memory_request: str | None = Field(default=None, description="Memory request, e.g. 512Mi.")
    memory_limit: str | None = Field(default=None, description="Memory limit, e.g. 4Gi.")
    accelerator_type: str | None = Field(
        default=None, description="Accelerator resource, e.g. nvidia.com/gpu.")
    accelerator_limit: int | None = Field(
        default=None, ge=1, description="How many accelerators (needs accelerator_type).")
    environment: dict[str, str] = Field(
        default_factory=dict, description="Environment variables of the step's container.")

    @field_validator("cpu_request", "cpu_limit")
    @classmethod
    def _cpu(cls, value: str | None) -> str | None:
        if value is not None and not _CPU.match(value):
            raise ValueError(f"'{value}' is not a CPU quantity (e.g. 500m, 1, 2.5)")
        return value

    @field_validator("memory_request", "memory_limit")
    @classmethod
    def _memory(cls, value: str | None) -> str | None:
        if value is not None and not _MEMORY.match(value):
            raise ValueError(f"'{value}' is not a memory quantity (e.g. 512Mi, 4G, 1Gi)")
        return value

    @field_validator("environment")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [name for name in value if not _ENV_NAME.match(name)]
        if bad:
            raise ValueError(f"invalid environment variable name(s): {', '.join(bad)}")
        return value

    def merged_over(self, base: KubeflowStepSettings) -> KubeflowStepSettings:
        """These settings, with ``base`` filling what they leave unset."""
        values = base.model_dump(exclude={"environment"})
        values.update(self.model_dump(exclude={"environment"}, exclude_none=True))
        return KubeflowStepSettings(**values,
                                    environment={**base.environment, **self.environment})


class KubeflowOrchestratorConfig(BaseOrchestratorConfig):
    """Runs every step as a pod on Kubeflow Pipelines (kfp v2).

    Attributes:
        kubeflow_hostname: the KFP API endpoint, e.g. ``http://localhost:8080``
            (a port-forward of ``svc/ml-pipeline-ui``) or the cluster's KFP URL.
            Empty: reach KFP through the Kubernetes API server of
            ``kubernetes_context`` (kfp's own fallback).
        kubernetes_context: the kubeconfig context of the cluster (default: the
            current context); checked by ``zenml stack up``.
        kubeflow_namespace: the namespace KFP is installed in.
        custom_docker_base_image_name: the image the step image is built on
            (default: ``python:<this Python's version>-slim``).
        requirements: extra pip requirements of the steps' code (a
            ``requirements.txt`` in the code's folder is added too).
        step_settings: resources and environment per step name; the key ``*``
            applies to every step.
        synchronous: wait for the run to finish and report its result;
            otherwise return once the run has started.
        timeout: seconds to wait for the run to finish (synchronous) or to
            start (asynchronous).
        skip_local_validations: allow components that live only on this
            machine (local artifact store, sqlite metadata store).
        compile_only: write the compiled pipeline (and the image's build
            context) and stop: nothing is built or submitted.
        output_dir: where compiled pipelines and image build contexts are
            written (default: ``<global config dir>/kubeflow/<component id>``).
    """

    kubeflow_hostname: str | None = Field(
        default=None,
        description="The KFP API endpoint, e.g. http://localhost:8080. Empty: reach KFP "
                    "through the Kubernetes API server of kubernetes_context.")
    kubernetes_context: str | None = Field(
        default=None, description="The kubeconfig context of the cluster (default: current).")
    kubeflow_namespace: str = Field(
        default="kubeflow", description="The Kubernetes namespace KFP is installed in.")
    custom_docker_base_image_name: str | None = Field(
        default=None,
        description="Base image of the step image (default: python:<X.Y>-slim, this Python).")
    requirements: list[str] = Field(
        default_factory=list,
        description='Extra pip requirements of the steps\' code, as JSON, e.g. '
                    '["scikit-learn>=1.3"].')
    step_settings: dict[str, KubeflowStepSettings] = Field(
        default_factory=dict,
        description='Resources and environment per step, as JSON keyed by step name '
                    '("*": every step), e.g. {"trainer": {"cpu_limit": "2", '
                    '"memory_limit": "4Gi"}, "*": {"environment": {"LOG_LEVEL": "INFO"}}}.')
    synchronous: bool = Field(
        default=False,
        description="Wait for the run to finish and report its result (otherwise return "
                    "once it has started).")
    timeout: int = Field(
        default=1200, ge=1,
        description="Seconds to wait for the run to finish (synchronous) or to start.")
    skip_local_validations: bool = Field(
        default=False,
        description="Allow components that live only on this machine (local artifact "
                    "store, sqlite metadata store).")
    compile_only: bool = Field(
        default=False,
        description="Write the compiled pipeline and the image build context, then stop.")
    output_dir: str | None = Field(
        default=None,
        description="Folder for compiled pipelines and image build contexts (default: "
                    "<global config dir>/kubeflow/<component id>).")

    @field_validator("kubeflow_hostname")
    @classmethod
    def _hostname(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if "://" not in value:
            # messages never repeat the value (the CLI's rule: it may be misplaced input)
            raise ValueError("the KFP address needs a scheme, e.g. http://HOST:PORT")
        if not value.startswith(("http://", "https://")):
            raise ValueError("the KFP address must start with http:// or https://")
        return value

    @field_validator("output_dir")
    @classmethod
    def _absolute_dir(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return os.path.abspath(os.path.expanduser(value))

    @field_validator("step_settings")
    @classmethod
    def _accelerators(
            cls, value: dict[str, KubeflowStepSettings]) -> dict[str, KubeflowStepSettings]:
        for name, settings in value.items():
            if settings.accelerator_limit is not None and not settings.accelerator_type:
                raise ValueError(f"step '{name}': accelerator_limit needs accelerator_type")
        return value

    @property
    def is_remote(self) -> bool:
        """Steps run in pods, away from this machine."""
        return True

    def settings_for(self, step_name: str) -> KubeflowStepSettings:
        """The settings of one step: its own over those of ``*``."""
        common = self.step_settings.get(ALL_STEPS, KubeflowStepSettings())
        own = self.step_settings.get(step_name)
        return own.merged_over(common) if own is not None else common

    def validate_stack(self, stack: Mapping[StackComponentType, ComponentSpec]) -> None:
        """Refuse components the pods cannot reach, unless ``skip_local_validations``."""
        if self.skip_local_validations:
            return
        from zenml.integrations.catalog import CATALOG

        me = stack[StackComponentType.ORCHESTRATOR]
        local = [(type_, spec) for type_, spec in stack.items()
                 if type_ is not StackComponentType.ORCHESTRATOR and spec.config.is_local]
        if not local:
            return
        names = _and([f"{t.display_name} '{s.name}' ({s.flavor})" for t, s in local])
        fixes = []
        for type_, _ in local:
            remote = [f"{flavor} (zenml integration install {entry.name})"
                      for entry in CATALOG for t, flavor in entry.flavors if t is type_]
            if type_ is StackComponentType.CONTAINER_REGISTRY:
                fixes.append("a container registry the cluster can pull from "
                             "(zenml container-registry register NAME --flavor=default "
                             "--uri=REGISTRY)")
            elif remote:
                fixes.append(f"{type_.a_name} of flavor {' or '.join(remote)}")
            else:
                fixes.append(f"{type_.a_name} that the cluster can reach")
        msg = (f"The kubeflow orchestrator '{me.name}' runs steps in pods on Kubernetes, but "
               f"{names} {'exist' if len(local) > 1 else 'exists'} only on this machine; "
               f"use {_and(fixes)}; or, if the cluster can reach them (e.g. a "
               f"shared volume), set 'zenml orchestrator update {me.name} "
               f"--skip_local_validations=true'")
        raise StackValidationError(msg)


KUBEFLOW_ORCHESTRATOR = Flavor(
    name=KUBEFLOW_ORCHESTRATOR_FLAVOR,
    type=StackComponentType.ORCHESTRATOR,
    config_class=KubeflowOrchestratorConfig,
    implementation="zenml_kubeflow.orchestrator:KubeflowOrchestrator",
    integration="kubeflow",
)


class KubernetesSecretsManagerConfig(BaseSecretsManagerConfig):
    """Keeps each secret as a Kubernetes ``Secret`` in one namespace of a cluster.

    Steps run by the ``kubeflow`` orchestrator read referenced values from
    these Secrets (``secretKeyRef``), so pods must run in ``namespace``: keep
    the default ``kubeflow`` for a standalone Kubeflow Pipelines, use your
    profile's namespace on a multi-user Kubeflow.

    Attributes:
        kubernetes_context: the kubeconfig context of the cluster (default: the
            current context; in a pod: the pod's service account).
        namespace: the namespace the Secrets live in.
    """

    kubernetes_context: str | None = Field(
        default=None,
        description="The kubeconfig context of the cluster (default: the current context).")
    namespace: str = Field(
        default="kubeflow",
        description="The Kubernetes namespace of the secrets; the pods that read them (Kubeflow "
                    "steps) must run there.")

    @field_validator("kubernetes_context")
    @classmethod
    def _context(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        if not _NAMESPACE.match(value):
            raise ValueError("a Kubernetes namespace is 1 to 63 lowercase letters, digits and "
                             "dashes, starting and ending with a letter or digit")
        return value


KUBERNETES_SECRETS_MANAGER = Flavor(
    name=KUBERNETES_SECRETS_MANAGER_FLAVOR,
    type=StackComponentType.SECRETS_MANAGER,
    config_class=KubernetesSecretsManagerConfig,
    implementation="zenml_kubeflow.secrets_manager:KubernetesSecretsManager",
    integration="kubeflow",
)
