"""The base class of every stack component implementation."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from zenml.errors import ProvisioningError
from zenml.stack.component_type import StackComponentType
from zenml.stack.config import ComponentSpec, StackComponentConfig

if TYPE_CHECKING:
    from zenml.stack.step_run import StepRunContext

__all__ = ["StackComponent"]


class StackComponent:
    """A configured, usable stack component (orchestrator, artifact store, ...).

    Implementations subclass the base class of their type (for example
    :class:`zenml.artifact_stores.BaseArtifactStore`) and import their
    third-party library inside the methods that use it: an implementation
    module is imported whenever a component is instantiated (``stack up``,
    ``served-models``, a run's whole stack), so it must stay cheap to import.

    The state methods default to a component with nothing to provision that
    is always running, which is what every local component is. A component
    with resources elsewhere (a bucket, a database, a cluster) answers
    :attr:`is_provisioned` and :attr:`is_running` from a real check of those
    resources, never from its configuration alone; its :meth:`provision` and
    :meth:`resume` either make the checks pass or raise
    :class:`~zenml.errors.ProvisioningError` with one line naming the
    component, the cause and the fix. ``zenml stack up`` reports a component
    running only when the checks pass after :meth:`bring_up`.
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

    def bring_up(self) -> None:
        """Provision and resume as needed, then check that the component is running.

        Raises :class:`~zenml.errors.ProvisioningError` when the checks still fail
        and the component's own methods gave no cause.
        """
        was_provisioned = self.is_provisioned
        if not was_provisioned:
            self.provision()
        was_running = self.is_running
        if not was_running:
            self.resume()
        if was_provisioned and was_running:
            return  # both checks passed as they were: nothing to ask again
        provisioned = self.is_provisioned
        if provisioned and self.is_running:
            return
        what = f"{self.type.display_name.capitalize()} '{self.name}' ({self.flavor})"
        state = "suspended" if provisioned else "not provisioned"
        raise ProvisioningError(
            f"{what} is still {state} after 'up' and its flavor gave no cause; check its "
            f"resources and configuration ('zenml {self.type.cli_name} describe {self.name}')")

    def provision(self) -> None:
        """Create the component's resources (no-op for local components)."""

    def deprovision(self) -> None:
        """Delete the component's resources (no-op for local components)."""

    def resume(self) -> None:
        """Start provisioned resources (no-op for local components)."""

    def suspend(self) -> None:
        """Stop resources without deleting them (no-op for local components)."""

    # -- step runs ---------------------------------------------------------
    def prepare_step_run(self, info: StepRunContext) -> None:
        """Called before each step runs, wherever it runs (no-op by default).

        An exception fails the step before its code starts.
        """

    def cleanup_step_run(self, info: StepRunContext, failed: bool) -> None:
        """Called after each step that was prepared, even when it failed."""
