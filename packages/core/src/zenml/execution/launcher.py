"""The step launcher: runs one step of a deployment, the same way everywhere.

Every orchestrator goes through it: the local one in this process, remote
ones through ``python -m zenml.execution.entrypoint`` in a container.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from zenml.errors import RunFailedError, StepInterfaceError, ZenMLError
from zenml.execution.cache import (
    RUNTIME_MATERIALIZERS,
    cache_key,
    runtime_materializers,
    stale_runtime_materializer,
)
from zenml.execution.source import load_source, resolve_source
from zenml.execution.step_info import (
    StepRunInfo,
    reset_current_step_run,
    set_current_step_run,
)
from zenml.metadata_stores.base import NewArtifact
from zenml.metadata_stores.records import ArtifactRecord, ExecutionStatus
from zenml.sql.database import utcnow
from zenml.utils.paths import encode_segment, join_under

if TYPE_CHECKING:
    from zenml.execution.deployment import Deployment, StepSpec
    from zenml.execution.runtime import StackRuntime
    from zenml.materializers.base import BaseMaterializer
    from zenml.metadata_stores.base import BaseMetadataStore
    from zenml.stack.component import StackComponent
    from zenml.steps.base_step import BaseStep

__all__ = ["StepLauncher", "artifact_uri", "step_folder", "step_label"]

logger = logging.getLogger("zenml")


def step_folder(root: str, deployment: Deployment, step: str, step_run_id: str) -> str:
    """``<root>/<pipeline>/<run>/<step>/<attempt>``: one folder per attempt of a step.

    Names are encoded as single path segments (:func:`encode_segment`: plain
    names stay as they are), so no name can lead outside the store;
    ``<attempt>`` (the step run id's first 8 characters) means a new attempt of
    a step never meets, or deletes, another attempt's files.
    """
    return join_under(root, *(encode_segment(part) for part in (
        deployment.pipeline_name, deployment.run_name, step, step_run_id[:8])))


def artifact_uri(folder: str, output: str) -> str:
    """``<step folder>/<output>``: where one output of a step attempt is written."""
    return join_under(folder, encode_segment(output))


def step_label(spec: StepSpec) -> str:
    """A step as progress lines name it: its function or class name, as the original
    framework did, and its pipeline parameter name when that differs."""
    if spec.entrypoint_name == spec.name:
        return f"`{spec.name}`"
    return f"`{spec.entrypoint_name}` (as `{spec.name}`)"


def _error_line(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return (f"SystemExit({error.code!r}): the step's code called sys.exit() or raised "
                f"SystemExit; a step must return or raise an exception")
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


class StepLauncher:
    """Runs steps of one deployment on its runtime.

    The runtime's ``steps`` may hold the step objects already in memory (the
    local orchestrator); otherwise each step is imported from its source.
    """

    def __init__(self, deployment: Deployment, runtime: StackRuntime) -> None:
        self.deployment = deployment
        self.runtime = runtime
        self._materializer_classes: dict[str, type[BaseMaterializer]] = {}
        # the outputs of the steps this launcher finished (or reused), by step then
        # output: a later step's inputs come from here, not from another query
        self._produced: dict[str, dict[str, ArtifactRecord]] = {}

    @property
    def metadata_store(self) -> BaseMetadataStore:
        """The run's metadata store."""
        return self.runtime.metadata_store

    def ensure_run(self, owner_pid: int | None = None) -> None:
        """Record the run (once; any step may be the first to get here).

        ``owner_pid`` is the process that runs every step (the local
        orchestrator); when it dies, the run shows as failed. Runs whose steps
        run in separate processes have no owner.
        """
        d = self.deployment
        self.metadata_store.create_run(
            run_id=d.run_id, run_name=d.run_name, pipeline_name=d.pipeline_name,
            stack_name=d.stack.name, enable_cache=d.enable_cache, num_steps=len(d.steps),
            owner_pid=owner_pid)

    # -- one step -----------------------------------------------------------------------
    def launch(self, step_name: str) -> ExecutionStatus:
        """Run (or reuse) one step; raise :class:`RunFailedError` if it fails."""
        spec = self.deployment.step(step_name)
        store = self.metadata_store
        inputs = self._input_artifacts(spec)
        key = cache_key(spec, inputs)
        input_ids = {name: a.id for name, a in inputs.items()}
        step_run_id = str(uuid.uuid4())
        common: dict[str, Any] = {
            "step_run_id": step_run_id, "run_id": self.deployment.run_id, "name": spec.name,
            "entrypoint_name": spec.entrypoint_name, "source": spec.source,
            "parameters": spec.parameters, "cache_key": key, "inputs": input_ids}
        if self.deployment.enable_cache and spec.enable_cache:
            original = store.find_cached_step_run(self.deployment.pipeline_name, key)
            reused = store.get_step_outputs(original.id) if original is not None else {}
            missing = self._missing_output(reused) if original is not None else None
            stale = (stale_runtime_materializer(spec, original, reused, self._materializer)
                     if original is not None and missing is None else None)
            if stale is not None:
                logger.info("Not reusing the cached outputs of step %s: %s.", step_label(spec),
                            stale)
            elif original is not None and missing is None:
                store.record_cached_step_run(original=original, **common)
                self._produced[spec.name] = reused
                logger.info("Using cached version of step %s.", step_label(spec))
                return ExecutionStatus.CACHED
            if missing is not None:
                logger.warning("Not reusing the cached outputs of step `%s`: %s no longer "
                               "exists; running the step again.", spec.name, missing)
        store.start_step_run(**common)
        logger.info("Step %s has started.", step_label(spec))
        started = time.perf_counter()
        info = StepRunInfo(deployment=self.deployment, step=spec, stack=self.runtime,
                           step_run_id=step_run_id)
        prepared: list[StackComponent] = []
        folder: str | None = None  # this attempt's output folder
        token = set_current_step_run(info)
        try:
            for component in self.runtime:
                component.prepare_step_run(info)
                prepared.append(component)
            folder = step_folder(self.runtime.artifact_store.path, self.deployment, spec.name,
                                 step_run_id)
            outputs = self._execute(spec, inputs, info, folder)
        except BaseException as error:
            message = _error_line(error)
            try:
                store.fail_step_run(step_run_id, message)
            except ZenMLError as store_error:  # keep the step's own error as the cause
                logger.warning("Could not record step '%s' as failed: %s", spec.name,
                               store_error)
            finally:
                self._remove_outputs(spec, folder)
                self._cleanup(prepared, info, failed=True)
                reset_current_step_run(token)
            # Anything but Ctrl-C (SystemExit from sys.exit() too) fails the run with
            # RunFailedError: step code must not end the caller's process.
            if not isinstance(error, KeyboardInterrupt):
                logger.debug("Step %s failed", spec.name, exc_info=True)
                raise RunFailedError(
                    f"Step '{spec.name}' of run '{self.deployment.run_name}' failed: {message}",
                    step_name=spec.name, run_name=self.deployment.run_name) from error
            raise
        store.complete_step_run(step_run_id, outputs)
        finished = utcnow()
        self._produced[spec.name] = {a.name: ArtifactRecord(
            id=a.id, uri=a.uri, name=a.name, data_type=a.data_type,
            materializer=a.materializer, producer_step_run_id=step_run_id, created=finished,
            content_hash=a.content_hash) for a in outputs}
        self._cleanup(prepared, info, failed=False)
        reset_current_step_run(token)
        logger.info("Step %s has finished in %.3fs.", step_label(spec),
                    time.perf_counter() - started)
        return ExecutionStatus.COMPLETED

    def _missing_output(self, outputs: Mapping[str, ArtifactRecord]) -> str | None:
        """The URI of one of a step run's ``outputs`` that is gone (existence only), else
        None."""
        artifact_store = self.runtime.artifact_store
        for artifact in outputs.values():
            if not artifact_store.exists(artifact.uri):
                return artifact.uri
        return None

    def _remove_outputs(self, spec: StepSpec, folder: str | None) -> None:
        """Delete what a failed attempt wrote (its own folder, inside the store)."""
        if folder is None:
            return
        try:
            artifact_store = self.runtime.artifact_store
            if artifact_store.exists(folder):
                artifact_store.rmtree(folder)
        except Exception as error:  # the step's own error matters more
            logger.warning("Could not remove the outputs of failed step '%s' (%s): %s",
                           spec.name, folder, _error_line(error))

    def _cleanup(self, components: list[StackComponent], info: StepRunInfo, failed: bool) -> None:
        for component in reversed(components):
            try:
                component.cleanup_step_run(info, failed=failed)
            except Exception as error:  # a cleanup problem must not hide the step's result
                logger.warning("%s '%s' failed to clean up after step '%s': %s",
                               component.type.display_name, component.name, info.step_name,
                               _error_line(error))

    def _input_artifacts(self, spec: StepSpec) -> dict[str, ArtifactRecord]:
        if not spec.inputs:
            return {}
        if all(name in self._produced for name in spec.upstream):
            produced: Mapping[str, Mapping[str, ArtifactRecord]] = self._produced
        else:  # a step that ran elsewhere (another process or an earlier attempt)
            produced = self.metadata_store.get_run_outputs(self.deployment.run_id,
                                                           spec.upstream)
        artifacts = {}
        for name, source in spec.inputs.items():
            artifact = produced.get(source.step, {}).get(source.output)
            if artifact is None:
                raise RunFailedError(
                    f"Step '{spec.name}' needs output '{source.output}' of step "
                    f"'{source.step}', which has not finished in run "
                    f"'{self.deployment.run_name}'", step_name=spec.name,
                    run_name=self.deployment.run_name)
            artifacts[name] = artifact
        return artifacts

    def _load_step(self, spec: StepSpec) -> BaseStep:
        step = self.runtime.steps.get(spec.name)
        if step is not None:
            return step
        from zenml.steps.base_step import BaseStep

        step_class = load_source(spec.source)
        if not (isinstance(step_class, type) and issubclass(step_class, BaseStep)):
            raise StepInterfaceError(f"'{spec.source}' is not a step")
        return step_class()

    def _materializer(self, source: str) -> type[BaseMaterializer]:
        """The materializer class a source names (imported once per launcher)."""
        materializer = self._materializer_classes.get(source)
        if materializer is None:
            materializer = self._materializer_classes[source] = load_source(source)
        return materializer

    def _output_materializer(self, spec: StepSpec, name: str, annotation: Any,
                             value: Any) -> tuple[type[BaseMaterializer], str]:
        """The materializer (and its source) that writes an output's value.

        One chosen with ``with_return_materializers`` is used as it is; else the
        most specific registered class along the MRO of the annotation or of the
        value's type wins (``-> ClassifierMixin`` returning an ``SVC``), and the
        artifact records the one used, so reading it back uses the same.
        """
        output = spec.outputs[name]
        if output.materializer and not output.by_type:
            return self._materializer(output.materializer), output.materializer
        registry = self.runtime.materializers
        found = registry.match(annotation, type(value))
        if found is None:
            raise registry.missing(type(value), f"output '{name}' of step '{spec.name}'")
        if output.materializer and found is self._materializer(output.materializer):
            return found, output.materializer
        return found, resolve_source(found)

    def _execute(self, spec: StepSpec, inputs: Mapping[str, ArtifactRecord],
                 info: StepRunInfo, folder: str) -> list[NewArtifact]:
        from zenml.artifacts.base_artifact import BaseArtifact
        from zenml.materializers.base import BaseMaterializer
        from zenml.steps.context import StepContext

        step = self._load_step(spec)
        interface = step.interface()
        runtime = self.runtime
        artifact_store = runtime.artifact_store
        kwargs: dict[str, Any] = {}
        for name, artifact in inputs.items():
            annotation = interface.inputs[name]
            if isinstance(annotation, type) and issubclass(annotation, BaseArtifact):
                # ``model: ModelArtifact`` (the original framework): the artifact, unread
                kwargs[name] = annotation(uri=artifact.uri, name=artifact.name, id=artifact.id)
                continue
            reader = self._materializer(artifact.materializer).from_context(
                runtime.artifact_context(artifact.uri))
            kwargs[name] = reader.handle_input(annotation)
        if interface.config_class is not None and interface.config_param is not None:
            kwargs[interface.config_param] = interface.config_class.model_validate(
                spec.parameters)
        uris: dict[str, tuple[str, type[BaseMaterializer]]] = {}
        for name, output in spec.outputs.items():
            uri = artifact_uri(folder, name)
            artifact_store.makedirs(uri)
            uris[name] = (uri, self._materializer(output.materializer) if output.materializer
                          else BaseMaterializer)  # picked by the value's type once returned
        if interface.context_param is not None:
            kwargs[interface.context_param] = StepContext(info, runtime, uris)
        result = step.entrypoint(**kwargs)
        values = self._split_outputs(spec, result, interface.single_output,
                                     interface.outputs)
        chosen: dict[str, tuple[type[BaseMaterializer], str]] = {}
        for name, value in values.items():  # every output checked before any is written
            expected = interface.outputs[name]
            if isinstance(expected, type) and expected not in (object, Any) and not isinstance(
                    value, expected) and not (expected is float and isinstance(value, int)):
                raise StepInterfaceError(
                    f"Step '{spec.name}' returned {type(value).__name__} for output "
                    f"'{name}', which is annotated {expected.__name__}")
            chosen[name] = self._output_materializer(spec, name, expected, value)
        recorded = runtime_materializers(spec, chosen)  # not in the cache key: record them
        if recorded:
            self.metadata_store.set_step_run_extra(info.step_run_id, RUNTIME_MATERIALIZERS,
                                                   recorded)
        written = []
        for name, value in values.items():
            uri = uris[name][0]
            materializer, source = chosen[name]
            with artifact_store.hash_while_writing(uri):  # no read back to hash it
                materializer.from_context(runtime.artifact_context(uri)).handle_return(value)
                content_hash = artifact_store.content_hash(uri)
            written.append(NewArtifact(
                id=str(uuid.uuid4()), name=name, uri=uri,
                data_type=spec.outputs[name].data_type, materializer=source,
                content_hash=content_hash))
        return written

    @staticmethod
    def _split_outputs(spec: StepSpec, result: Any, single: bool,
                       annotated: Mapping[str, Any]) -> dict[str, Any]:
        names = list(spec.outputs)
        if not names:
            if result is not None:
                raise StepInterfaceError(
                    f"Step '{spec.name}' returned {type(result).__name__} but is annotated "
                    f"'-> None'; annotate its output type")
            return {}
        if single:
            return {names[0]: result}
        if len(names) == 1:
            # ``-> Output(x=T)`` with one output: the bare value, or a 1-tuple of it
            # (as the era accepted), unless T itself is a tuple type that the 1-tuple is
            expected = annotated.get(names[0])
            is_value = (isinstance(expected, type) and expected is not object
                        and isinstance(result, expected))
            if isinstance(result, tuple) and len(result) == 1 and not is_value:
                return {names[0]: result[0]}
            return {names[0]: result}
        if not isinstance(result, (tuple, list)) or len(result) != len(names):
            raise StepInterfaceError(
                f"Step '{spec.name}' must return {len(names)} values ({', '.join(names)}) "
                f"as a tuple")
        return dict(zip(names, result, strict=True))

    # -- the run ----------------------------------------------------------------------
    def finish_run_if_done(self) -> bool:
        """Mark the run completed once every step has finished; True if it is."""
        store = self.metadata_store
        finished = [s for s in store.get_step_runs(self.deployment.run_id)
                    if s.status.is_finished]
        if len(finished) < len(self.deployment.steps):
            return False
        store.finish_run(self.deployment.run_id, ExecutionStatus.COMPLETED)
        return True

    def fail_run(self, error: str) -> None:
        """Mark the run failed."""
        self.metadata_store.finish_run(self.deployment.run_id, ExecutionStatus.FAILED, error)
