"""Metadata store configurations: the base and the built-in ``sqlite`` flavor."""

from __future__ import annotations

import os

from pydantic import Field, field_validator

from zenml.stack.config import StackComponentConfig

__all__ = ["BaseMetadataStoreConfig", "SQLiteMetadataStoreConfig"]


class BaseMetadataStoreConfig(StackComponentConfig):
    """Base configuration of every metadata store."""


class SQLiteMetadataStoreConfig(BaseMetadataStoreConfig):
    """Tracks pipeline runs, steps and artifacts in a SQLite file on this machine."""

    uri: str = Field(description="Path of the SQLite database file.")

    @field_validator("uri")
    @classmethod
    def _absolute_file_path(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the database file path must not be empty")
        if value.startswith("sqlite:///"):
            value = value[len("sqlite:///"):]
        if "://" in value:
            msg = f"'{value}' is a URI; the sqlite metadata store needs a file path"
            raise ValueError(msg)
        return os.path.abspath(os.path.expanduser(value))

    @property
    def is_local(self) -> bool:
        """A file on this machine."""
        return True
