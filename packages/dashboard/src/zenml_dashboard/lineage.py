"""An artifact's lineage from the metadata store: where it came from, who read it.

Upstream is the chain of step runs it came from: its producer, the producers
of that step's inputs, and so on to the steps with no inputs (breadth first,
each step run once, at most :data:`MAX_DEPTH` levels and :data:`MAX_STEPS`
steps). Downstream is every step run, in any run, that took it as an input;
a cached step run takes the artifacts of the run it was cached from, so
later cached runs appear there too (at most :data:`MAX_CONSUMERS`).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zenml.metadata_stores.base import BaseMetadataStore
    from zenml.metadata_stores.records import ArtifactRecord, RunRecord, StepRunRecord

__all__ = ["MAX_CONSUMERS", "MAX_DEPTH", "MAX_STEPS", "downstream", "upstream"]

MAX_DEPTH = 20
MAX_STEPS = 50
MAX_CONSUMERS = 100


class _Runs:
    """Run records by id, each read once."""

    def __init__(self, store: BaseMetadataStore) -> None:
        self.store = store
        self.cache: dict[str, RunRecord] = {}

    def __call__(self, run_id: str) -> RunRecord:
        if run_id not in self.cache:
            self.cache[run_id] = self.store.get_run(run_id)
        return self.cache[run_id]


def _step(record: StepRunRecord, run: RunRecord) -> dict[str, Any]:
    from zenml.metadata_stores.status import step_status

    return {"id": record.id, "step": record.name, "run": run.name,
            "status": step_status(record, run).value, "cached": record.is_cached}


def _artifact_ref(name: str, artifact: ArtifactRecord) -> dict[str, Any]:
    return {"input": name, "id": artifact.id, "name": artifact.name,
            "type": artifact.data_type}


def upstream(store: BaseMetadataStore, artifact: ArtifactRecord) -> dict[str, Any]:
    """The step runs the artifact came from, nearest first, with the inputs each read."""
    runs = _Runs(store)
    steps: list[dict[str, Any]] = []
    seen: set[str] = set()
    queue: deque[tuple[str, int]] = deque([(artifact.producer_step_run_id, 0)])
    truncated = False
    while queue:
        step_run_id, depth = queue.popleft()
        if step_run_id in seen:
            continue
        if depth > MAX_DEPTH or len(steps) >= MAX_STEPS:
            truncated = True
            break
        seen.add(step_run_id)
        record = store.get_step_run(step_run_id)
        inputs = store.get_step_inputs(step_run_id)
        steps.append({**_step(record, runs(record.run_id)), "depth": depth,
                      "inputs": [_artifact_ref(name, a) for name, a in sorted(inputs.items())]})
        for _, input_artifact in sorted(inputs.items()):
            queue.append((input_artifact.producer_step_run_id, depth + 1))
    return {"steps": steps, "truncated": truncated}


def downstream(store: BaseMetadataStore, artifact: ArtifactRecord) -> dict[str, Any]:
    """The step runs (of any run, cached ones too) that took the artifact as an input."""
    runs = _Runs(store)
    records = store.get_artifact_consumers(artifact.id, limit=MAX_CONSUMERS + 1)
    consumers = []
    for record in records[:MAX_CONSUMERS]:
        names = sorted(name for name, a in store.get_step_inputs(record.id).items()
                       if a.id == artifact.id)
        consumers.append({**_step(record, runs(record.run_id)), "inputs": names})
    return {"steps": consumers, "truncated": len(records) > MAX_CONSUMERS}
