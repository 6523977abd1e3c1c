"""``StepRunContext``: what a stack component's step hooks are told about the step run.

:meth:`zenml.stack.StackComponent.prepare_step_run` and ``cleanup_step_run``
take a :class:`StepRunContext`. It is a structural type (a
:class:`typing.Protocol`): the step launcher passes its own
``zenml.execution.StepRunInfo``, which has these members and more, so the
stack layer never depends on the execution layer. A component reads only
what is declared here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["StepRunContext", "StepRunStep"]


class StepRunStep(Protocol):
    """The step about to run, as the pipeline's deployment describes it."""

    @property
    def name(self) -> str:
        """The step's name in the pipeline."""

    @property
    def source(self) -> str:
        """The import path of the step class (``module:Name``)."""

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The step's configuration values (JSON-compatible)."""


class StepRunContext(Protocol):
    """Which step of which run is executing (``prepare_step_run`` / ``cleanup_step_run``)."""

    @property
    def pipeline_name(self) -> str:
        """The pipeline's name."""

    @property
    def run_name(self) -> str:
        """The run's name."""

    @property
    def run_id(self) -> str:
        """The run's id."""

    @property
    def step_name(self) -> str:
        """The step's name in the pipeline."""

    @property
    def step_run_id(self) -> str:
        """The id of this step run in the metadata store."""

    @property
    def step(self) -> StepRunStep:
        """The step's description (name, source, parameters)."""

    def record(self, key: str, value: Any) -> None:
        """Attach a JSON value to this step run in the metadata store."""
