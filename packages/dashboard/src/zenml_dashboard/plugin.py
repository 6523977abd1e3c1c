"""The zenml plugin of zenml-dashboard (entry point ``dashboard``): ``zenml dashboard``.

Imported whenever zenml loads plugins, so it imports nothing but zenml.plugins;
the command module (click only) is imported inside the hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl

if TYPE_CHECKING:
    import click

__all__ = ["zenml_cli_commands"]


@hookimpl
def zenml_cli_commands(cli: click.Group) -> None:
    """Add ``zenml dashboard``."""
    from zenml_dashboard.cli import dashboard

    cli.add_command(dashboard)
