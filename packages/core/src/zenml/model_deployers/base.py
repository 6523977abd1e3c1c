"""The base class of every model deployer."""

from __future__ import annotations

from typing import ClassVar

from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

__all__ = ["BaseModelDeployer"]


class BaseModelDeployer(StackComponent):
    """Deploys trained models as prediction services."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.MODEL_DEPLOYER
