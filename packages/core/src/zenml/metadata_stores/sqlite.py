"""The ``sqlite`` metadata store: a SQLite file on this machine."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from zenml.errors import MetadataStoreError
from zenml.metadata_stores.base import BaseMetadataStore
from zenml.metadata_stores.config import SQLiteMetadataStoreConfig

if TYPE_CHECKING:
    import sqlalchemy as sa

    from zenml.sql.database import Database

__all__ = ["SQLiteMetadataStore"]

_PRAGMAS = ("busy_timeout = 60000", "journal_mode = WAL", "synchronous = NORMAL",
            "foreign_keys = ON")


class SQLiteMetadataStore(BaseMetadataStore):
    """Keeps the metadata in one SQLite file.

    The file is in WAL mode, so readers never wait for a run that is
    writing; writes take the lock up front (``BEGIN IMMEDIATE``) and wait up
    to 60 s for it, so concurrent runs from many processes all land. The
    file is created whole and private (0600, new folders 0700); an existing
    file that is not a zenml database is refused untouched, and one this
    user cannot write is opened read-only.
    """

    config: SQLiteMetadataStoreConfig
    INITIALIZES_EMPTY_DATABASE: ClassVar[bool] = False

    _read_only: bool = False

    @property
    def database_url(self) -> str:
        """``sqlite:///<uri>`` (the path percent-encoded, as SQLAlchemy URLs need)."""
        from urllib.parse import quote

        return f"sqlite:///{quote(self.config.uri)}"

    @property
    def location(self) -> str:
        """The database file."""
        return self.config.uri

    @property
    def read_only(self) -> bool:
        """Whether this user may only read the file (known after prepare_database)."""
        return self._read_only

    def _fail(self, problem: str, fix: str) -> MetadataStoreError:
        return MetadataStoreError(f"Metadata store '{self.name}': {problem}; {fix}")

    def prepare_database(self) -> None:
        """Refuse a file that is not a zenml database; create a new one whole and private."""
        from zenml.metadata_stores.schema import SCHEMA
        from zenml.sql.schema import create_schema
        from zenml.sql.sqlite import (
            can_write,
            create_sqlite_database,
            sqlite_file_problem,
        )
        from zenml.utils.files import private_dir

        path = Path(self.config.uri)
        try:
            exists = path.exists()
        except OSError as error:
            raise self._fail(f"cannot reach {path}: {error.strerror}",
                             f"give your user access to {path.parent}") from None
        if exists:
            problem = sqlite_file_problem(path)
            if problem is not None:
                fix = ("fix its permissions" if problem.startswith("cannot be read") else
                       "zenml will not touch it: move it aside or register the store with "
                       "another --uri")
                raise self._fail(f"{path} {problem}", fix)
        else:
            try:
                private_dir(path.parent)
                create_sqlite_database(path, lambda c: create_schema(c, SCHEMA), _PRAGMAS)
            except OSError as error:
                raise self._fail(f"cannot create {path}: {error.strerror}",
                                 "register it with a writable --uri") from None
        self._read_only = not can_write(path)

    def _ensure_schema(self, database: Database) -> None:
        """Check the schema; a zenml database made before files were private becomes so."""
        from zenml.sql.sqlite import side_files
        from zenml.utils.files import tighten

        super()._ensure_schema(database)
        tighten(side_files(Path(self.config.uri)))
        if self._read_only:
            return
        # a zenml database left in rollback mode: WAL keeps readers off writers' backs
        # (asked on the engine's own connection: no second open of the file)
        connection = database.engine.raw_connection()
        try:
            cursor = connection.cursor()
            mode = cursor.execute("PRAGMA journal_mode").fetchone()
            if not mode or str(mode[0]).lower() != "wal":
                with contextlib.suppress(sqlite3.OperationalError):  # busy: the next one will
                    cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            connection.close()

    def engine_options(self) -> dict[str, Any]:
        """Connections may move between the threads of a parallel run; read-only if need be."""
        from zenml.sql.sqlite import sqlite_connector

        return {"creator": sqlite_connector(Path(self.config.uri), read_only=self._read_only,
                                            check_same_thread=False)}

    def configure_engine(self, engine: sa.Engine) -> None:
        """WAL journal, 60 s busy timeout, ``BEGIN IMMEDIATE`` for writes."""
        from zenml.sql.sqlite import configure_sqlite_engine

        # the WAL mode is set when the file is made (it persists): a connection to a
        # file that may not be zenml's must not change it before the schema is checked
        configure_sqlite_engine(engine, [p for p in _PRAGMAS if "journal_mode" not in p])

    def describe_error(self, error: BaseException) -> str:
        """Say so when a write meets a database this user may only read."""
        message = super().describe_error(error)
        if "readonly" in message.replace(" ", "").replace("-", "").lower():
            return (f"{message}: this user may only read it; give write access to the file "
                    f"and its folder to record runs")
        return message

    def provision(self) -> None:
        """Create the database file and its tables."""
        super().provision()
