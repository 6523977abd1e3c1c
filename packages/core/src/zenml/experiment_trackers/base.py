"""The base class of every experiment tracker."""

from __future__ import annotations

from typing import ClassVar

from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

__all__ = ["BaseExperimentTracker"]


class BaseExperimentTracker(StackComponent):
    """Records the metrics and parameters that steps log."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.EXPERIMENT_TRACKER
