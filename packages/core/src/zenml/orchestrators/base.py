"""The base class of every orchestrator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

if TYPE_CHECKING:
    from zenml.execution.deployment import Deployment
    from zenml.stack.stack import Stack
    from zenml.steps.base_step import BaseStep

__all__ = ["BaseOrchestrator"]


class BaseOrchestrator(StackComponent):
    """Runs a pipeline's steps, in dependency order, somewhere.

    Every step must go through :class:`zenml.execution.StepLauncher` (in
    this process, or in ``python -m zenml.execution.entrypoint`` elsewhere),
    so caching, records and component hooks behave the same on every stack.
    """

    TYPE: ClassVar[StackComponentType] = StackComponentType.ORCHESTRATOR

    def run(self, deployment: Deployment, stack: Stack,
            steps: Mapping[str, BaseStep] | None = None) -> str | None:
        """Run (or submit) every step of the deployment.

        ``steps`` holds the step objects when the caller has them in memory.
        Raise :class:`zenml.errors.RunFailedError` when a step fails. Return
        the id the run is recorded under when it is not ``deployment.run_id``
        (e.g. one the remote system assigned), else ``None``.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot run pipelines")
