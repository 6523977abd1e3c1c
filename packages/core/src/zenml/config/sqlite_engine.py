"""SQLite engines that take the write lock up front (shared by the zenml stores)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["configure_sqlite_engine"]


def configure_sqlite_engine(engine: sa.Engine, pragmas: Sequence[str]) -> None:
    """Run ``pragmas`` on every new connection; writes begin ``IMMEDIATE``.

    A transaction whose connection has ``info["write"]`` set takes the
    database's write lock when it begins, so two writers never deadlock on a
    lock upgrade; readers begin ``DEFERRED``.
    """
    import sqlalchemy as sa

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions begin below
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            try:
                cursor.execute(f"PRAGMA {pragma}")
            except sqlite3.OperationalError:
                # Switching to WAL needs the database to itself; when another
                # process holds it, that process switches it (the mode persists)
                # and this connection works in whichever mode the file has.
                if not pragma.replace(" ", "").lower().startswith("journal_mode="):
                    raise
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        mode = "IMMEDIATE" if connection.info.get("write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")
