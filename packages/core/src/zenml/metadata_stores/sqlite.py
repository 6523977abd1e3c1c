"""The ``sqlite`` metadata store: a SQLite file on this machine."""

from __future__ import annotations

import os

from zenml.metadata_stores.base import BaseMetadataStore
from zenml.metadata_stores.config import SQLiteMetadataStoreConfig

__all__ = ["SQLiteMetadataStore"]


class SQLiteMetadataStore(BaseMetadataStore):
    """Keeps the metadata in one SQLite file."""

    config: SQLiteMetadataStoreConfig

    @property
    def database_url(self) -> str:
        """``sqlite:///<uri>``."""
        return f"sqlite:///{self.config.uri}"

    def provision(self) -> None:
        """Create the folder of the database file."""
        os.makedirs(os.path.dirname(self.config.uri), exist_ok=True)
