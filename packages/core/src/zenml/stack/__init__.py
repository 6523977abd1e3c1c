"""Stacks, stack components and flavors.

``from zenml.stack import Flavor, Stack, StackComponent, StackComponentType``.
Names are resolved on first use, so importing this package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml._lazy import lazy_exports

if TYPE_CHECKING:
    from zenml.stack.component import StackComponent
    from zenml.stack.component_type import StackComponentType
    from zenml.stack.config import ComponentSpec, StackComponentConfig
    from zenml.stack.flavor import Flavor
    from zenml.stack.flavor_registry import FlavorRegistry
    from zenml.stack.stack import Stack

__all__ = [
    "ComponentSpec",
    "Flavor",
    "FlavorRegistry",
    "Stack",
    "StackComponent",
    "StackComponentConfig",
    "StackComponentType",
]

_LAZY = {
    "ComponentSpec": "zenml.stack.config",
    "Flavor": "zenml.stack.flavor",
    "FlavorRegistry": "zenml.stack.flavor_registry",
    "Stack": "zenml.stack.stack",
    "StackComponent": "zenml.stack.component",
    "StackComponentConfig": "zenml.stack.config",
    "StackComponentType": "zenml.stack.component_type",
}


__getattr__ = lazy_exports(__name__, _LAZY)
