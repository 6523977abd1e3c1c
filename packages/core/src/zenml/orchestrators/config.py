"""Orchestrator configurations: the base and the built-in ``local`` flavor."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from zenml.errors import StackValidationError
from zenml.stack.component_type import StackComponentType
from zenml.stack.config import ComponentSpec, StackComponentConfig

__all__ = ["BaseOrchestratorConfig", "LocalOrchestratorConfig"]


class BaseOrchestratorConfig(StackComponentConfig):
    """Base configuration of every orchestrator."""

    @property
    def is_remote(self) -> bool:
        """Whether steps run away from this machine (pods, other hosts)."""
        return False

    def validate_stack(self, stack: Mapping[StackComponentType, ComponentSpec]) -> None:
        """A remote orchestrator cannot use components that live on this machine."""
        if not self.is_remote:
            return
        me = stack[StackComponentType.ORCHESTRATOR]
        for type_, spec in stack.items():
            if spec.config.is_local:
                msg = (
                    f"The {me.flavor} orchestrator '{me.name}' runs steps remotely, "
                    f"but {type_.display_name} '{spec.name}' ({spec.flavor}) only "
                    f"exists on this machine; register a remote {type_.display_name} "
                    f"(see 'zenml {type_.cli_name} flavor list') and use it in this stack"
                )
                raise StackValidationError(msg)


class LocalOrchestratorConfig(BaseOrchestratorConfig):
    """Runs every step in the calling Python process."""

    parallel: bool = Field(
        default=False,
        description="Run independent steps at the same time (threads).",
    )
    max_workers: int = Field(
        default=4, ge=1, description="The most steps run at once when parallel."
    )
