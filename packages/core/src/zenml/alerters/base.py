"""The base class of every alerter."""

from __future__ import annotations

from typing import ClassVar

from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

__all__ = ["BaseAlerter"]


class BaseAlerter(StackComponent):
    """Sends messages from pipelines to people (chat, mail)."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.ALERTER
