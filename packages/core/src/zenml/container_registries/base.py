"""The base class of every container registry."""

from __future__ import annotations

from typing import ClassVar

from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

__all__ = ["BaseContainerRegistry"]


class BaseContainerRegistry(StackComponent):
    """Stores the container images that remote orchestrators and step operators run."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.CONTAINER_REGISTRY
