"""The hook implementations zenml finds through the ``zenml`` entry point.

This module is imported whenever zenml loads its plugins (every ``zenml
--help`` does), so it imports nothing but click and zenml's hook marker;
everything else is imported inside the hooks and command callbacks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from zenml.plugins import hookimpl

if TYPE_CHECKING:
    from zenml.stack.flavor import Flavor


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """The ``file`` alerter flavor."""
    from zenml_example_flavor.flavors import FILE_ALERTER_FLAVOR

    return [FILE_ALERTER_FLAVOR]


@click.group("alert", help="Send messages through the active stack's alerter.")
def alert() -> None:
    pass


@alert.command("post", help="Post MESSAGE through the active stack's alerter.")
@click.argument("message")
def post(message: str) -> None:
    from zenml.repository import Repository

    stack = Repository().active_stack
    alerter = stack.alerter
    if alerter is None:
        raise click.ClickException(
            f"The active stack '{stack.name}' has no alerter; add one with "
            f"'zenml stack update -al NAME' (see 'zenml alerter list')")
    if not callable(getattr(alerter, "post", None)):
        raise click.ClickException(
            f"Alerter '{alerter.name}' (flavor '{alerter.flavor}') cannot post messages; "
            f"use a 'file' alerter: 'zenml stack update -al NAME'")
    alerter.post(message)
    click.echo(f"Posted through alerter '{alerter.name}'.")


@hookimpl
def zenml_cli_commands(cli: click.Group) -> None:
    """Add ``zenml alert``."""
    cli.add_command(alert)
