"""What the stack store holds: registered components and stacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from zenml.stack.component_type import MANDATORY_COMPONENT_TYPES, StackComponentType

__all__ = ["MASK", "ComponentModel", "ComponentState", "StackModel"]

MASK = "********"


@dataclass
class ComponentModel:
    """A registered component: its name, type, flavor and stored config.

    ``config`` holds the fields the user set, secrets in clear;
    ``secret_fields`` names those that must be masked when printed, so that a
    component stays masked even when its flavor is not installed.
    """

    id: str
    name: str
    type: StackComponentType
    flavor: str
    config: dict[str, Any]
    secret_fields: list[str] = field(default_factory=list)
    created: datetime | None = None
    updated: datetime | None = None

    def masked_config(self) -> dict[str, Any]:
        """The stored config with secret values replaced by a mask (a ``{{SECRET.KEY}}``
        reference is shown: it is not a value)."""
        from zenml.secrets_managers.references import parse_reference

        return {k: (MASK if k in self.secret_fields and v is not None
                    and parse_reference(v) is None else v)
                for k, v in self.config.items()}


@dataclass
class ComponentState:
    """The last known provisioning state of a component."""

    provisioned: bool
    running: bool
    updated: datetime | None = None

    @property
    def label(self) -> str:
        """``running``, ``suspended`` or ``not provisioned``."""
        if not self.provisioned:
            return "not provisioned"
        return "running" if self.running else "suspended"


@dataclass
class StackModel:
    """A registered stack: a name and one component per type."""

    id: str
    name: str
    components: dict[StackComponentType, ComponentModel]
    created: datetime | None = None
    updated: datetime | None = None

    def missing_mandatory(self) -> list[StackComponentType]:
        """The mandatory component types this stack lacks."""
        return [t for t in MANDATORY_COMPONENT_TYPES if t not in self.components]
