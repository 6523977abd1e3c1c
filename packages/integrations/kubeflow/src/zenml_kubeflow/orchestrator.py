"""The ``kubeflow`` orchestrator: compile to a KFP v2 pipeline, build the image, submit.

This module is imported wherever a stack with this orchestrator is used,
including by every step's pod (each step calls every component's
``prepare_step_run``), so it imports kfp only inside the methods that compile or
submit.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from zenml.errors import EntityNotFoundError, ProvisioningError, RunFailedError
from zenml.orchestrators.base import BaseOrchestrator
from zenml_kubeflow.errors import KubeflowError
from zenml_kubeflow.flavors import KubeflowOrchestratorConfig

if TYPE_CHECKING:
    from zenml.execution.deployment import Deployment
    from zenml.execution.runtime import StackRuntime
    from zenml.metadata_stores.base import BaseMetadataStore
    from zenml.metadata_stores.records import RunRecord
    from zenml.stack.stack import Stack
    from zenml_kubeflow.client import KubeflowClient
    from zenml_kubeflow.image import ImagePlan

__all__ = ["CompiledPipeline", "KubeflowOrchestrator", "kube_contexts"]

logger = logging.getLogger("zenml.kubeflow")


def kube_contexts() -> tuple[list[str], str | None, list[Path]]:
    """The kubeconfig's context names, its current context and the files read."""
    import yaml

    raw = os.environ.get("KUBECONFIG")
    files = ([Path(p).expanduser() for p in raw.split(os.pathsep) if p] if raw
             else [Path.home() / ".kube" / "config"])
    contexts: list[str] = []
    current: str | None = None
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(data, dict):
            continue
        for entry in data.get("contexts") or []:
            name = entry.get("name") if isinstance(entry, dict) else None
            if name and name not in contexts:
                contexts.append(str(name))
        current = current or data.get("current-context") or None
    return contexts, current, files


class CompiledPipeline:
    """What :meth:`KubeflowOrchestrator.compile` wrote: the YAML and the image plan."""

    def __init__(self, path: Path, image: ImagePlan) -> None:
        self.path = path
        self.image = image


