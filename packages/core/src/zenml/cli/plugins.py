"""``zenml plugins``: the plugins found, their versions and status."""

from __future__ import annotations

import click

from zenml.cli.output import print_table

__all__ = ["plugins"]


@click.command(help="List the loaded plugins (integrations and third-party flavors).")
def plugins() -> None:
    from zenml.plugins.manager import get_flavor_registry, plugin_records

    get_flavor_registry()  # runs the flavor hooks, so a failing one is reported
    rows = [(r.name, r.distribution, r.version, r.status if not r.error
             else f"{r.status}: {r.error}", ", ".join(r.hooks))
            for r in plugin_records()]
    print_table(["NAME", "DISTRIBUTION", "VERSION", "STATUS", "HOOKS"], rows)
