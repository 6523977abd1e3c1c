"""The base class of every container registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

if TYPE_CHECKING:
    from zenml.container_registries.config import BaseContainerRegistryConfig

__all__ = ["BaseContainerRegistry"]


class BaseContainerRegistry(StackComponent):
    """Stores the container images that remote orchestrators and step operators run."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.CONTAINER_REGISTRY
    config: BaseContainerRegistryConfig
