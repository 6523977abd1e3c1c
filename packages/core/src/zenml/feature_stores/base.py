"""The base class of every feature store."""

from __future__ import annotations

from typing import ClassVar

from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

__all__ = ["BaseFeatureStore"]


class BaseFeatureStore(StackComponent):
    """Serves features to steps for training and inference."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.FEATURE_STORE
