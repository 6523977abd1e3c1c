"""The base of every component configuration (a light pydantic model)."""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, SecretStr

from zenml.secrets_managers.references import SecretReference, parse_reference
from zenml.stack.component_type import StackComponentType
from zenml.stack.models import MASK

__all__ = ["MASK", "ComponentSpec", "SecretNameField", "StackComponentConfig",
           "is_secret_annotation", "secret_name_alone"]


@dataclass(frozen=True)
class SecretNameField:
    """A config field that names a whole secret (S3's ``authentication_secret``).

    ``schema`` is the secret schema it must have; ``keys`` maps each of the
    secret's keys to the config field it fills when the component is used.
    """

    schema: str
    keys: Mapping[str, str]


def is_secret_annotation(annotation: Any) -> bool:
    """Whether a field annotation is (or wraps) ``SecretStr``."""
    if annotation is SecretStr:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(is_secret_annotation(arg) for arg in typing.get_args(annotation))
    return False


def secret_name_alone(field: str, value: str | None, given: Mapping[str, Any],
                      clashing: tuple[str, ...]) -> str | None:
    """A secret-name field's value (stripped; blank is unset), refused in one line when
    any of the ``clashing`` fields it stands for is ``given`` too (a field validator's
    ``info.data``)."""
    if value is not None and not value.strip():
        return None
    passed = [f"--{name}" for name in clashing if given.get(name) is not None]
    if value is not None and passed:
        raise ValueError(f"{field} names the secret holding the credentials; pass it or "
                         f"{', '.join(passed)}, not both")
    return value.strip() if value is not None else None


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

    #: Fields naming a whole secret, by field name (see :class:`SecretNameField`).
    SECRET_NAME_FIELDS: ClassVar[dict[str, SecretNameField]] = {}

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

    def references(self) -> dict[str, SecretReference]:
        """The fields holding a ``{{SECRET.KEY}}`` reference, by field name."""
        found = {}
        for name in type(self).model_fields:
            reference = parse_reference(getattr(self, name, None))
            if reference is not None:
                found[name] = reference
        return found

    def _dump(self, **kwargs: Any) -> dict[str, Any]:
        # a reference may sit in a field of another type (an int): never serialised as one
        references = self.references()
        data = self.model_dump(mode="json", exclude=set(references), **kwargs)
        for name, reference in references.items():
            if not kwargs.get("exclude_unset") or name in self.model_fields_set:
                data[name] = str(reference)
        return {name: data[name] for name in type(self).model_fields if name in data}

    def to_storable(self) -> dict[str, Any]:
        """The explicitly set fields as JSON-safe data, secrets in clear (references as
        written)."""
        data = self._dump(exclude_unset=True)
        references = self.references()
        for name in self.secret_field_names():
            value = getattr(self, name)
            if name in data and name not in references and isinstance(value, SecretStr):
                data[name] = value.get_secret_value()
        return data

    def to_display(self) -> dict[str, Any]:
        """Every field (defaults included) as JSON-safe data, secrets masked (a reference
        is shown: it is not a value)."""
        data = self._dump()
        references = self.references()
        for name in self.secret_field_names():
            if data.get(name) is not None and name not in references:
                data[name] = MASK
        return data

    def clear_secret_fields(self) -> list[str]:
        """The secret fields holding a value typed in clear (not a reference)."""
        references = self.references()
        return [name for name in self.secret_field_names()
                if getattr(self, name) is not None and name not in references]
