"""The ``sqlite`` metadata store: a SQLite file on this machine."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from zenml.errors import MetadataStoreError
from zenml.metadata_stores.base import BaseMetadataStore
from zenml.metadata_stores.config import SQLiteMetadataStoreConfig

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["SQLiteMetadataStore"]


class SQLiteMetadataStore(BaseMetadataStore):
    """Keeps the metadata in one SQLite file.

    The file is in WAL mode, so readers never wait for a run that is
    writing; writes take the lock up front (``BEGIN IMMEDIATE``) and wait up
    to 60 s for it, so concurrent runs from many processes all land.
    """

    config: SQLiteMetadataStoreConfig

    @property
    def database_url(self) -> str:
        """``sqlite:///<uri>``."""
        return f"sqlite:///{self.config.uri}"

    @property
    def location(self) -> str:
        """The database file."""
        return self.config.uri

    def engine_options(self) -> dict[str, Any]:
        """Connections may move between the threads of a parallel run."""
        return {"connect_args": {"check_same_thread": False, "timeout": 60}}

    def configure_engine(self, engine: sa.Engine) -> None:
        """WAL journal, 60 s busy timeout, ``BEGIN IMMEDIATE`` for writes."""
        from zenml.config.sqlite_engine import configure_sqlite_engine

        folder = os.path.dirname(self.config.uri)
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as error:
            raise MetadataStoreError(
                f"Metadata store '{self.name}' cannot create the folder {folder}: "
                f"{error.strerror}; register it with a writable --uri") from None
        if os.path.isdir(self.config.uri):
            raise MetadataStoreError(
                f"Metadata store '{self.name}': {self.config.uri} is a folder, not a "
                f"database file; register it with a file path as --uri")

        configure_sqlite_engine(engine, ["busy_timeout = 60000", "journal_mode = WAL",
                                         "synchronous = NORMAL", "foreign_keys = ON"])

    def provision(self) -> None:
        """Create the database file and its tables."""
        super().provision()
