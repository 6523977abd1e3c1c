"""Views over the metadata store: pipeline -> runs -> steps -> artifacts.

Views load lazily and cache what they loaded, so walking from a pipeline
to the latest run's output costs a handful of queries however many runs
there are. Each view is bound to the stores it was made with (the run's
runtime for the view ``pipeline.run()`` returns, the named or active stack's
for ``Repository().get_pipeline(...)``): reading an artifact never goes to
whatever stack is active at the time of the read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, overload

from zenml.errors import ArtifactStoreError, EntityKeyError, EntityNotFoundError
from zenml.metadata_stores.records import (
    ArtifactRecord,
    ExecutionStatus,
    PipelineRecord,
    RunRecord,
    StepRunRecord,
)
from zenml.metadata_stores.status import (
    RUN_DIED,
    STEP_DIED,
    run_status,
    step_status,
    step_status_counts,
)

if TYPE_CHECKING:
    from zenml.artifact_stores.base import BaseArtifactStore
    from zenml.metadata_stores.base import BaseMetadataStore

__all__ = ["ArtifactView", "PipelineRunView", "PipelineRuns", "PipelineView", "StepView",
           "run_status", "step_status", "step_status_counts"]

class _Named(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


R = TypeVar("R", bound=_Named)


class _View(Generic[R]):
    """A record of the metadata store, with the stores to follow it further."""

    def __init__(self, store: BaseMetadataStore, record: R,
                 artifact_store: BaseArtifactStore | None = None) -> None:
        self._store = store
        self._record: R = record
        self._artifact_store = artifact_store

    @property
    def id(self) -> str:
        """The record's id."""
        return self._record.id

    @property
    def name(self) -> str:
        """Its name."""
        return self._record.name


class PipelineView(_View[PipelineRecord]):
    """A pipeline and its runs.

    ``hidden_run_id`` leaves one run out of :attr:`runs` and :meth:`get_run`:
    the run of the step that asks (through ``context.metadata_store``), which is
    not finished yet, as the original framework's step saw it.
    """

    def __init__(self, store: BaseMetadataStore, record: PipelineRecord,
                 artifact_store: BaseArtifactStore | None = None, *,
                 hidden_run_id: str | None = None) -> None:
        super().__init__(store, record, artifact_store)
        self._hidden_run_id = hidden_run_id

    @property
    def created(self) -> datetime:
        """When the pipeline first ran (UTC)."""
        return self._record.created

    @property
    def runs(self) -> PipelineRuns:
        """Every run, oldest first (``runs[-1]`` is the latest), read as they are asked for."""
        return PipelineRuns(self._store, self.name, self._artifact_store,
                            hidden_run_id=self._hidden_run_id)

    def get_run_names(self) -> list[str]:
        """The names of the runs, oldest first."""
        return [run.name for run in self.runs]

    def get_run(self, run_name: str | None = None, *, name: str | None = None
                ) -> PipelineRunView:
        """One run by name (``get_run("x")``, ``get_run(run_name="x")`` or ``name="x"``).

        A missing run raises :class:`~zenml.errors.EntityKeyError`, which is
        also a ``KeyError`` as in the original framework.
        """
        wanted = run_name if run_name is not None else name
        if wanted is None:
            raise ValueError("get_run() needs a run name")
        try:
            record = self._store.get_run(wanted)
        except EntityNotFoundError:
            record = None
        if record is None or record.pipeline_name != self.name or (
                record.id == self._hidden_run_id):
            names = ", ".join(self.get_run_names()[-5:]) or "none"
            raise EntityKeyError(f"Pipeline '{self.name}' has no run '{wanted}' (latest "
                                 f"runs: {names}; see 'zenml pipeline runs list')")
        return PipelineRunView(self._store, record, self._artifact_store)

    def get_run_for_completed_step(self, step_name: str) -> PipelineRunView:
        """The newest run in which step ``step_name`` ran (not cached) and completed."""
        for run in reversed(self.runs):
            for step in run.steps:
                if step_name in (step.name, step.entrypoint_name) and (
                        step.status is ExecutionStatus.COMPLETED):
                    return run
        raise EntityKeyError(f"No run of pipeline '{self.name}' has completed step "
                             f"'{step_name}' without the cache")

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, PipelineView) and other.id == self.id
                and other._store.name == self._store.name)

    def __hash__(self) -> int:
        return hash((self.id, self._store.name))

    def __repr__(self) -> str:
        return f"PipelineView(name={self.name!r})"


