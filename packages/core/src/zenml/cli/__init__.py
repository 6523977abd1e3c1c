"""The ``zenml`` command line.

Built-in commands are imported only when invoked (``zenml --help`` stays
fast); plugins add theirs through the ``zenml_cli_commands`` hook.
"""

from __future__ import annotations

import click

from zenml.cli.base import ZenMLGroup, before_exit, configure_logging

__all__ = ["cli", "entry"]


@click.group(cls=ZenMLGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show debug logs and full tracebacks.")
@click.version_option(package_name="zenml-core", prog_name="zenml")
def cli(verbose: bool) -> None:
    """zenml: register an MLOps stack once, run the same pipelines on any stack.

    A stack is an orchestrator, an artifact store and a metadata store (plus
    optional components). Start with 'zenml stack list'.
    """
    if verbose:
        import os

        os.environ["ZENML_VERBOSE"] = "1"
        configure_logging(verbose=True)


def entry() -> None:
    """The ``zenml`` executable (``[project.scripts]``): the CLI, then the process ends
    (:func:`zenml.cli.base.before_exit`)."""
    try:
        cli.main(prog_name="zenml")
    finally:
        before_exit()
