"""The zenml plugin of zenml-dashboard (entry point ``dashboard``): ``zenml dashboard``.

Imported whenever zenml loads plugins, so it imports nothing but zenml.plugins;
the command module (click only) is imported inside the hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl

if TYPE_CHECKING:
    import click

    from zenml.plugins.info import IntegrationInfo

__all__ = ["zenml_cli_commands", "zenml_integration"]


@hookimpl
def zenml_integration() -> IntegrationInfo:
    """Describe this package (``zenml integration list``): its distribution's metadata."""
    from zenml.integrations.metadata import integration_info

    return integration_info("zenml-dashboard")


@hookimpl
def zenml_cli_commands(cli: click.Group) -> None:
    """Add ``zenml dashboard``."""
    from zenml_dashboard.cli import dashboard

    cli.add_command(dashboard)
