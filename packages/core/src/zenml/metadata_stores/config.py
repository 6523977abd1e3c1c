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
            if not value.strip():
                raise ValueError("'sqlite:///' names no file; give the database file's "
                                 "path, e.g. --uri ~/zenml/metadata.db")
        if "://" in value:
            msg = f"'{value}' is a URI; the sqlite metadata store needs a file path"
            raise ValueError(msg)
        path = os.path.abspath(os.path.expanduser(value))
        if value.endswith(("/", os.sep)) or os.path.isdir(path):
            raise ValueError(f"{value} names a folder; give the path of the database file "
                             f"in it, e.g. {os.path.join(path, 'metadata.db')}")
        return path

    @property
    def is_local(self) -> bool:
        """A file on this machine."""
        return True
