"""What the dashboard shows, as plain JSON-ready dicts (the API's answers; the pages
render the same dicts).

State is read through the core only: the stack store (:attr:`Repository.store`)
for stacks, the active stack's metadata store (:meth:`Repository.run_stores`,
as ``zenml pipeline runs list`` reads it) for paging runs, and the post-execution
views for runs, steps and artifacts. Nothing here writes.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from zenml.errors import EntityKeyError, EntityNotFoundError, ZenMLError
from zenml.metadata_stores.records import ExecutionStatus

if TYPE_CHECKING:
    from zenml.metadata_stores.base import BaseMetadataStore
    from zenml.post_execution.views import ArtifactView, PipelineRunView
    from zenml.repository import Repository
    from zenml.stack.models import StackModel

__all__ = ["STATUSES", "DashboardData", "NotFound"]

#: Every status a run or step can have, in the order counts are shown.
STATUSES = [s.value for s in (ExecutionStatus.COMPLETED, ExecutionStatus.CACHED,
                              ExecutionStatus.FAILED, ExecutionStatus.RUNNING)]
#: How many run records are read at a time when filtering by status or stack.
_BATCH = 500


class NotFound(ZenMLError):
    """A run or step the URL names does not exist (HTTP 404)."""


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return (end - start).total_seconds() if end is not None else None


class DashboardData:
    """The dashboard's reads, for one repository (``None``: found from the cwd)."""

    def __init__(self, repository_root: str | None = None) -> None:
        self.repository_root = repository_root
        self._lock = threading.Lock()
        self._repository_instance: Repository | None = None
        #: The active stack's stores, kept while its components stay the same: (what
        #: they were built from, metadata store, artifact store).
        self._stores: tuple[Any, BaseMetadataStore, Any] | None = None

    def repository(self) -> Repository:
        """The repository, opened once (its stack store's engine serves every request)."""
        with self._lock:
            if self._repository_instance is None:
                from zenml.repository import Repository

                self._repository_instance = Repository(self.repository_root)
            return self._repository_instance

    def stores(self) -> tuple[BaseMetadataStore, Any]:
        """The active stack's metadata and artifact store, built once and kept (with their
        connections) until the active stack or one of its components changes; the old
        store's idle connections are then closed (a request still using it finishes)."""
        from zenml.stack.stack import Stack

        repository = self.repository()
        model = repository.active_stack_model
        key = (model.name, sorted((type_.value, component.id, component.flavor,
                                   json.dumps(component.config, sort_keys=True, default=str))
                                  for type_, component in model.components.items()))
        with self._lock:
            if self._stores is not None and self._stores[0] == key:
                return self._stores[1], self._stores[2]
            stack = Stack.from_model(model, repository.flavors)
            old, self._stores = self._stores, (key, stack.metadata_store, stack.artifact_store)
            kept = self._stores
        if old is not None:
            old[1].release_connections()
        return kept[1], kept[2]

    def served_models(self) -> dict[str, Any]:
        """The active stack's model deployer and its services (see
        :func:`zenml_dashboard.models.served_models`)."""
        from zenml_dashboard.models import served_models

        return served_models(self)

    def close(self) -> None:
        """Close the kept metadata store's connections (the app's shutdown)."""
        with self._lock:
            old, self._stores = self._stores, None
        if old is not None:
            old[1].release_connections()

    # -- stacks ------------------------------------------------------------------------

    def stacks(self) -> dict[str, Any]:
        """Every stack with its components (flavor, state, config with secrets masked)."""
        repository = self.repository()
        active = repository.active_stack_name
        states = repository.component_states()
        stacks = []
        for model in repository.store.list_stacks():
            components = []
            for type_, component in sorted(model.components.items(),
                                           key=lambda item: item[0].value):
                state = states.get(component.id)
                components.append({
                    "type": type_.value, "name": component.name, "flavor": component.flavor,
                    "state": state.label if state is not None else None,
                    "config": component.masked_config(),
                })
            stacks.append({"name": model.name, "active": model.name == active,
                           "components": components,
                           "coupling": self._coupling(repository, model)})
        return {"active": active, "stacks": stacks}

    @staticmethod
    def _coupling(repository: Repository, model: StackModel) -> dict[str, Any] | None:
        """Whether the stack's artifact store and metadata store are coupled (the pairing
        ``stack register`` records), and the other pairings that hold either store."""
        from zenml.stack.component_type import StackComponentType

        artifact = model.components.get(StackComponentType.ARTIFACT_STORE)
        meta = model.components.get(StackComponentType.METADATA_STORE)
        if artifact is None or meta is None:
            return None
        with repository.store.reading() as session:
            pairs = session.couplings(artifact.id, meta.id)
            names = session.component_names([i for pair in pairs for i in pair])
        others = [{"artifact_store": names.get(a, a), "metadata_store": names.get(m, m)}
                  for a, m in pairs if (a, m) != (artifact.id, meta.id)]
        return {"artifact_store": artifact.name, "metadata_store": meta.name,
                "coupled": (artifact.id, meta.id) in pairs, "others": others}

    # -- runs ----------------------------------------------------------------------------

    def runs(self, *, page: int = 1, size: int = 20, pipeline: str | None = None,
             status: str | None = None, stack: str | None = None) -> dict[str, Any]:
        """A page of runs, newest first, filtered by pipeline, status and stack."""
        from zenml.metadata_stores.status import step_status_counts
        from zenml.post_execution.views import PipelineRunView

        store, artifact_store = self.stores()
        page, size = max(page, 1), min(max(size, 1), 200)
        # filtered and paged by the store, in SQL (a dead owner's 'running' run is failed)
        total = store.count_runs(pipeline, status=status, stack=stack)
        records = store.get_runs(pipeline, newest_first=True, limit=size,
                                 offset=(page - 1) * size, status=status, stack=stack)
        stored = store.count_step_statuses([r.id for r in records])  # one query per page
        runs = [self._run_summary(PipelineRunView(store, r, artifact_store),
                                  step_status_counts(r, stored[r.id])) for r in records]
        return {"page": page, "size": size, "total": total,
                "pages": max((total + size - 1) // size, 1),
                "filters": {"pipeline": pipeline, "status": status, "stack": stack},
                "runs": runs}

    @staticmethod
    def _run_summary(run: PipelineRunView,
                     step_counts: dict[ExecutionStatus, int] | None = None) -> dict[str, Any]:
        """The run's row; its steps are read for the counts unless ``step_counts`` gives
        them (the runs page counts a whole page's steps in one query)."""
        counts = dict.fromkeys(STATUSES, 0)
        if step_counts is not None:
            for status, count in step_counts.items():
                if status.value in counts:
                    counts[status.value] += count
        else:
            for step in run.steps:
                counts[step.status.value] += 1
        return {"name": run.name, "pipeline": run.pipeline_name, "status": run.status.value,
                "stack": run.stack_name, "started": _time(run.created),
                "finished": _time(run.finished),
                "duration": _seconds(run.created, run.finished), "step_counts": counts,
                "error": run.error}

    def _run_view(self, name: str) -> tuple[BaseMetadataStore, PipelineRunView]:
        store, artifact_store = self.stores()
        return store, self._named_run(store, artifact_store, name)

    def run(self, name: str) -> dict[str, Any]:
        """One run: its steps as the nodes of a DAG, edges from their inputs, levels."""
        from zenml.post_execution.graph import run_graph

        _, run = self._run_view(name)
        graph = run_graph(run)
        edges = [{"source": parent, "target": target, "input": input_name, "artifact": output}
                 for target, node in graph.nodes.items()
                 for input_name, parent, output in node.reads]
        nodes = [{"name": name, "entrypoint": node.step.entrypoint_name,
                  "status": node.step.status.value, "cached": node.step.is_cached,
                  "duration": node.step.duration, "error": node.step.error,
                  "level": node.level, "parents": node.parents}
                 for name, node in graph.nodes.items()]
        levels = graph.levels()
        return {**self._run_summary(run), "enable_cache": run.enable_cache,
                "nodes": nodes, "edges": edges, "levels": levels}

    # -- compare (two runs side by side) -------------------------------------------------

    def _named_run(self, store: BaseMetadataStore, artifact_store: Any,
                   name: str) -> PipelineRunView:
        from zenml.post_execution.views import PipelineRunView

        try:
            record = store.get_run(name)
        except (EntityNotFoundError, EntityKeyError):
            raise NotFound(f"No run '{name}'") from None
        if record.name != name:  # get_run also takes an id: the URL names a run by name
            raise NotFound(f"No run '{name}'")
        return PipelineRunView(store, record, artifact_store)

    @staticmethod
    def _previous_run(store: BaseMetadataStore, run: PipelineRunView) -> str | None:
        """The run of the same pipeline just before ``run`` (None: it is the first)."""
        offset, seen = 0, False
        while True:
            batch = store.get_runs(run.pipeline_name, newest_first=True, limit=_BATCH,
                                   offset=offset)
            for record in batch:
                if seen:
                    return record.name
                seen = record.id == run.id
            if len(batch) < _BATCH:
                return None
            offset += _BATCH

    def recent_run_names(self, pipeline: str, limit: int = 30) -> list[str]:
        """The names of a pipeline's latest runs, newest first (for the compare pickers)."""
        store, _ = self.stores()
        return [r.name for r in store.get_runs(pipeline, newest_first=True, limit=limit)]

    def compare(self, a: str | None, b: str) -> dict[str, Any]:
        """Runs ``a`` and ``b`` side by side (``a`` None: the run before ``b``)."""
        from zenml_dashboard.compare import compare_runs, not_comparable

        store, artifact_store = self.stores()
        run_b = self._named_run(store, artifact_store, b)
        if a is None:
            a = self._previous_run(store, run_b)
        choices = [r.name for r in store.get_runs(run_b.pipeline_name, newest_first=True,
                                                   limit=30)]
        if a is None:
            return {"a": None, "b": self._run_summary(run_b),
                    **not_comparable(f"Run '{b}' is the first run of pipeline "
                                     f"'{run_b.pipeline_name}': there is no earlier run to "
                                     f"compare it with"),
                    "choices": choices}
        run_a = self._named_run(store, artifact_store, a)
        answer = compare_runs(run_a, run_b, artifact_store)
        return {"a": self._run_summary(run_a), "b": self._run_summary(run_b), **answer,
                "choices": choices}

    # -- steps ---------------------------------------------------------------------------

    def step(self, run_name: str, step_name: str) -> dict[str, Any]:
        """One step of a run: parameters, inputs (with producers), outputs, cache origin."""
        store, run = self._run_view(run_name)
        try:
            step = run.get_step(step_name)
        except EntityKeyError:
            raise NotFound(f"Run '{run_name}' has no step '{step_name}'") from None
        if step.name != step_name:  # by its name in the pipeline only
            raise NotFound(f"Run '{run_name}' has no step '{step_name}'")
        origin = None
        if step.is_cached:
            original = store.get_step_run(step.id).original_step_run_id
            if original is None and step.outputs:
                original = next(iter(step.outputs.values())).producer_step_id
            if original is not None:
                origin = self._producer(store, original)
        return {"run": run.name, "pipeline": run.pipeline_name, "name": step.name,
                "entrypoint": step.entrypoint_name, "status": step.status.value,
                "cached": step.is_cached, "started": _time(step.started),
                "duration": step.duration, "error": step.error,
                "parameters": step.parameters, "extra": step.extra,
                "cache_origin": origin,
                "inputs": {k: self._artifact(store, a) for k, a in step.inputs.items()},
                "outputs": {k: self._artifact(store, a) for k, a in step.outputs.items()}}

    @staticmethod
    def _producer(store: BaseMetadataStore, step_run_id: str) -> dict[str, Any]:
        record = store.get_step_run(step_run_id)
        return {"step": record.name, "run": store.get_run(record.run_id).name}

    def _artifact(self, store: BaseMetadataStore, artifact: ArtifactView) -> dict[str, Any]:
        return {"id": artifact.id, "name": artifact.name, "uri": artifact.uri,
                "type": artifact.data_type,
                "materializer": artifact.materializer, "content_hash": artifact.content_hash,
                "producer": self._producer(store, artifact.producer_step_id)}

    # -- artifacts (one artifact: facts, a preview that fits its type, lineage) ----------

    def artifact(self, artifact_id: str) -> dict[str, Any]:
        """One artifact: its facts, size, producer, a bounded preview and its lineage."""
        from zenml.post_execution.views import ArtifactView
        from zenml_dashboard.lineage import downstream, upstream
        from zenml_dashboard.previews import artifact_size, preview

        store, artifact_store = self.stores()
        try:
            record = store.get_artifact(artifact_id)
        except (EntityNotFoundError, EntityKeyError):
            raise NotFound(f"No artifact '{artifact_id}'") from None
        view = ArtifactView(store, record, artifact_store)
        try:
            measured = artifact_size(artifact_store, record.uri)
        except Exception:  # the store cannot be listed (e.g. an S3 server that is down)
            measured = None
        size, files = measured if measured is not None else (None, None)
        return {"id": record.id, "name": record.name, "uri": record.uri,
                "type": record.data_type, "materializer": record.materializer,
                "content_hash": record.content_hash, "created": _time(record.created),
                "size": size, "files": files, "artifact_store": artifact_store.name,
                "producer": self._producer(store, record.producer_step_run_id),
                "preview": preview(view, size, artifact_store),
                "lineage": {"upstream": upstream(store, record),
                            "downstream": downstream(store, record)}}

