"""The zenml plugin of zenml-wandb (entry point ``wandb``): the ``wandb`` experiment tracker flavor.

Imported whenever zenml loads plugins, so it imports nothing but zenml.plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl

if TYPE_CHECKING:
    from zenml.plugins.info import IntegrationInfo
    from zenml.stack.flavor import Flavor

__all__ = ["zenml_flavors", "zenml_integration"]


@hookimpl
def zenml_integration() -> IntegrationInfo:
    """Describe this integration: what its installed distribution's metadata says."""
    from zenml.integrations.metadata import integration_info

    return integration_info("zenml-wandb")


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """Return the ``wandb`` experiment tracker flavor."""
    from zenml_wandb.flavors import WANDB_EXPERIMENT_TRACKER

    return [WANDB_EXPERIMENT_TRACKER]
