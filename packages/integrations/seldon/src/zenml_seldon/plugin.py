"""The zenml plugin of zenml-seldon (entry point ``seldon``).

Imported whenever zenml loads plugins, so it imports nothing but click and
zenml.plugins: the flavor, the CLI group and the implementation are
imported inside the hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl
from zenml.plugins.info import IntegrationInfo
from zenml_seldon.__about__ import __version__

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

NAME = "seldon"
DESCRIPTION = "Seldon Core model deployer (MLServer for local serving)"
#: The third-party libraries the implementation needs (also this distribution's
#: dependencies and the catalog entry's requirements). uvloop 0.22+ crashes
#: MLServer 1.7's worker processes, hence the pin.
REQUIREMENTS: list[str] = [
    "kubernetes>=28",
    "mlserver>=1.6",
    "mlserver-sklearn>=1.6",
    "uvloop<0.22; sys_platform != 'win32'",
    "jsonschema>=4",
]


@hookimpl
def zenml_integration() -> IntegrationInfo:
    """Describe this integration: name, installed version and requirements."""
    return IntegrationInfo(
        name=NAME, version=__version__, requirements=list(REQUIREMENTS), description=DESCRIPTION
    )


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
