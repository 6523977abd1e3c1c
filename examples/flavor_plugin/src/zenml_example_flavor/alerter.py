"""The ``file`` alerter's implementation, imported only when it is used.

A real plugin would import its tool's SDK (a chat client, ...) at the top of
this module: zenml never imports it to list or register components.
"""

from __future__ import annotations

from pathlib import Path

from zenml.alerters.base import BaseAlerter
from zenml_example_flavor.flavors import FileAlerterConfig

__all__ = ["FileAlerter"]


class FileAlerter(BaseAlerter):
    """Posts messages by appending them, one line each, to a file."""

    config: FileAlerterConfig

    @property
    def path(self) -> Path:
        """The file messages are appended to."""
        return Path(self.config.path)

    def post(self, message: str) -> None:
        """Append ``"<prefix> <message>"`` and a newline to the file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(f"{self.config.prefix} {message}\n")