class KubeflowOrchestrator(BaseOrchestrator):
    """Runs each step as a container task of a Kubeflow Pipelines (kfp v2) run.

    ``run`` compiles the deployment (always, printing the YAML's path), stops
    there with ``compile_only``, otherwise builds and pushes the step image
    when it can, submits the run with ``kfp.Client`` and follows it: until it
    finishes with ``synchronous``, until its first step has recorded the run
    otherwise. The zenml run's id is the KFP run's id and its name the KFP
    run's display name (the deployment's run name).
    """

    config: KubeflowOrchestratorConfig
    #: KFP recurring runs are not implemented: ``run(schedule=...)`` is refused in one line.
    SUPPORTS_SCHEDULES: ClassVar[bool] = False
    #: Seconds between two looks at a submitted run.
    poll_interval: ClassVar[float] = 5.0
    #: A failed probe is reused for this many seconds (``stack up`` asks twice).
    _PROBE_MEMORY = 5.0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._last_problem: tuple[float, KubeflowError] | None = None

    # -- where things are written -------------------------------------------------------
    @property
    def output_dir(self) -> Path:
        """Compiled pipelines and build contexts: ``output_dir`` or the global config dir."""
        if self.config.output_dir:
            return Path(self.config.output_dir)
        from zenml.config.global_config import config_dir

        return config_dir() / "kubeflow" / self.id

    def _pipeline_dir(self, deployment: Deployment) -> Path:
        from zenml_kubeflow.compiler import kfp_name

        # kfp_name: lowercase letters, digits and dashes, at most 128: one safe segment
        return self.output_dir / kfp_name(deployment.pipeline_name)

    def _yaml_path(self, deployment: Deployment) -> Path:
        """``<pipeline dir>/<run name as one safe file name>.yaml``: a name is data."""
        from zenml.utils.paths import encode_segment

        return self._pipeline_dir(deployment) / f"{encode_segment(deployment.run_name)}.yaml"

    def _check_inside(self, *paths: Path) -> None:
        """Refuse paths that lead out of ``output_dir`` (a planted link, say)."""
        from zenml.utils.paths import is_under

        for path in paths:
            if not is_under(str(self.output_dir), str(path), local=True, strict=True):
                real = os.path.realpath(path)
                raise KubeflowError(
                    f"Refusing to write {path}: it leads outside the orchestrator's "
                    f"output_dir {self.output_dir} (to {real}); remove that link")

    # -- compile -----------------------------------------------------------------------
    def compile(self, deployment: Deployment, stack: Stack) -> CompiledPipeline:
        """Write the image's build context and the pipeline YAML; nothing is run."""
        from zenml.config.global_config import config_dir
        from zenml_kubeflow.compiler import compile_pipeline, secret_fields
        from zenml_kubeflow.image import prepare_build_context

        folder = self._pipeline_dir(deployment)
        path = self._yaml_path(deployment)
        self._check_inside(folder, folder / "image", path)
        skip = [self.output_dir, config_dir()]
        for component in stack:  # a local store's data is no code for the image
            if component.config.is_local:
                for field in ("path", "uri"):
                    value = getattr(component.config, field, None)
                    if isinstance(value, str) and os.path.isabs(value):
                        skip.append(Path(value))
        plan = prepare_build_context(
            deployment, stack, context=folder / "image",
            base_image=self.config.custom_docker_base_image_name,
            extra_requirements=self.config.requirements, skip=skip)
        path = compile_pipeline(deployment, image=plan.name, config=self.config,
                                path=path)
        logger.info("Compiled pipeline `%s` for Kubeflow Pipelines: %s (image %s).",
                    deployment.pipeline_name, path, plan.name)
        self._check_secrets_namespace(deployment)
        secrets = secret_fields(deployment)
        if secrets:
            logger.warning(
                "The compiled pipeline holds the stack's secret values in clear (%s): keep %s "
                "private; anyone who can read its KFP runs can read them.",
                ", ".join(secrets), path)
        return CompiledPipeline(path, plan)

    def _check_secrets_namespace(self, deployment: Deployment) -> None:
        """Warn when the pods read Secrets of a namespace other than KFP's."""
        from zenml.stack.component_type import StackComponentType
        from zenml_kubeflow.compiler import secret_env
        from zenml_kubeflow.flavors import KubernetesSecretsManagerConfig

        manager = next((c for c in deployment.stack.components
                        if c.type is StackComponentType.SECRETS_MANAGER), None)
        if manager is None or not secret_env(deployment):
            return
        namespace = KubernetesSecretsManagerConfig.model_validate(manager.config).namespace
        if namespace != self.config.kubeflow_namespace:
            logger.warning(
                "The steps read their secrets from Kubernetes namespace '%s' (secrets manager "
                "'%s'), not '%s' (kubeflow_namespace): pods can only read Secrets of the "
                "namespace they run in, so run them there (a multi-user Kubeflow profile) or "
                "move the secrets ('zenml secrets-manager update %s --namespace=%s').",
                namespace, manager.name, self.config.kubeflow_namespace, manager.name,
                self.config.kubeflow_namespace)

    # -- run -----------------------------------------------------------------------
    def run(self, deployment: Deployment, runtime: StackRuntime) -> str | None:
        """Compile, then (unless ``compile_only``) build, submit and follow the run.

        Returns KFP's run id, under which the pods record the zenml run (each
        pod builds its own runtime from the deployment).
        """
        from zenml_kubeflow.client import KubeflowClient
        from zenml_kubeflow.image import build_and_push

        compiled = self.compile(deployment, runtime)
        if self.config.compile_only:
            logger.info(
                "Not submitted: orchestrator '%s' is compile_only. Build the image with '%s' "
                "and push it with '%s', then upload %s to Kubeflow Pipelines.", self.name,
                compiled.image.build_command, compiled.image.push_command, compiled.path)
            return None
        build_and_push(compiled.image)
        client = KubeflowClient(self.config)
        run_id = client.submit(package=str(compiled.path), run_name=deployment.run_name,
                               experiment=deployment.pipeline_name)
        logger.info("Submitted run `%s` to Kubeflow Pipelines (%s) in experiment `%s`: %s",
                    deployment.run_name, client.endpoint.via, deployment.pipeline_name,
                    client.endpoint.run_url(run_id))
        self._follow(client, deployment, runtime.metadata_store, run_id)
        return run_id  # the pods record the run under KFP's run id

    @staticmethod
    def _record(store: BaseMetadataStore, run_id: str) -> RunRecord | None:
        try:
            return store.get_run(run_id)
        except EntityNotFoundError:
            return None

    def _follow(self, client: KubeflowClient, deployment: Deployment,
                store: BaseMetadataStore, run_id: str) -> None:
        timeout = self.config.timeout
        deadline = time.monotonic() + timeout
        name = deployment.run_name
        last = ""
        polls = 0
        while True:
            state, error = client.state(run_id)
            if state != last:
                logger.info("Kubeflow Pipelines run `%s`: %s", name, state)
                last = state
            if state in _final_states():
                break
            if not self.config.synchronous and self._record(store, run_id) is not None:
                logger.info("Run `%s` has started; not waiting for it (synchronous is off): "
                            "%s", name, client.endpoint.run_url(run_id))
                return
            if time.monotonic() >= deadline:
                waited = "finish" if self.config.synchronous else "start"
                raise KubeflowError(
                    f"Run '{name}' did not {waited} within {timeout} s (state {state} on "
                    f"Kubeflow Pipelines; it goes on there): "
                    f"{client.endpoint.run_url(run_id)}")
            polls += 1  # look soon after submitting, then every poll_interval
            interval = min(self.poll_interval, 0.5 * polls)
            time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
        self._report(deployment, store, run_id, state, error, client.endpoint.run_url(run_id))

    def _report(self, deployment: Deployment, store: BaseMetadataStore, run_id: str,
                state: str, error: str, url: str) -> None:
        from zenml.metadata_stores.records import ExecutionStatus

        name = deployment.run_name
        record = self._record(store, run_id)
        if state == "SUCCEEDED":
            if record is None:
                raise KubeflowError(
                    f"Run '{name}' succeeded on Kubeflow Pipelines, but metadata store "
                    f"'{store.name}' has no run with id {run_id}: do the pods use this "
                    f"stack's metadata store? ({url})")
            logger.info("Run `%s` finished on Kubeflow Pipelines: %s", name, url)
            return
        cause = f"ended {state} on Kubeflow Pipelines" + (f": {error}" if error else "")
        if record is not None and record.status is ExecutionStatus.RUNNING:
            store.finish_run(run_id, ExecutionStatus.FAILED, f"Run {cause}")
        failed = [s for s in store.get_step_runs(run_id)
                  if s.status is ExecutionStatus.FAILED] if record is not None else []
        if failed:
            step = failed[0]
            raise RunFailedError(f"Step '{step.name}' of run '{name}' failed: {step.error} "
                                 f"({url})", step_name=step.name, run_name=name)
        raise RunFailedError(f"Run '{name}' of pipeline '{deployment.pipeline_name}' {cause} "
                             f"({url})", run_name=name)

    # -- stack up / down ----------------------------------------------------------------
    def _problem(self) -> KubeflowError | None:
        """Why KFP cannot be used right now (None: it answers)."""
        if self._last_problem is not None:
            when, problem = self._last_problem
            if time.monotonic() - when < self._PROBE_MEMORY:
                return problem
        from zenml_kubeflow.client import probe

        try:
            endpoint = probe(self.config)
        except KubeflowError as error:
            self._last_problem = (time.monotonic(), error)
            return error
        self._last_problem = None
        logger.debug("Kubeflow Pipelines answers at %s (%s).", endpoint.url, endpoint.via)
        return None

    def _context_problem(self) -> str | None:
        if self.config.compile_only or self.config.kubeflow_hostname:
            return None
        contexts, current, files = kube_contexts()
        wanted = self.config.kubernetes_context or current
        where = ", ".join(str(f) for f in files)
        if not contexts:
            return (f"no kubeconfig with a context found ({where}); zenml does not create "
                    f"clusters: point KUBECONFIG at your cluster's kubeconfig, or set "
                    f"--kubeflow_hostname to the KFP API URL")
        if wanted is None:
            return (f"the kubeconfig ({where}) has no current context; set "
                    f"--kubernetes_context to one of: {', '.join(contexts)}")
        if wanted not in contexts:
            return (f"kubeconfig context '{wanted}' does not exist ({where}); contexts: "
                    f"{', '.join(contexts)}")
        return None

    @property
    def is_provisioned(self) -> bool:
        """The cluster is known: a KFP URL is set, or the kubeconfig has the context."""
        return self._context_problem() is None

    @property
    def is_running(self) -> bool:
        """KFP answers (always true with ``compile_only``: nothing is reached then)."""
        if self.config.compile_only:
            return True
        problem = self._problem()
        if problem is not None:
            logger.debug("Orchestrator '%s' is not running: %s", self.name, problem)
        return problem is None

    def provision(self) -> None:
        """Check the cluster; zenml does not create clusters or install KFP."""
        problem = self._context_problem()
        if problem is not None:
            raise ProvisioningError(f"Kubeflow orchestrator '{self.name}': {problem}")

    def resume(self) -> None:
        """Check that KFP answers; say what is missing when it does not."""
        if self.config.compile_only:
            return
        problem = self._problem()
        if problem is not None:
            raise ProvisioningError(f"Kubeflow orchestrator '{self.name}': {problem}")

    def suspend(self) -> None:
        """Nothing to stop: the cluster and KFP are not zenml's to manage."""
        logger.warning("Kubeflow orchestrator '%s': zenml does not stop Kubeflow Pipelines "
                       "or its cluster; manage them with your cluster's tools.", self.name)

    def deprovision(self) -> None:
        """Nothing to delete: zenml did not create the cluster or KFP."""
        logger.warning("Kubeflow orchestrator '%s': zenml did not create the cluster or "
                       "Kubeflow Pipelines and does not delete them; compiled pipelines stay "
                       "in %s.", self.name, self.output_dir)


def _final_states() -> frozenset[str]:
    from zenml_kubeflow.client import FINAL_STATES

    return FINAL_STATES
