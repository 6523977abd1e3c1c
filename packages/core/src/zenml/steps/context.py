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
    from zenml.post_execution.views import PipelineView

__all__ = ["StepContext", "StepMetadataStore"]


class StepMetadataStore:
    """The run's metadata store as a running step sees it (``context.metadata_store``).

    Everything is the store's own (attributes and methods are passed through),
    except the original framework's read API, :meth:`get_pipelines` and
    :meth:`get_pipeline`: its views read artifacts from the run's artifact
    store and leave out the step's own run, which has not finished (so
    ``get_pipeline(name).runs[-1]`` is the previous run, as it was then).
    """

    def __init__(self, store: BaseMetadataStore, artifact_store: BaseArtifactStore,
                 run_id: str) -> None:
        self._store = store
        self._artifact_store = artifact_store
        self._run_id = run_id

    @property
    def store(self) -> BaseMetadataStore:
        """The metadata store itself."""
        return self._store

    def get_pipelines(self) -> list[PipelineView]:
        """Every pipeline, by first run, as views (without the current run)."""
        return self._store.get_pipelines(artifact_store=self._artifact_store,
                                         hidden_run_id=self._run_id)

    def get_pipeline(self, pipeline_name: str) -> PipelineView:
        """One pipeline's view without the current run (``KeyError`` if no other run)."""
        return self._store.get_pipeline(pipeline_name, artifact_store=self._artifact_store,
                                        hidden_run_id=self._run_id)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_store":  # copy/pickle probe before __init__
            raise AttributeError(name)
        return getattr(self._store, name)

    def __repr__(self) -> str:
        return f"StepMetadataStore({self._store!r})"


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
    def metadata_store(self) -> StepMetadataStore:
        """The stack's metadata store, with the original framework's read API.

        ``get_pipeline(name)`` / ``get_pipelines()`` give views of earlier runs
        (this run, unfinished, is left out); everything else is the store's
        own (``.store`` is the store itself).
        """
        return StepMetadataStore(self._runtime.metadata_store, self._runtime.artifact_store,
                                 self._info.run_id)

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
