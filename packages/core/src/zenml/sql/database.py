"""One database: its engine, ``transaction(write=...)``, error mapping and the clock.

A store wraps its engine in a :class:`Database` with a function that turns a
database error into the store's own one-line error (or None to let it
through, e.g. an ``IntegrityError`` the store retries on). Every read and
write of a store is one ``with database.transaction(write=...)`` block.
"""

from __future__ import annotations

import enum
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy import exc

__all__ = ["Database", "ErrorKind", "dispose_all", "error_kind", "utcnow"]

ErrorMapper = Callable[["exc.DBAPIError"], BaseException | None]


def utcnow(*, whole_seconds: bool = False) -> datetime:
    """The current UTC time, naive (as every zenml store keeps it)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return now.replace(microsecond=0) if whole_seconds else now


class ErrorKind(enum.Enum):
    """What went wrong, whatever the dialect says."""

    CONFLICT = "conflict"  # a unique or foreign key constraint
    LOCKED = "locked"  # another process held the lock too long
    READ_ONLY = "read-only"  # a write to a database this user may only read
    CORRUPT = "corrupt"  # the file is not a (whole) database
    OTHER = "other"


def error_kind(error: exc.DBAPIError) -> ErrorKind:
    """Classify a database error."""
    from sqlalchemy import exc

    text = str(error.orig).lower()
    if isinstance(error, exc.IntegrityError):
        return ErrorKind.CONFLICT
    if isinstance(error, exc.OperationalError):
        if "locked" in text:
            return ErrorKind.LOCKED
        if "readonly" in text.replace(" ", "").replace("-", ""):
            return ErrorKind.READ_ONLY
        return ErrorKind.OTHER
    if type(error) is exc.DatabaseError:  # SQLite: not a database, malformed, ...
        return ErrorKind.CORRUPT
    return ErrorKind.OTHER


#: Every Database of this process that is still referenced (for :func:`dispose_all`).
_OPEN: weakref.WeakSet[Database] = weakref.WeakSet()


def dispose_all() -> None:
    """Close the connections of every database this process opened (the CLI's exit:
    SQLite then folds its write-ahead log back into the file, a server sees a proper
    goodbye)."""
    for database in list(_OPEN):
        database.dispose()


class Database:
    """An engine, whether this user may write through it, and how its errors read."""

    def __init__(self, engine: sa.Engine, map_error: ErrorMapper, *, read_only: bool = False,
                 refuse_write: Callable[[], BaseException] | None = None) -> None:
        from sqlalchemy import exc

        self.engine = engine
        self.read_only = read_only
        self._map_error = map_error
        self._refuse_write = refuse_write
        self._dbapi_error = exc.DBAPIError  # looked up once, not per transaction
        _OPEN.add(self)

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[sa.Connection]:
        """One transaction; a write on SQLite takes the write lock when it begins.

        Database errors leave as the store's own error. A write to a
        read-only database is refused before it starts when the store says how.
        """
        if write and self.read_only and self._refuse_write is not None:
            raise self._refuse_write()
        try:
            with self.engine.connect() as connection:
                connection.info["write"] = write
                with connection.begin():
                    yield connection
        except self._dbapi_error as error:
            mapped = self._map_error(error)
            if mapped is None:
                raise
            raise mapped from None

    def dispose(self) -> None:
        """Close the engine's connections."""
        self.engine.dispose()