class PipelineRuns(Sequence["PipelineRunView"]):
    """A pipeline's runs, oldest first, as a read-only sequence that queries what is asked.

    ``runs[-1]`` reads one run (the newest), ``len(runs)`` counts in SQL, slices
    read one page and iterating reads pages of :attr:`BATCH`: a pipeline with
    100,000 runs costs what one with ten does. It compares equal to a list of
    the same runs.
    """

    BATCH = 500

    def __init__(self, store: BaseMetadataStore, pipeline_name: str,
                 artifact_store: BaseArtifactStore | None = None, *,
                 hidden_run_id: str | None = None) -> None:
        self._store = store
        self._pipeline_name = pipeline_name
        self._artifact_store = artifact_store
        self._hidden_run_id = hidden_run_id

    def _read(self, *, newest_first: bool, limit: int, offset: int) -> list[PipelineRunView]:
        records = self._store.get_runs(self._pipeline_name, newest_first=newest_first,
                                       limit=limit, offset=offset,
                                       exclude_run_id=self._hidden_run_id)
        return [PipelineRunView(self._store, r, self._artifact_store) for r in records]

    def __len__(self) -> int:
        return self._store.count_runs(self._pipeline_name, exclude_run_id=self._hidden_run_id)

    @overload
    def __getitem__(self, index: int) -> PipelineRunView: ...

    @overload
    def __getitem__(self, index: slice) -> list[PipelineRunView]: ...

    def __getitem__(self, index: int | slice) -> PipelineRunView | list[PipelineRunView]:
        if isinstance(index, slice):
            positions = range(len(self))[index]
            if not positions:
                return []
            # one read of the span the positions cover, then the step in memory
            low, high = min(positions), max(positions)
            span = self._read(newest_first=False, limit=high - low + 1, offset=low)
            return [span[p - low] for p in positions]
        if not isinstance(index, int):
            raise TypeError(f"run indices must be integers or slices, not "
                            f"{type(index).__name__}")
        found = (self._read(newest_first=True, limit=1, offset=-index - 1) if index < 0
                 else self._read(newest_first=False, limit=1, offset=index))
        if not found:
            raise IndexError("run index out of range")
        return found[0]

    def _pages(self, newest_first: bool) -> Iterator[PipelineRunView]:
        offset = 0
        while True:
            page = self._read(newest_first=newest_first, limit=self.BATCH, offset=offset)
            yield from page
            if len(page) < self.BATCH:
                return
            offset += self.BATCH

    def __iter__(self) -> Iterator[PipelineRunView]:
        return self._pages(newest_first=False)

    def __reversed__(self) -> Iterator[PipelineRunView]:
        return self._pages(newest_first=True)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (PipelineRuns, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))


