"""The base class of every orchestrator."""

from __future__ import annotations

from typing import ClassVar

from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

__all__ = ["BaseOrchestrator"]


class BaseOrchestrator(StackComponent):
    """Runs a pipeline's steps, in dependency order, somewhere."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.ORCHESTRATOR
