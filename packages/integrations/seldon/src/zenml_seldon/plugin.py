"""The zenml plugin of zenml-seldon (entry point ``seldon``).

Imported whenever zenml loads plugins, so it imports nothing but click and
zenml.plugins: the flavor, the CLI group and the implementation are
imported inside the hooks.
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

    return integration_info("zenml-seldon")


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """The ``seldon`` model deployer flavor."""
    from zenml_seldon.flavors import seldon_model_deployer_flavor

    return [seldon_model_deployer_flavor()]


@hookimpl
def zenml_cli_commands(cli: click.Group) -> None:
    """Add ``zenml served-models``."""
    from zenml_seldon.cli import served_models

    cli.add_command(served_models)
