"""Flavors: one tool's way of being a stack component."""

from __future__ import annotations

import builtins
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from zenml.stack.component_type import StackComponentType

if TYPE_CHECKING:
    from zenml.stack.component import StackComponent
    from zenml.stack.config import StackComponentConfig

__all__ = ["Flavor"]


@dataclass(frozen=True, init=False)
class Flavor:
    """A named flavor of a component type.

    ``config_class`` is a light pydantic model (importing it must not import
    the tool it configures); ``implementation`` is an import path
    ``"package.module:Class"`` that is imported only when a component of this
    flavor is actually used (running a pipeline, ``stack up``).
    """

    name: str
    type: StackComponentType
    config_class: builtins.type[StackComponentConfig]
    implementation: str
    integration: str | None
    description: str

    def __init__(
        self,
        *,
        name: str,
        type: StackComponentType | str,
        config_class: builtins.type[StackComponentConfig],
        implementation: str,
        integration: str | None = None,
        description: str = "",
    ) -> None:
        if ":" not in implementation:
            raise ValueError(
                f"Flavor '{name}': implementation must look like "
                f"'package.module:Class', got '{implementation}'"
            )
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "type", StackComponentType.parse(type))
        object.__setattr__(self, "config_class", config_class)
        object.__setattr__(self, "implementation", implementation)
        object.__setattr__(self, "integration", integration)
        doc = description or (config_class.__doc__ or "").strip().split("\n")[0]
        object.__setattr__(self, "description", doc)

    def load_implementation(self) -> builtins.type[StackComponent]:
        """Import and return the implementation class."""
        module_name, _, attr = self.implementation.partition(":")
        module = importlib.import_module(module_name)
        cls: builtins.type[StackComponent] = getattr(module, attr)
        return cls
