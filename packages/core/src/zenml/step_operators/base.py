"""The base class of every step operator."""

from __future__ import annotations

from typing import ClassVar

from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

__all__ = ["BaseStepOperator"]


class BaseStepOperator(StackComponent):
    """Runs one step on specialised infrastructure (e.g. a GPU service)."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.STEP_OPERATOR
