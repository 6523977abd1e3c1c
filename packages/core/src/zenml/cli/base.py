"""The root group: lazy built-in commands, plugin commands, one-line errors."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import click

from zenml.errors import FlavorNotInstalled, ZenMLError
from zenml.logger import PlainFormatter
from zenml.utils.imports import import_object

__all__ = ["ZenMLGroup"]

# Built-in commands as "module:attribute", imported only when used.
BUILTIN_COMMANDS: dict[str, str] = {
    "init": "zenml.cli.init:init",
    "integration": "zenml.cli.integration:integration",
    "pipeline": "zenml.cli.pipeline:pipeline",
    "plugins": "zenml.cli.plugins:plugins",
    "secret": "zenml.cli.secret:secret",
    "stack": "zenml.cli.stack:stack",
    "version": "zenml.cli.init:version",
}
COMPONENT_GROUPS = (
    "orchestrator", "artifact-store", "metadata-store", "container-registry",
    "step-operator", "secrets-manager", "feature-store", "model-deployer",
    "experiment-tracker", "alerter",
)


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(verbose: bool) -> None:
    """Send zenml's log records to stderr, one plain line each."""
    logger = logging.getLogger("zenml")
    if not any(isinstance(h, _CurrentStderrHandler) for h in logger.handlers):
        handler = _CurrentStderrHandler()
        handler.setFormatter(PlainFormatter())
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING)


def _cli_message(error: ZenMLError) -> str:
    """The error's line; a missing flavor also names the integration that provides it."""
    if isinstance(error, FlavorNotInstalled):
        from zenml.integrations.catalog import provider_of
        from zenml.stack.component_type import StackComponentType

        provider = provider_of(StackComponentType.parse(error.type), error.name)
        if provider is not None:
            return error.with_fix(f"install it with 'zenml integration install {provider.name}'")
    return str(error)


class ZenMLGroup(click.Group):
    """A group whose built-in commands load lazily and plugins add the rest."""

    _plugins_added = False

    def _add_plugin_commands(self) -> None:
        if self._plugins_added:
            return
        self._plugins_added = True
        from zenml.plugins.manager import call_each

        for _name, _result in call_each("zenml_cli_commands", cli=self):
            pass

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands()
        names = set(BUILTIN_COMMANDS) | set(COMPONENT_GROUPS) | set(self.commands)
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is not None:
            return command
        target = BUILTIN_COMMANDS.get(cmd_name)
        if target is not None:
            command = import_object(target)
        elif cmd_name in COMPONENT_GROUPS:
            from zenml.cli.component import make_component_group
            from zenml.stack.component_type import StackComponentType

            command = make_component_group(StackComponentType.parse(cmd_name))
        else:
            self._add_plugin_commands()
            return self.commands.get(cmd_name)
        assert command is not None
        self.commands[cmd_name] = command
        return command

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Run the CLI; every user error ends as one line on stderr and exit code 1."""
        configure_logging(verbose=os.environ.get("ZENML_VERBOSE", "") not in ("", "0"))
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            click.echo(error.ctx.get_help() if error.ctx else error.format_message())
            sys.exit(0)
        except click.UsageError as error:
            hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
            click.echo(f"Error: {error.format_message()}{hint}", err=True)
            sys.exit(1)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except (click.Abort, EOFError, KeyboardInterrupt):
            click.echo("Error: aborted", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ZenMLError as error:
            if os.environ.get("ZENML_VERBOSE", "") not in ("", "0"):
                raise
            raise click.ClickException(_cli_message(error)) from None
        except PermissionError as error:
            # a file or folder this user may not use, met where no store named it first
            if os.environ.get("ZENML_VERBOSE", "") not in ("", "0"):
                raise
            where = error.filename or "a file zenml needs"
            raise click.ClickException(
                f"Permission denied: {where}; give your user access to it (or set "
                f"ZENML_CONFIG_PATH to a folder of your own) and run the command again"
            ) from None
