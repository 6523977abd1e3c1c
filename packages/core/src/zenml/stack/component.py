"""The base class of every stack component implementation."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from zenml.stack.component_type import StackComponentType
from zenml.stack.config import ComponentSpec, StackComponentConfig

if TYPE_CHECKING:
    from zenml.execution.step_info import StepRunInfo

__all__ = ["StackComponent"]


class StackComponent:
    """A configured, usable stack component (orchestrator, artifact store, ...).

    Implementations subclass the base class of their type (for example
    :class:`zenml.artifact_stores.BaseArtifactStore`) and may import their
    third-party library at module level: they are imported only when a
    component is used, never to list or register one.

    The state methods default to a component with nothing to provision that
    is always running, which is what every local component is.
    """

    TYPE: ClassVar[StackComponentType]

    def __init__(
        self,
        *,
        name: str,
        id: str,
        flavor: str,
        config: StackComponentConfig,
    ) -> None:
        self.name = name
        self.id = id
        self.flavor = flavor
        self.config = config

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, flavor={self.flavor!r})"

    @property
    def type(self) -> StackComponentType:
        """The component's type."""
        return self.TYPE

    @property
    def spec(self) -> ComponentSpec:
        """The name, flavor and config, as stack validation sees them."""
        return ComponentSpec(name=self.name, flavor=self.flavor, config=self.config)

    # -- stack state -------------------------------------------------------

    @property
    def is_provisioned(self) -> bool:
        """Whether the component's resources exist."""
        return True

    @property
    def is_running(self) -> bool:
        """Whether the component's resources are up and usable."""
        return True

    @property
    def is_suspended(self) -> bool:
        """Whether the component is provisioned but not running."""
        return not self.is_running

    def provision(self) -> None:
        """Create the component's resources (no-op for local components)."""

    def deprovision(self) -> None:
        """Delete the component's resources (no-op for local components)."""

    def resume(self) -> None:
        """Start provisioned resources (no-op for local components)."""

    def suspend(self) -> None:
        """Stop resources without deleting them (no-op for local components)."""

    # -- step runs ---------------------------------------------------------
    def prepare_step_run(self, info: StepRunInfo) -> None:
        """Called before each step runs, wherever it runs (no-op by default).

        An exception fails the step before its code starts.
        """

    def cleanup_step_run(self, info: StepRunInfo, failed: bool) -> None:
        """Called after each step that was prepared, even when it failed."""
