"""A run's and a step's status as the records say and as it really is: a run stored as
``running`` whose owning process on this host is gone failed, and so did its steps
that were still running (the views, the stores' filters and the CLI read them here)."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

from zenml.metadata_stores.records import ExecutionStatus, RunRecord, StepRunRecord
from zenml.processes import process_alive

__all__ = ["RUN_DIED", "STEP_DIED", "run_status", "step_status", "step_status_counts"]


#: Why a run (or a step of it) failed when its owning process died unrecorded (kill -9).
RUN_DIED = "the run's process ended before the run finished"
STEP_DIED = "the run's process ended before the step finished"


def run_status(record: RunRecord) -> ExecutionStatus:
    """A run's status; a 'running' run whose owning process on this host is gone failed."""
    if (record.status is ExecutionStatus.RUNNING and record.pid > 0
            and record.host == socket.gethostname()
            and record.pid != os.getpid() and not process_alive(record.pid)):
        return ExecutionStatus.FAILED
    return record.status


def step_status_counts(run: RunRecord, stored: Mapping[str, int]) -> dict[ExecutionStatus, int]:
    """A run's step counts by status (every status present, zeros included) from the
    stored counts (:meth:`BaseMetadataStore.count_step_statuses`), by
    :func:`step_status`'s rule: the 'running' steps of a run that is no longer running
    failed."""
    counts = dict.fromkeys(ExecutionStatus, 0)
    for status, count in stored.items():
        counts[ExecutionStatus(status)] += count
    running = counts[ExecutionStatus.RUNNING]
    if running and run.pid > 0 and run_status(run) is not ExecutionStatus.RUNNING:
        counts[ExecutionStatus.FAILED] += running
        counts[ExecutionStatus.RUNNING] = 0
    return counts


def step_status(record: StepRunRecord, run: RunRecord) -> ExecutionStatus:
    """A step run's status; a 'running' step of a run whose owning process ended failed.

    A run with an owner runs all its steps in that process: once the run is
    no longer running (finished, or its process gone), none of its steps is.
    """
    if (record.status is ExecutionStatus.RUNNING and run.pid > 0
            and run_status(run) is not ExecutionStatus.RUNNING):
        return ExecutionStatus.FAILED
    return record.status
