"""The zenml plugin of zenml-kubeflow (entry point ``kubeflow``).

Imported whenever zenml loads plugins, so it imports nothing but click and
zenml.plugins: the flavor, its config and the ``zenml kubeflow`` commands are
imported inside the hooks, and kfp only when a pipeline is compiled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl
from zenml.plugins.info import IntegrationInfo
from zenml_kubeflow.__about__ import __version__

if TYPE_CHECKING:
    import click

    from zenml.stack.flavor import Flavor

__all__ = [
    "DESCRIPTION",
    "NAME",
    "REQUIREMENTS",
    "zenml_cli_commands",
    "zenml_flavors",
    "zenml_integration",
]

NAME = "kubeflow"
DESCRIPTION = "Kubeflow Pipelines orchestrator"
#: The third-party libraries the implementation needs (also the distribution's
#: dependencies and the core catalog's entry).
REQUIREMENTS: list[str] = ["kfp>=2.15,<3", "kubernetes>=28"]


@hookimpl
def zenml_integration() -> IntegrationInfo:
    """Describe this integration: name, installed version and requirements."""
    return IntegrationInfo(
        name=NAME, version=__version__, requirements=list(REQUIREMENTS), description=DESCRIPTION
    )


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """The ``kubeflow`` orchestrator."""
    from zenml_kubeflow.flavors import KUBEFLOW_ORCHESTRATOR

    return [KUBEFLOW_ORCHESTRATOR]


@hookimpl
def zenml_cli_commands(cli: click.Group) -> None:
    """Add ``zenml kubeflow`` (its commands import their dependencies when run)."""
    from zenml_kubeflow.cli import kubeflow

    cli.add_command(kubeflow)
