"""The base class of every secrets manager."""

from __future__ import annotations

from typing import ClassVar

from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

__all__ = ["BaseSecretsManager"]


class BaseSecretsManager(StackComponent):
    """Keeps secrets (credentials) that other components read at run time."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.SECRETS_MANAGER
