"""SQLite files and engines: the dialect zenml's local stores use.

A new database is built in a private temporary file (0600) and linked into
place only when its schema is complete, so a store file that exists is
either a whole zenml store or not zenml's (and then it is never touched).
Stores that this user cannot write are opened read-only. Writes take the
write lock up front.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = [
    "SIDE_SUFFIXES",
    "can_write",
    "configure_sqlite_engine",
    "create_sqlite_database",
    "is_wal",
    "side_files",
    "sqlite_connector",
    "sqlite_engine",
    "sqlite_file_problem",
]

SIDE_SUFFIXES = ("-journal", "-wal", "-shm")
_NOT_A_DATABASE = (26, 11)  # SQLITE_NOTADB, SQLITE_CORRUPT
_BEGIN_WRITE, _BEGIN_READ = "BEGIN IMMEDIATE", "BEGIN DEFERRED"


def side_files(path: Path) -> list[Path]:
    """The database file and the journal files SQLite keeps beside it."""
    return [path, *(path.with_name(path.name + suffix) for suffix in SIDE_SUFFIXES)]


def _uri(path: Path, query: str = "") -> str:
    """``file:`` URI of ``path`` for sqlite3 (percent-quoted; ``query`` without ``?``)."""
    target = Path(path).absolute().as_posix()
    uri = "file:" + quote(target if target.startswith("/") else "/" + target)
    return f"{uri}?{query}" if query else uri


def _probe(path: Path, pragma: str) -> Any:
    """One ``PRAGMA`` on ``path`` through SQLite itself, read-only.

    Never ``open()`` a database file in a process that may hold SQLite
    connections to it: closing any descriptor of a file drops every POSIX
    lock the process holds on it, so another process may then checkpoint and
    reset the WAL under this process's feet (committed writes lost). SQLite
    shares descriptors between its own connections and keeps them open while
    locks are held, so opening through it is safe.
    """
    connection = sqlite3.connect(_uri(path, "mode=ro"), uri=True, timeout=5)
    try:
        return connection.execute(f"PRAGMA {pragma}").fetchone()
    finally:
        connection.close()


def sqlite_file_problem(path: Path) -> str | None:
    """Why the existing ``path`` cannot be a SQLite database (None when it can).

    The answer completes a sentence that starts with the path. The file is
    looked at through ``stat`` and SQLite only (see :func:`_probe`).
    """
    try:
        status = path.stat()
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if stat.S_ISDIR(status.st_mode):
        return "is a folder"
    if not os.access(path, os.R_OK):
        return f"cannot be read ({os.strerror(errno.EACCES)})"
    if status.st_size == 0:
        return "is empty (0 bytes), so it is not a zenml store"
    try:
        _probe(path, "schema_version")
    except sqlite3.DatabaseError as error:
        code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+
        text = str(error).lower()
        if code in _NOT_A_DATABASE or "not a database" in text or "malformed" in text:
            return "is not a SQLite database (corrupt or foreign file)"
        # busy, or a WAL database whose -shm this user cannot create: the
        # engine opens it as it can and reports what remains
    return None


def can_write(path: Path) -> bool:
    """Whether this user may change the database (the file and its folder)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def is_wal(path: Path) -> bool:
    """Whether the database is in WAL mode (asked through SQLite, see :func:`_probe`).

    A read-only open that fails for want of the ``-shm`` file means WAL too.
    """
    try:
        row = _probe(path, "journal_mode")
    except sqlite3.OperationalError:
        return Path(f"{path}-shm").exists() or Path(f"{path}-wal").exists() or (
            not os.access(path.parent, os.W_OK | os.X_OK))
    except sqlite3.DatabaseError:
        return False
    return bool(row) and str(row[0]).lower() == "wal"


def sqlite_connector(path: Path, *, read_only: bool, timeout: float = 60.0,
                     check_same_thread: bool = True) -> Callable[[], sqlite3.Connection]:
    """A function that opens ``path`` (read-only: ``mode=ro``), for SQLAlchemy's ``creator``.

    A read-only WAL database in a folder where SQLite cannot create its
    ``-shm`` file is opened ``immutable`` when no ``-wal`` file exists (then
    the database file holds every committed write).
    """
    uri = _uri(path)
    if read_only:
        uri += "?mode=ro"
        folder_writable = os.access(Path(path).parent, os.W_OK | os.X_OK)
        if (not folder_writable and is_wal(Path(path))
                and not Path(f"{path}-wal").exists()):
            uri += "&immutable=1"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=timeout,
                               check_same_thread=check_same_thread)

    return connect


def create_sqlite_database(path: Path, initialize: Callable[[sa.Connection], None],
                           pragmas: Sequence[str]) -> bool:
    """Build a new database at ``path`` (0600) with ``initialize``, unless one appears first.

    The database is made in a temporary file beside ``path`` and linked into
    place whole; returns False when another process created ``path`` first
    (this one's is discarded). Raises ``OSError`` when the folder is not
    writable.
    """

    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                        suffix=".new")
    os.close(descriptor)
    tmp = Path(name)
    try:
        engine = sqlite_engine(tmp, pragmas, read_only=False)
        try:
            with engine.connect() as connection:
                connection.info["write"] = True
                with connection.begin():
                    initialize(connection)
        finally:
            engine.dispose()
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links
            if path.exists():
                return False
            os.replace(tmp, path)
        return True
    finally:
        for leftover in side_files(tmp):
            with suppress(FileNotFoundError):
                leftover.unlink()


def sqlite_engine(path: Path, pragmas: Sequence[str], *, read_only: bool) -> sa.Engine:
    """An engine on ``path`` without a pool (each transaction its own connection)."""
    import sqlalchemy as sa

    engine = sa.create_engine("sqlite://", poolclass=sa.pool.NullPool,
                              creator=sqlite_connector(path, read_only=read_only))
    configure_sqlite_engine(engine, pragmas)
    return engine


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
        # straight to sqlite3 (SQLAlchemy leaves BEGIN to the driver on SQLite): the
        # statement machinery around exec_driver_sql cost more than the BEGIN itself
        statement = _BEGIN_WRITE if connection.info.get("write") else _BEGIN_READ
        try:
            connection.connection.driver_connection.execute(statement)  # type: ignore[union-attr]
        except sqlite3.Error as error:  # as SQLAlchemy reports it (a store maps those)
            raise sa.exc.DBAPIError.instance(statement, None, error, sqlite3.Error) from error
