"""The zenml plugin of zenml-wandb (entry point ``wandb``): the ``wandb`` experiment tracker flavor.

Imported whenever zenml loads plugins, so it imports nothing but zenml.plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl
from zenml.plugins.info import IntegrationInfo
from zenml_wandb.__about__ import __version__

if TYPE_CHECKING:
    from zenml.stack.flavor import Flavor

__all__ = ["DESCRIPTION", "NAME", "REQUIREMENTS", "zenml_flavors", "zenml_integration"]

NAME = "wandb"
DESCRIPTION = "Weights & Biases experiment tracker"
#: The third-party libraries the implementation needs (also the distribution's
#: dependencies and the core catalog's entry). 0.19.10 brought ``reinit="finish_previous"``.
REQUIREMENTS: list[str] = ["wandb>=0.19.10,<1"]


@hookimpl
def zenml_integration() -> IntegrationInfo:
    """Describe this integration: name, installed version and requirements."""
    return IntegrationInfo(
        name=NAME, version=__version__, requirements=list(REQUIREMENTS), description=DESCRIPTION
    )


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """Return the ``wandb`` experiment tracker flavor."""
    from zenml_wandb.flavors import WANDB_EXPERIMENT_TRACKER

    return [WANDB_EXPERIMENT_TRACKER]
