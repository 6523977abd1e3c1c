"""The root group: lazy built-in commands, plugin commands, one-line errors."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from zenml.errors import FlavorNotInstalled, ZenMLError
from zenml.utils.imports import import_object

if TYPE_CHECKING:
    import logging

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
#: Each built-in command's help as ``zenml --help`` lists it, so that listing the
#: commands imports none of them: the first paragraph of its help, shortened to fit
#: as click does, or (``True``) its ``short_help``, shown whole. tests/test_cli_help.py
#: keeps these equal to the commands' own.
BUILTIN_SHORT_HELP: dict[str, tuple[str, bool]] = {
    "init": ("Make a folder a zenml repository (.zen/) with its own active stack.", False),
    "integration": ("Install and uninstall integrations (zenml-<name> packages).", True),
    "pipeline": ("Run pipelines; list pipelines and their runs (as recorded in the metadata "
                 "store).", False),
    "plugins": ("List the loaded plugins (integrations and third-party flavors).", False),
    "secret": ("Register and manage the secrets of the active stack's secrets manager.",
               False),
    "stack": ("Register, inspect, activate and provision stacks.", False),
    "version": ("Print the version of zenml-core.", False),
}
COMPONENT_GROUPS = (
    "orchestrator", "artifact-store", "metadata-store", "container-registry",
    "step-operator", "secrets-manager", "feature-store", "model-deployer",
    "experiment-tracker", "alerter",
)


_handler_class: type[logging.Handler] | None = None


def _stderr_handler_class() -> type[logging.Handler]:
    """A handler writing to whatever ``sys.stderr`` is at the time (test runners swap it);
    defined on first use, so that ``zenml --help`` does not import logging."""
    global _handler_class
    if _handler_class is None:
        import logging

        class CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
            @property  # type: ignore[override]
            def stream(self) -> Any:
                return sys.stderr

            @stream.setter
            def stream(self, _value: Any) -> None:
                pass

        _handler_class = CurrentStderrHandler
    return _handler_class


def before_exit() -> None:
    """The ``zenml`` executable's last step (:func:`zenml.cli.entry`), as the process ends.

    Every store's connections are closed (SQLite folds its write-ahead log back into
    each file; a server sees a proper goodbye). Then, unless a step ran in this process
    (``zenml pipeline run``: user code, whose objects may have finalizers), the garbage
    collector is frozen, so the interpreter's shutdown does not walk every object
    SQLAlchemy, pydantic and rich made only to free memory the OS frees at once
    (~50 ms of each command here). atexit handlers and buffered output run as always.
    Never called by ``cli.main()`` itself: a test runner or a notebook goes on living.
    """
    import contextlib
    import gc

    database = sys.modules.get("zenml.sql.database")
    if database is not None:
        with contextlib.suppress(Exception):  # at exit: a server already gone changes nothing
            database.dispose_all()
    if "zenml.execution.launcher" not in sys.modules:
        gc.freeze()


def _verbose() -> bool:
    return os.environ.get("ZENML_VERBOSE", "") not in ("", "0")


def configure_logging(verbose: bool) -> None:
    """Send zenml's log records to stderr, one plain line each."""
    import logging

    from zenml.logger import PlainFormatter

    handler_class = _stderr_handler_class()
    logger = logging.getLogger("zenml")
    if not any(isinstance(h, handler_class) for h in logger.handlers):
        handler = handler_class()
        handler.setFormatter(PlainFormatter())
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING)


def _configure_logging_now() -> None:
    configure_logging(verbose=_verbose())


def _cli_message(error: ZenMLError) -> str:
    """The error's line; a missing flavor also names the integration that provides it."""
    if isinstance(error, FlavorNotInstalled):
        from zenml.integrations.catalog import provider_of
        from zenml.stack.component_type import StackComponentType

        provider = provider_of(StackComponentType.parse(error.type), error.name)
        if provider is not None:
            return error.with_fix(f"install it with 'zenml integration install {provider.name}'")
    return str(error)


def component_group_help(cli_name: str) -> str:
    """The help of ``zenml <component-type>`` (the group make_component_group builds)."""
    from zenml.stack.component_type import StackComponentType

    return f"Register and manage {StackComponentType.parse(cli_name).plural}."


def _terminal_columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` tells it (``COLUMNS``, then
    the terminal of stdout, else 80), without importing shutil (and its compressors)."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class _Context(click.Context):
    """The root context: its help is as wide as click makes it, found without shutil."""

    def make_formatter(self) -> click.HelpFormatter:
        from click import formatting

        if self.terminal_width is not None or formatting.FORCED_WIDTH is not None:
            return super().make_formatter()  # a width given (tests force one): click's way
        max_width = self.max_content_width if self.max_content_width is not None else 80
        width = max(min(_terminal_columns(), max_width) - 2, 50)
        return self.formatter_class(width=width, max_width=self.max_content_width)


class ZenMLGroup(click.Group):
    """A group whose built-in commands load lazily and plugins add the rest."""

    context_class = _Context

    _plugins_added = False

    def _add_plugin_commands(self) -> None:
        if self._plugins_added:
            return
        self._plugins_added = True
        from zenml.plugins.manager import call_each, set_log_setup

        # logging is imported (and set up) only if a plugin has something to report
        set_log_setup(_configure_logging_now)

        for _name, _result in call_each("zenml_cli_commands", cli=self):
            pass

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands()
        names = set(BUILTIN_COMMANDS) | set(COMPONENT_GROUPS) | set(self.commands)
        return sorted(names)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their short help, built-in ones without importing them."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is None and name in BUILTIN_SHORT_HELP:
                text, whole = BUILTIN_SHORT_HELP[name]  # shortened by click, as its own
                command = (click.Command(name, short_help=text) if whole
                           else click.Command(name, help=text))
            elif command is None and name in COMPONENT_GROUPS:
                command = click.Command(name, help=component_group_help(name))
            else:
                command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

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
        """Run the CLI; every user error ends as one line on stderr and exit code 1.

        Logging is set up when a command runs (:meth:`invoke`), not here: help
        and usage errors do without importing it.
        """
        if _verbose():
            configure_logging(verbose=True)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        sys.exit(self._run_standalone(args, prog_name, complete_var, **extra))

    def _run_standalone(self, args: Any, prog_name: str | None, complete_var: str | None,
                        **extra: Any) -> int:
        """The command's exit code (errors shown as one line)."""
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            click.echo(error.ctx.get_help() if error.ctx else error.format_message())
            return 0
        except click.UsageError as error:
            hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
            click.echo(f"Error: {error.format_message()}{hint}", err=True)
            return 1
        except click.ClickException as error:
            error.show()
            return error.exit_code
        except (click.Abort, EOFError, KeyboardInterrupt):
            click.echo("Error: aborted", err=True)
            return 1
        return result if isinstance(result, int) else 0

    def invoke(self, ctx: click.Context) -> Any:
        configure_logging(verbose=_verbose())
        try:
            return super().invoke(ctx)
        except ZenMLError as error:
            if _verbose():
                raise
            raise click.ClickException(_cli_message(error)) from None
        except PermissionError as error:
            # a file or folder this user may not use, met where no store named it first
            if _verbose():
                raise
            where = error.filename or "a file zenml needs"
            raise click.ClickException(
                f"Permission denied: {where}; give your user access to it (or set "
                f"ZENML_CONFIG_PATH to a folder of your own) and run the command again"
            ) from None
