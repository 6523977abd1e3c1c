"""``StepRunInfo``: which step of which run is executing (for components and decorators)."""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zenml.execution.deployment import Deployment, StepSpec
    from zenml.execution.runtime import StackRuntime

__all__ = ["PREVENT_EXECUTION_ENV", "StepRunInfo", "current_step_run", "no_pipeline_runs"]

#: Set where steps run (the step entrypoint): importing a script that calls
#: ``pipeline.run()`` at module level must not start another run inside a step.
PREVENT_EXECUTION_ENV = "ZENML_PREVENT_PIPELINE_EXECUTION"


@contextmanager
def no_pipeline_runs() -> Iterator[None]:
    """While importing user code (e.g. a materializer to read an artifact), a
    module-level ``pipeline.run()`` in it is skipped instead of starting a run."""
    before = os.environ.get(PREVENT_EXECUTION_ENV)
    os.environ[PREVENT_EXECUTION_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(PREVENT_EXECUTION_ENV, None)
        else:
            os.environ[PREVENT_EXECUTION_ENV] = before

_CURRENT: contextvars.ContextVar[StepRunInfo | None] = contextvars.ContextVar(
    "zenml_current_step_run", default=None)


@dataclass
class StepRunInfo:
    """Passed to ``prepare_step_run`` / ``cleanup_step_run`` of every component.

    ``stack`` is the run's :class:`~zenml.execution.runtime.StackRuntime`.
    """

    deployment: Deployment
    step: StepSpec
    stack: StackRuntime
    step_run_id: str

    @property
    def pipeline_name(self) -> str:
        """The pipeline's name."""
        return self.deployment.pipeline_name

    @property
    def run_name(self) -> str:
        """The run's name."""
        return self.deployment.run_name

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self.deployment.run_id

    @property
    def step_name(self) -> str:
        """The step's name in the pipeline."""
        return self.step.name

    def record(self, key: str, value: Any) -> None:
        """Attach a JSON value to this step run in the metadata store."""
        self.stack.metadata_store.set_step_run_extra(self.step_run_id, key, value)


def current_step_run() -> StepRunInfo | None:
    """The step run executing in this thread, if any."""
    return _CURRENT.get()


def set_current_step_run(info: StepRunInfo | None) -> contextvars.Token[StepRunInfo | None]:
    """Make ``info`` the current step run (the launcher does this)."""
    return _CURRENT.set(info)


def reset_current_step_run(token: contextvars.Token[StepRunInfo | None]) -> None:
    """Undo :func:`set_current_step_run`."""
    _CURRENT.reset(token)
