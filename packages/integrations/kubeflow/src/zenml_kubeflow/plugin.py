"""The zenml plugin of zenml-kubeflow (entry point ``kubeflow``); see the _template for its shape.

Imported whenever zenml loads plugins, so it imports nothing but zenml.plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl
from zenml.plugins.info import IntegrationInfo
from zenml_kubeflow.__about__ import __version__

if TYPE_CHECKING:
    from zenml.stack.flavor import Flavor

__all__ = ["DESCRIPTION", "NAME", "REQUIREMENTS", "zenml_flavors", "zenml_integration"]

NAME = "kubeflow"
DESCRIPTION = "Kubeflow Pipelines orchestrator"
#: The third-party libraries the implementation needs; they become dependencies
#: of this distribution together with the implementation.
REQUIREMENTS: list[str] = ["kfp>=2.7,<3"]


@hookimpl
def zenml_integration() -> IntegrationInfo:
    """Describe this integration: name, installed version and requirements."""
    return IntegrationInfo(
        name=NAME, version=__version__, requirements=list(REQUIREMENTS), description=DESCRIPTION
    )


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """Return this integration's flavors (none yet)."""
    # The flavors land with this integration's own issue, imported lazily here:
    #     from zenml_kubeflow.flavors import ...
    return []
