"""``zenml init`` and ``zenml version``."""

from __future__ import annotations

from pathlib import Path

import click

from zenml.cli.output import declare

__all__ = ["init", "version"]


@click.command(help="Make a folder a zenml repository (.zen/) with its own active stack.")
@click.option("--path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder (default: the current one).")
def init(path: Path | None) -> None:
    from zenml.repository import Repository

    repo = Repository.initialize(path)
    declare(f"ZenML repository initialized at {repo.root}.")
    declare(f"The repository's active stack is '{repo.active_stack_name}'; change it "
            f"with 'zenml stack set NAME' inside the repository.")


@click.command(help="Print the version of zenml-core.")
def version() -> None:
    from zenml.__about__ import __version__

    declare(f"zenml-core {__version__}")
