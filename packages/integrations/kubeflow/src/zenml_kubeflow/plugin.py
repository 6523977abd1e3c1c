"""The zenml plugin of zenml-kubeflow (entry point ``kubeflow``).

Imported whenever zenml loads plugins, so it imports nothing but click and
zenml.plugins: the flavor, its config and the ``zenml kubeflow`` commands are
imported inside the hooks, and kfp only when a pipeline is compiled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl

if TYPE_CHECKING:
    import click

    from zenml.plugins.info import IntegrationInfo
    from zenml.stack.flavor import Flavor

__all__ = [
    "zenml_cli_commands",
    "zenml_flavors",
    "zenml_integration",
]


@hookimpl
def zenml_integration() -> IntegrationInfo:
    """Describe this integration: what its installed distribution's metadata says."""
    from zenml.integrations.metadata import integration_info

    return integration_info("zenml-kubeflow")


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """The ``kubeflow`` orchestrator and the ``kubernetes`` secrets manager."""
    from zenml_kubeflow.flavors import KUBEFLOW_ORCHESTRATOR, KUBERNETES_SECRETS_MANAGER

    return [KUBEFLOW_ORCHESTRATOR, KUBERNETES_SECRETS_MANAGER]


@hookimpl
def zenml_cli_commands(cli: click.Group) -> None:
    """Add ``zenml kubeflow`` (its commands import their dependencies when run)."""
    from zenml_kubeflow.cli import kubeflow

    cli.add_command(kubeflow)
