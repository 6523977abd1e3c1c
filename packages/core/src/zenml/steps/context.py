"""``StepContext``: what a running step can ask about its run and stack."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zenml.artifact_stores.base import BaseArtifactStore
    from zenml.execution.runtime import StackRuntime
    from zenml.execution.step_info import StepRunInfo
    from zenml.materializers.base import BaseMaterializer
    from zenml.materializers.registry import MaterializerRegistry
    from zenml.metadata_stores.base import BaseMetadataStore

__all__ = ["StepContext"]


class StepContext:
    """Passed to a step that declares a ``context: StepContext`` argument.

    A step that uses the context is not cached unless it says
    ``@step(enable_cache=True)``: what it reads through the context is not
    part of the cache key.
    """

    def __init__(self, info: StepRunInfo, runtime: StackRuntime,
                 outputs: dict[str, tuple[str, type[BaseMaterializer]]]) -> None:
        self._info = info
        self._runtime = runtime
        self._outputs = outputs

    @property
    def step_name(self) -> str:
        """The step's name in the pipeline."""
        return self._info.step_name

    @property
    def pipeline_name(self) -> str:
        """The pipeline's name."""
        return self._info.pipeline_name

    @property
    def run_name(self) -> str:
        """The run's name."""
        return self._info.run_name

    @property
    def stack(self) -> StackRuntime:
        """The stack the step runs on (the run's runtime)."""
        return self._runtime

    @property
    def metadata_store(self) -> BaseMetadataStore:
        """The stack's metadata store."""
        return self._runtime.metadata_store

    @property
    def artifact_store(self) -> BaseArtifactStore:
        """The stack's artifact store."""
        return self._runtime.artifact_store

    @property
    def materializers(self) -> MaterializerRegistry:
        """The run's materializer registry (to pick one for a value by its type)."""
        return self._runtime.materializers

    def _output_name(self, output_name: str | None) -> str:
        if output_name is None:
            if len(self._outputs) != 1:
                names = ", ".join(self._outputs) or "none"
                msg = f"Step '{self.step_name}' has outputs {names}; pass output_name="
                raise ValueError(msg)
            return next(iter(self._outputs))
        if output_name not in self._outputs:
            raise KeyError(f"Step '{self.step_name}' has no output '{output_name}'")
        return output_name

    def get_output_artifact_uri(self, output_name: str | None = None) -> str:
        """Where an output of this step is written."""
        return self._outputs[self._output_name(output_name)][0]

    def get_output_materializer(self, output_name: str | None = None,
                                custom_materializer_class: type[BaseMaterializer] | None = None
                                ) -> BaseMaterializer:
        """A materializer bound to an output's folder (to write extra files)."""
        uri, materializer = self._outputs[self._output_name(output_name)]
        cls = custom_materializer_class or materializer
        return cls.from_context(self._runtime.artifact_context(uri))

    def set_step_run_extra(self, key: str, value: Any) -> None:
        """Record a JSON value on this step run (shown by ``zenml pipeline runs describe``)."""
        self.metadata_store.set_step_run_extra(self._info.step_run_id, key, value)
