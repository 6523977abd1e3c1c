"""The base of every component configuration (a light pydantic model)."""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr

from zenml.stack.component_type import StackComponentType
from zenml.stack.models import MASK

__all__ = ["MASK", "ComponentSpec", "StackComponentConfig", "is_secret_annotation"]


def is_secret_annotation(annotation: Any) -> bool:
    """Whether a field annotation is (or wraps) ``SecretStr``."""
    if annotation is SecretStr:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(is_secret_annotation(arg) for arg in typing.get_args(annotation))
    return False


@dataclass(frozen=True)
class ComponentSpec:
    """A component as stack validation sees it: name, flavor and config."""

    name: str
    flavor: str
    config: StackComponentConfig


class StackComponentConfig(BaseModel):
    """Base of every flavor's configuration.

    Subclasses declare their fields with descriptions (shown by ``--help``
    and ``register -i``); unknown fields are rejected; secret fields are
    typed ``SecretStr`` and masked whenever a configuration is printed.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    @property
    def is_local(self) -> bool:
        """Whether the component keeps its state on this machine only."""
        return False

    def validate_stack(self, stack: Mapping[StackComponentType, ComponentSpec]) -> None:
        """Check that this component works with the rest of ``stack``.

        Raise :class:`zenml.errors.StackValidationError` with a message that
        names the fix. The default accepts every stack.
        """

    @classmethod
    def secret_field_names(cls) -> list[str]:
        """The names of the fields whose values must never be printed."""
        return [
            name
            for name, field in cls.model_fields.items()
            if is_secret_annotation(field.annotation)
        ]

    def to_storable(self) -> dict[str, Any]:
        """The explicitly set fields as JSON-safe data, secrets in clear."""
        data = self.model_dump(mode="json", exclude_unset=True)
        for name in self.secret_field_names():
            value = getattr(self, name)
            if name in data and isinstance(value, SecretStr):
                data[name] = value.get_secret_value()
        return data

    def to_display(self) -> dict[str, Any]:
        """Every field (defaults included) as JSON-safe data, secrets masked."""
        data = self.model_dump(mode="json")
        for name in self.secret_field_names():
            if data.get(name) is not None:
                data[name] = MASK
        return data