class PipelineRunView(_View[RunRecord]):
    """One run: its status and steps."""

    @property
    def pipeline_name(self) -> str:
        """The pipeline's name."""
        return self._record.pipeline_name

    @property
    def status(self) -> ExecutionStatus:
        """running, completed or failed (also for a run whose process was killed)."""
        return run_status(self._record)

    @property
    def error(self) -> str | None:
        """Why the run failed."""
        if self._record.error is None and self.status is ExecutionStatus.FAILED:
            return RUN_DIED
        return self._record.error

    @property
    def created(self) -> datetime:
        """When the run started (UTC)."""
        return self._record.created

    @property
    def finished(self) -> datetime | None:
        """When the run ended (UTC)."""
        return self._record.finished

    @property
    def stack_name(self) -> str:
        """The stack it ran on."""
        return self._record.stack_name

    @property
    def enable_cache(self) -> bool:
        """Whether caching was on."""
        return self._record.enable_cache

    @cached_property
    def steps(self) -> list[StepView]:
        """The steps, in the order they started."""
        return [StepView(self._store, r, self._artifact_store, run=self._record)
                for r in self._store.get_step_runs(self.id)]

    def prefetch_artifacts(self) -> list[StepView]:
        """:attr:`steps` with every step's inputs and outputs read in two queries.

        For viewers that show all of a run's edges (the run graph): without it,
        each step's inputs and outputs cost a query each.
        """
        inputs, outputs = self._store.get_run_step_artifacts(self.id)
        for step in self.steps:
            step.set_artifacts(inputs.get(step.id, {}), outputs.get(step.id, {}))
        return self.steps

    def get_step_names(self) -> list[str]:
        """The steps' names in the pipeline, in the order they started."""
        return [step.name for step in self.steps]

    def get_step(self, name: Any = None, *, step: Any = None) -> StepView:
        """One step, by its name in the pipeline or its function's (class's) name.

        ``get_step("trainer")``, ``get_step(name="trainer")`` and ``get_step(step=...)``
        (a name, a step class or a step object) as in the original framework,
        which named a step by its function. A name in the pipeline wins over a
        function name; a missing step raises :class:`~zenml.errors.EntityKeyError`
        (also a ``KeyError``).
        """
        target = step if step is not None else name
        if target is None:
            raise ValueError("get_step() needs a step name")
        if isinstance(target, str):
            wanted = target
        else:
            from zenml.steps.base_step import BaseStep

            step_class = target if isinstance(target, type) else type(target)
            if not (isinstance(step_class, type) and issubclass(step_class, BaseStep)):
                raise ValueError(f"get_step() takes a step name, class or object, not "
                                 f"{target!r}")
            own = getattr(target, "name", None) if not isinstance(target, type) else None
            wanted = own if isinstance(own, str) else (step_class.STEP_NAME
                                                       or step_class.__name__)
        steps = self.steps
        for candidate in steps:
            if candidate.name == wanted:
                return candidate
        matches = [s for s in steps if s.entrypoint_name == wanted]
        if len(matches) == 1:
            return matches[0]
        names = ", ".join(s.name for s in steps) or "none"
        if matches:
            raise EntityKeyError(
                f"Run '{self.name}' has {len(matches)} steps of function '{wanted}' "
                f"({', '.join(s.name for s in matches)}); get one by its name in the pipeline")
        raise EntityKeyError(f"Run '{self.name}' has no step '{wanted}' (steps: {names})")

    def __repr__(self) -> str:
        return f"PipelineRunView(name={self.name!r}, status={self.status.value!r})"


class StepView(_View[StepRunRecord]):
    """One step run: status, parameters, inputs and outputs."""

    def __init__(self, store: BaseMetadataStore, record: StepRunRecord,
                 artifact_store: BaseArtifactStore | None = None, *,
                 run: RunRecord | None = None) -> None:
        super().__init__(store, record, artifact_store)
        self._run = run

    def _died(self) -> bool:
        """Whether this step was left 'running' by a run whose process is gone."""
        if self._record.status is not ExecutionStatus.RUNNING:
            return False
        if self._run is None:
            self._run = self._store.get_run(self._record.run_id)
        return step_status(self._record, self._run) is not self._record.status

    @property
    def entrypoint_name(self) -> str:
        """The step function's or class's name."""
        return self._record.entrypoint_name

    @property
    def pipeline_step_name(self) -> str:
        """The step's name in the pipeline (:attr:`name`; the original framework's spelling)."""
        return self._record.name

    @property
    def status(self) -> ExecutionStatus:
        """running, completed, cached or failed (also for a step whose run was killed)."""
        return ExecutionStatus.FAILED if self._died() else self._record.status

    @property
    def is_cached(self) -> bool:
        """Whether the outputs were reused from an earlier run."""
        return self._record.is_cached

    @property
    def is_completed(self) -> bool:
        """Whether the step finished (ran or reused its outputs)."""
        return self.status.is_finished

    @property
    def parameters(self) -> dict[str, Any]:
        """The step's parameters (its config's fields)."""
        return dict(self._record.parameters)

    @property
    def extra(self) -> dict[str, Any]:
        """Values components recorded on the step run (e.g. experiment tracker URLs).

        zenml's own bookkeeping (keys starting with ``_zenml``) is left out.
        """
        return {k: v for k, v in self._record.extra.items() if not k.startswith("_zenml")}

    @property
    def error(self) -> str | None:
        """Why the step failed."""
        if self._record.error is None and self._died():
            return STEP_DIED
        return self._record.error

    @property
    def started(self) -> datetime:
        """When the step started (UTC)."""
        return self._record.started

    @property
    def duration(self) -> float | None:
        """Seconds the step ran, if it finished."""
        if self._record.finished is None:
            return None
        return (self._record.finished - self._record.started).total_seconds()

    def set_artifacts(self, inputs: dict[str, ArtifactRecord],
                      outputs: dict[str, ArtifactRecord]) -> None:
        """Take the step's input and output records read already (a run's prefetch)."""
        self.__dict__["inputs"] = {k: ArtifactView(self._store, a, self._artifact_store)
                                   for k, a in inputs.items()}
        self.__dict__["outputs"] = {
            k: ArtifactView(self._store, a, self._artifact_store, parent_step_id=self.id)
            for k, a in outputs.items()}

    @cached_property
    def inputs(self) -> dict[str, ArtifactView]:
        """Input artifacts by input name."""
        return {k: ArtifactView(self._store, a, self._artifact_store)
                for k, a in self._store.get_step_inputs(self.id).items()}

    @cached_property
    def outputs(self) -> dict[str, ArtifactView]:
        """Output artifacts by output name (a cached step's are the original's)."""
        return {k: ArtifactView(self._store, a, self._artifact_store, parent_step_id=self.id)
                for k, a in self._store.get_step_outputs(self.id).items()}

    @property
    def input(self) -> ArtifactView:
        """The single input (an error if there are several or none)."""
        inputs = self.inputs
        if len(inputs) != 1:
            names = ", ".join(inputs) or "none"
            raise ValueError(f"Step '{self.name}' has inputs {names}; use "
                             f".inputs['<name>']")
        return next(iter(inputs.values()))

    @property
    def output(self) -> ArtifactView:
        """The single output (an error if there are several or none)."""
        outputs = self.outputs
        if len(outputs) != 1:
            names = ", ".join(outputs) or "none"
            raise ValueError(f"Step '{self.name}' has outputs {names}; use "
                             f".outputs['<name>']")
        return next(iter(outputs.values()))

    def __repr__(self) -> str:
        return f"StepView(name={self.name!r}, status={self.status.value!r})"


