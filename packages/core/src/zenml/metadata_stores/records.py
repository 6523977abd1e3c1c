"""What the metadata store returns: plain, immutable records."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "ArtifactRecord",
    "ExecutionStatus",
    "NewArtifact",
    "PipelineRecord",
    "RunRecord",
    "StepRunRecord",
]


class ExecutionStatus(str, enum.Enum):
    """The state of a pipeline run or step run."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CACHED = "cached"

    def __str__(self) -> str:
        return self.value

    @property
    def is_finished(self) -> bool:
        """Completed or cached: the outputs exist."""
        return self in (ExecutionStatus.COMPLETED, ExecutionStatus.CACHED)


@dataclass(frozen=True)
class PipelineRecord:
    """A pipeline: the name its runs share."""

    id: str
    name: str
    created: datetime


@dataclass(frozen=True)
class RunRecord:
    """One run of a pipeline."""

    id: str
    name: str
    pipeline_name: str
    status: ExecutionStatus
    enable_cache: bool
    stack_name: str
    num_steps: int
    host: str
    pid: int
    created: datetime
    finished: datetime | None
    error: str | None


@dataclass(frozen=True)
class StepRunRecord:
    """One step of one run."""

    id: str
    run_id: str
    name: str
    entrypoint_name: str
    source: str
    status: ExecutionStatus
    is_cached: bool
    cache_key: str
    original_step_run_id: str | None
    parameters: dict[str, Any]
    extra: dict[str, Any]
    started: datetime
    finished: datetime | None
    error: str | None


@dataclass(frozen=True)
class ArtifactRecord:
    """One stored output: where it is, its type and how to read it."""

    id: str
    uri: str
    name: str
    data_type: str
    materializer: str
    producer_step_run_id: str
    created: datetime
    content_hash: str | None = None


class NewArtifact:
    """An output about to be recorded (its id is chosen before it is written)."""

    __slots__ = ("content_hash", "data_type", "id", "materializer", "name", "uri")

    def __init__(self, *, id: str, name: str, uri: str, data_type: str, materializer: str,
                 content_hash: str | None) -> None:
        self.id = id
        self.name = name
        self.uri = uri
        self.data_type = data_type
        self.materializer = materializer
        self.content_hash = content_hash
