"""The base class of every orchestrator."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

if TYPE_CHECKING:
    from zenml.execution.deployment import Deployment
    from zenml.execution.runtime import StackRuntime

__all__ = ["BaseOrchestrator"]


class BaseOrchestrator(StackComponent):
    """Runs a pipeline's steps, in dependency order, somewhere.

    Every step must go through :class:`zenml.execution.StepLauncher` (in
    this process, or in ``python -m zenml.execution.entrypoint`` elsewhere),
    so caching, records and component hooks behave the same on every stack.
    """

    TYPE: ClassVar[StackComponentType] = StackComponentType.ORCHESTRATOR
    #: Whether ``run`` honours ``deployment.schedule`` (recurring runs); a run with a
    #: schedule on an orchestrator that cannot schedule is refused before it starts.
    SUPPORTS_SCHEDULES: ClassVar[bool] = False

    def run(self, deployment: Deployment, runtime: StackRuntime) -> str | None:
        """Run (or submit) every step of the deployment.

        ``runtime`` is the run's stack, built from ``deployment.stack`` (its
        ``steps`` hold the step objects when the caller has them in memory).
        Raise :class:`zenml.errors.RunFailedError` when a step fails. Return
        the id the run is recorded under when it is not ``deployment.run_id``
        (e.g. one the remote system assigned), else ``None``.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot run pipelines")