class ArtifactView(_View[ArtifactRecord]):
    """One stored output."""

    def __init__(self, store: BaseMetadataStore, record: ArtifactRecord,
                 artifact_store: BaseArtifactStore | None = None, *,
                 parent_step_id: str | None = None) -> None:
        super().__init__(store, record, artifact_store)
        self._parent_step_id = parent_step_id

    @property
    def parent_step_id(self) -> str:
        """The step run it was viewed from (its producer, unless that step was cached)."""
        return self._parent_step_id or self._record.producer_step_run_id

    @property
    def producer_step_id(self) -> str:
        """The step run that wrote it."""
        return self._record.producer_step_run_id

    @property
    def is_cached(self) -> bool:
        """Whether it is the output of a cached step (written by an earlier run)."""
        return self.parent_step_id != self.producer_step_id

    @property
    def uri(self) -> str:
        """Where the artifact's files are."""
        return self._record.uri


    @property
    def data_type(self) -> str:
        """The output's type, as ``module:QualName``."""
        return self._record.data_type

    @property
    def materializer(self) -> str:
        """The materializer that wrote it, as ``module:QualName``."""
        return self._record.materializer

    @property
    def content_hash(self) -> str | None:
        """SHA-256 of its files."""
        return self._record.content_hash

    @property
    def producer_step(self) -> StepView:
        """The step run that wrote it."""
        return StepView(self._store, self._store.get_step_run(self._record.producer_step_run_id),
                        self._artifact_store)

    def read(self, output_data_type: type | None = None,
             materializer_class: type | None = None) -> Any:
        """Load the artifact with the materializer that wrote it (or the one given)."""
        from zenml.execution.source import load_source
        from zenml.execution.step_info import no_pipeline_runs
        from zenml.io.fileio import artifact_store_scope
        from zenml.materializers.base import ArtifactContext, BaseMaterializer
        from zenml.plugins.manager import get_materializer_lookup

        if self._artifact_store is None:
            raise ArtifactStoreError(
                f"Artifact '{self.name}' ({self.uri}) is viewed with no artifact store; "
                f"read it through the run pipeline.run() returned or through "
                f"Repository().get_pipeline(...)")
        if not self._artifact_store.exists(self.uri):
            raise ArtifactStoreError(
                f"Artifact '{self.name}' ({self.uri}) no longer exists in artifact store "
                f"'{self._artifact_store.name}'; run the pipeline again to recreate it")
        with no_pipeline_runs():  # importing the user's script must not run it again
            data_type = output_data_type or load_source(self.data_type)
            materializer: type[BaseMaterializer] = (materializer_class
                                                    or load_source(self.materializer))
        context = ArtifactContext(self.uri, self._artifact_store, get_materializer_lookup())
        # materializers of the original framework use zenml.io.fileio on artifact.uri
        with artifact_store_scope(self._artifact_store):
            return materializer.from_context(context).handle_input(data_type)

    def __repr__(self) -> str:
        return f"ArtifactView(name={self.name!r}, uri={self.uri!r})"
