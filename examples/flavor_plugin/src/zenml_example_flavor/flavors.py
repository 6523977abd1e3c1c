"""The ``file`` alerter flavor: its configuration (pydantic and zenml only).

This module is imported to list flavors, to validate ``zenml alerter
register`` arguments and to print ``--help``; it must stay light, so the
implementation lives in :mod:`zenml_example_flavor.alerter`.
"""

from __future__ import annotations

import os

from pydantic import Field, field_validator

from zenml.alerters.config import BaseAlerterConfig
from zenml.stack.component_type import StackComponentType
from zenml.stack.flavor import Flavor

__all__ = ["FILE_ALERTER_FLAVOR", "FileAlerterConfig"]


class FileAlerterConfig(BaseAlerterConfig):
    """Appends every message to a text file on this machine."""

    path: str = Field(description="File that messages are appended to (created if missing).")
    prefix: str = Field(default="[zenml]",
                        description="Text written before every message.")

    @field_validator("path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        # Stored absolute, so the alerter writes to the same file whatever
        # folder `zenml` is later run from.
        return os.path.abspath(os.path.expanduser(value))

    @property
    def is_local(self) -> bool:
        """The file is on this machine."""
        return True


FILE_ALERTER_FLAVOR = Flavor(
    name="file",
    type=StackComponentType.ALERTER,
    config_class=FileAlerterConfig,
    implementation="zenml_example_flavor.alerter:FileAlerter",
)
