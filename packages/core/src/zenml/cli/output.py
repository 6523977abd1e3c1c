"""Printing for the CLI: plain lines, warnings and rich tables."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

__all__ = ["active_mark", "declare", "print_table", "warning"]


def active_mark() -> str:
    """👉 where stdout can encode it, ``*`` otherwise (e.g. a latin-1 console)."""
    try:
        "👉".encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "*"
    return "👉"


def declare(message: str) -> None:
    """One line on stdout."""
    click.echo(message)


def warning(message: str) -> None:
    """One yellow line on stderr."""
    click.secho(f"Warning: {message}", fg="yellow", err=True)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        import json  # not at start-up: plugins import this module to add their commands

        return json.dumps(value)
    return str(value)


def print_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None,
                caption: str | None = None) -> None:
    """A rich table on stdout (wide enough not to cut cells when piped)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    piped = not sys.stdout.isatty()
    width = int(os.environ.get("COLUMNS", "200")) if piped else None
    table = Table(title=Text(title) if title else None,
                  caption=Text(caption) if caption else None, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(_cell(cell)) for cell in row))  # values are not markup
    console = Console(width=width, soft_wrap=False)
    if piped:  # as wide as the cells need: piped output keeps each value on one line
        needed = console.measure(table, options=console.options.update_width(10**6)).maximum
        if width is not None and needed > width:
            console = Console(width=needed, soft_wrap=False)
    console.print(table)
