"""The ``mysql`` metadata store: zenml's SQLAlchemy metadata store on MySQL or MariaDB.

The tables, queries and transactions are the core's
(:class:`zenml.metadata_stores.base.BaseMetadataStore`); this class says where
the database is and how to talk to it through PyMySQL:

- every wait is bounded: 10 s to connect and log in, 20 s for any one read
  or write on the socket, 10 s for a row lock; so an unreachable, stopped or
  hung server ends a command with one line, never a hang;
- a pooled connection idle for more than 10 ms is pinged before use (a
  connection dropped while a step ran, e.g. by a server restart, is replaced
  transparently) and recycled after 30 minutes, well before the server's
  ``wait_timeout``; one reused sooner (a short step's records, one right after
  the other) is not: a ping is a round trip (~0.1 ms), so pinging only after
  10 ms idle costs at most 1% of the idle time and saves two round trips per
  short step;
- transactions run at READ COMMITTED, so concurrent runs do not take gap locks
  on each other's rows;
- the tables are created under a server-wide named lock, so processes that
  start on a new database at the same time do not race each other's DDL
  (MySQL cannot roll DDL back);
- errors are described by their MySQL error code (wrong password, unknown
  database, refused connection, ...), never with the password.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from typing import TYPE_CHECKING, Any, ClassVar

from zenml.errors import MetadataStoreError, ProvisioningError
from zenml.metadata_stores.base import BaseMetadataStore
from zenml_mysql.flavors import MySQLMetadataStoreConfig, is_pem_text

if TYPE_CHECKING:
    import ssl

    import sqlalchemy as sa

    from zenml.sql.database import Database

__all__ = [
    "CONNECT_TIMEOUT",
    "LOCK_WAIT_TIMEOUT",
    "PING_AFTER_IDLE",
    "READ_WRITE_TIMEOUT",
    "SCHEMA_LOCK_TIMEOUT",
    "MySQLMetadataStore",
]

#: Seconds to open a connection and log in.
CONNECT_TIMEOUT = 10
#: Seconds any one read or write on a connection may take.
READ_WRITE_TIMEOUT = 20
#: Seconds a statement waits for a row lock (``innodb_lock_wait_timeout``).
LOCK_WAIT_TIMEOUT = 10
#: Seconds a process waits for another one to finish creating the tables.
SCHEMA_LOCK_TIMEOUT = 15
#: Seconds before a pooled connection is replaced.
POOL_RECYCLE = 1800
#: Seconds a pooled connection may sit unused and still be used without a ping first.
PING_AFTER_IDLE = 0.01

# MySQL / MariaDB client and server error codes this store explains.
_ACCESS_DENIED = 1045
_DB_ACCESS_DENIED = 1044
_UNKNOWN_DATABASE = 1049
_TOO_MANY_CONNECTIONS = 1040
_COMMAND_DENIED = (1142, 1143, 1227)
_LOCK_WAIT_TIMEOUT = 1205
_DEADLOCK = 1213
_CANNOT_CONNECT = (2002, 2003, 2005)
_SERVER_GONE = 2006
_SERVER_LOST = (2013, 2055)
_SSL_ERROR = 2026
_STATEMENT_BINLOG = 1665


class MySQLMetadataStore(BaseMetadataStore):
    """Keeps the metadata in a database of a MySQL 8 or MariaDB 10.11+ server."""

    config: MySQLMetadataStoreConfig
    #: zenml's tables are all ``zenml_md_*``: they may join a database that other
    #: applications use too (as documented in the README).
    SHARES_DATABASE: ClassVar[bool] = True

    # -- where and how ----------------------------------------------------------------
    @property
    def _url(self) -> sa.URL:
        import sqlalchemy as sa

        c = self.config
        return sa.URL.create(
            "mysql+pymysql", username=c.username,
            password=c.password.get_secret_value() if c.password is not None else None,
            host=c.host, port=c.port, database=c.database, query={"charset": "utf8mb4"})

    @property
    def database_url(self) -> str:
        """``mysql+pymysql://USER:PASSWORD@HOST:PORT/DATABASE?charset=utf8mb4`` (escaped)."""
        return self._url.render_as_string(hide_password=False)

    @property
    def location(self) -> str:
        """``database 'DB' on HOST:PORT as user 'USER'`` (never the password)."""
        c = self.config
        host = f"[{c.host}]" if ":" in c.host else c.host
        return f"database '{c.database}' on {host}:{c.port} as user '{c.username}'"

    def engine_options(self) -> dict[str, Any]:
        """Bounded timeouts, TLS, no reset on return, recycling, READ COMMITTED (the ping
        before use is :meth:`configure_engine`'s)."""
        connect_args: dict[str, Any] = {
            "connect_timeout": CONNECT_TIMEOUT,
            "read_timeout": READ_WRITE_TIMEOUT,
            "write_timeout": READ_WRITE_TIMEOUT,
            "init_command": (f"SET SESSION innodb_lock_wait_timeout = {LOCK_WAIT_TIMEOUT}, "
                             f"SESSION lock_wait_timeout = {SCHEMA_LOCK_TIMEOUT}"),
        }
        context = self._ssl_context()
        if context is not None:
            connect_args["ssl"] = context
        return {
            "connect_args": connect_args,
            "pool_pre_ping": False,  # configure_engine pings idle connections only
            # Every transaction ends in a commit or a rollback (zenml.sql.database's
            # transaction()), so the pool's own ROLLBACK when a connection comes back would
            # be one more round trip per transaction (two per step) for nothing.
            "pool_reset_on_return": None,
            "pool_recycle": POOL_RECYCLE,
            "isolation_level": "READ COMMITTED",
        }

    def configure_engine(self, engine: sa.Engine) -> None:
        """Ping a pooled connection before use when it sat unused for more than
        :data:`PING_AFTER_IDLE` seconds; a dead one is replaced (the pool retries)."""
        from sqlalchemy import event, exc

        def used(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
            record.info["zenml_last_used"] = time.monotonic()

        def alive(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
            last = record.info.get("zenml_last_used")
            if last is not None and time.monotonic() - last <= PING_AFTER_IDLE:
                return
            try:
                dbapi_connection.ping(reconnect=False)
            except Exception as error:  # any failure: the pool opens a new connection
                raise exc.DisconnectionError(str(error)) from error

        event.listen(engine, "connect", used)
        event.listen(engine, "checkin", used)
        event.listen(engine, "checkout", alive)

    # -- TLS ----------------------------------------------------------------------------
    def _ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context of the config's ``ssl_*`` fields, or None for no TLS option."""
        import ssl

        c = self.config
        if not c.uses_tls:
            return None
        key = c.ssl_key.get_secret_value() if c.ssl_key is not None else None
        if key is not None and c.ssl_cert is None:
            raise self._config_error("ssl_key", "is set without ssl_cert; set both (the "
                                     "client certificate and its private key)")
        try:
            if c.ssl_ca is None:
                context = ssl.create_default_context()
            elif is_pem_text(c.ssl_ca):
                context = ssl.create_default_context(cadata=c.ssl_ca)
            else:
                context = ssl.create_default_context(cafile=c.ssl_ca)
        except (OSError, ssl.SSLError) as error:
            raise self._tls_error("ssl_ca", c.ssl_ca, error) from None
        # MySQL's auto-generated certificates fail the strict X.509 checks
        # that Python 3.13 turns on by default.
        context.verify_flags &= ~getattr(ssl, "VERIFY_X509_STRICT", 0)
        if c.ssl_verify_server_cert is False:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if c.ssl_cert is not None:
            self._load_client_cert(context, c.ssl_cert, key)
        return context

    def _load_client_cert(self, context: ssl.SSLContext, cert: str, key: str | None) -> None:
        import ssl

        with tempfile.TemporaryDirectory(prefix="zenml-mysql-") as folder:
            # PEM text is handed to OpenSSL through private files that are
            # removed as soon as the context holds the certificate.
            cert_file = _private_file(folder, "cert.pem", cert) if is_pem_text(cert) else cert
            key_file = key
            if key is not None and is_pem_text(key):
                key_file = _private_file(folder, "key.pem", key)
            field = "ssl_cert"
            try:
                context.load_cert_chain(cert_file, keyfile=key_file)
            except FileNotFoundError as error:
                if key_file is not None and error.filename == key_file:
                    field = "ssl_key"
                raise self._tls_error(field, cert if field == "ssl_cert" else key,
                                      error) from None
            except (OSError, ssl.SSLError) as error:
                raise self._tls_error("ssl_cert", cert, error) from None

    def _tls_error(self, field: str, value: str | None, error: BaseException
                   ) -> MetadataStoreError:
        import ssl

        if isinstance(error, ssl.SSLError):
            reason = error.reason or str(error).strip() or type(error).__name__
            return self._config_error(field, f"is not a usable PEM certificate or key "
                                             f"({reason})")
        where = f"file {value}" if value and not is_pem_text(value) else "value"
        cause = error.strerror if isinstance(error, OSError) and error.strerror else error
        return self._config_error(field, f"{where} cannot be read ({cause})")

    def _config_error(self, field: str, problem: str) -> MetadataStoreError:
        return MetadataStoreError(
            f"Metadata store '{self.name}' ({self.location}): {field} {problem}; fix it with "
            f"'zenml metadata-store update {self.name} --{field}=...'")

    # -- errors -------------------------------------------------------------------------
    def describe_error(self, error: BaseException) -> str:
        """One line naming the cause by its MySQL error code, and the fix."""
        orig = getattr(error, "orig", None) or error
        args: tuple[Any, ...] = tuple(getattr(orig, "args", ()))
        if not (len(args) >= 2 and isinstance(args[0], int)):
            return super().describe_error(error)
        code: int = args[0]
        message = " ".join(str(args[1]).split())
        c = self.config
        update = f"'zenml metadata-store update {self.name}"
        if code == _ACCESS_DENIED:
            return (f"the server refused the login of user '{c.username}' (MySQL error 1045: "
                    f"{message}): wrong username or password; fix them with {update} "
                    f"--username=... --password=...'")
        if code == _UNKNOWN_DATABASE:
            return (f"the database '{c.database}' does not exist (MySQL error 1049); create "
                    f"it with 'CREATE DATABASE `{c.database}`' or pick an existing one with "
                    f"{update} --database=...'")
        if code == _DB_ACCESS_DENIED:
            return (f"user '{c.username}' may not use database '{c.database}' (MySQL error "
                    f"1044: {message}); grant it, e.g. GRANT ALL ON `{c.database}`.* TO "
                    f"'{c.username}'@'%'")
        if code in _COMMAND_DENIED:
            return (f"user '{c.username}' lacks a privilege on database '{c.database}' "
                    f"(MySQL error {code}: {message}); it needs CREATE, SELECT, INSERT, "
                    f"UPDATE and DELETE")
        if code == _SSL_ERROR:
            return (f"the server does not offer TLS, which the ssl_* fields require "
                    f"({message}; MySQL error 2026); give the server a certificate, or "
                    f"empty the ssl_* fields with {update} --ssl_ca= ...'")
        if code in _CANNOT_CONNECT:
            cause = _inner_cause(message)
            hint = "is the server running and reachable from here?"
            if "ssl" in cause.lower() or "certificate" in cause.lower():
                hint = "check --ssl_ca (or --ssl_verify_server_cert=false for a test server)"
            elif "timed out" in cause.lower():
                cause = f"no answer within {CONNECT_TIMEOUT} s ({cause})"
            return f"cannot connect to the server: {cause} (MySQL error {code}); {hint}"
        if code in _SERVER_LOST and getattr(error, "statement", "") is None:
            # while logging in: the port is open but nothing answers
            return (f"the server accepted the connection but did not answer within "
                    f"{READ_WRITE_TIMEOUT} s ({message}; MySQL error {code}); is it hung, "
                    f"or is another service listening on port {c.port}?")
        if code == _SERVER_GONE or code in _SERVER_LOST:
            return (f"lost the connection to the server ({message}; MySQL error {code}); "
                    f"was it stopped or restarted?")
        if code == _TOO_MANY_CONNECTIONS:
            return "the server has too many connections (MySQL error 1040); try again later"
        if code in (_LOCK_WAIT_TIMEOUT, _DEADLOCK):
            return (f"another run held the rows this one needed ({message}; MySQL error "
                    f"{code}); run it again")
        if code == _STATEMENT_BINLOG:
            return ("the server logs statements (binlog_format=STATEMENT), which zenml's "
                    "READ COMMITTED transactions cannot use (MySQL error 1665); set "
                    "binlog_format to ROW or MIXED")
        return f"{message} (MySQL error {code})"

    # -- stack state -----------------------------------------------------------------------
    # ``zenml metadata-store up`` / ``zenml stack up`` log in and create the tables
    # ahead of the first run; their errors are raised as ProvisioningError so the
    # CLI shows the store's own line unwrapped. Bringing the store down never drops
    # the tables: they hold the runs' history.
    @property
    def is_provisioned(self) -> bool:
        """Whether the server lets the user in and the database has zenml's tables in a
        schema this zenml reads (asks the server; a refusal raises ProvisioningError)."""
        if self._records is not None:
            return True
        import sqlalchemy as sa
        from sqlalchemy import exc

        from zenml.metadata_stores.schema import meta

        try:
            engine = sa.create_engine(self.database_url, **self.engine_options())
        except MetadataStoreError as error:  # an unusable ssl_* file
            raise ProvisioningError(str(error)) from None
        try:
            with engine.connect() as conn:
                if not sa.inspect(conn).has_table(meta.name):
                    return False
        except exc.DBAPIError as error:
            raise ProvisioningError(str(self._error(error))) from None
        finally:
            engine.dispose()
        try:  # the tables exist: check their schema version as every use does
            _ = self.records
        except MetadataStoreError as error:
            raise ProvisioningError(str(error)) from None
        return True

    def provision(self) -> None:
        """Log in and create the tables."""
        try:
            super().provision()
        except MetadataStoreError as error:
            raise ProvisioningError(str(error)) from None

    # -- schema ---------------------------------------------------------------------------
    def _ensure_schema(self, database: Database) -> None:
        """Check, create or migrate the tables while holding a named lock for this database.

        MySQL commits DDL at once, so two processes creating or migrating the
        tables of a database at the same time would see each other's half-made
        schema; the lock (``GET_LOCK``, released with the session) makes them
        take turns.
        """
        from sqlalchemy import exc, text

        digest = hashlib.sha256(self.config.database.encode()).hexdigest()[:32]
        lock = f"zenml_md_schema_{digest}"
        try:
            with database.engine.connect() as conn:
                got = conn.execute(text("SELECT GET_LOCK(:name, :timeout)"),
                                   {"name": lock, "timeout": SCHEMA_LOCK_TIMEOUT}).scalar()
                if got != 1:
                    raise MetadataStoreError(
                        f"Metadata store '{self.name}' ({self.location}) cannot be used: "
                        f"another process has been creating its tables for more than "
                        f"{SCHEMA_LOCK_TIMEOUT} s; try again")
                try:
                    super()._ensure_schema(database)
                finally:
                    # if this fails, the lock ends with the session anyway
                    with contextlib.suppress(exc.DBAPIError):
                        conn.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": lock})
        except exc.DBAPIError as error:
            raise self._error(error) from None


def _private_file(folder: str, name: str, text: str) -> str:
    path = os.path.join(folder, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
    return path


def _inner_cause(message: str) -> str:
    """``Can't connect to MySQL server on 'h' ([Errno 111] Connection refused)`` -> cause."""
    start, end = message.find("("), message.rfind(")")
    inner = message[start + 1:end] if 0 <= start < end else message
    if inner.startswith("[Errno") and "] " in inner:
        inner = inner.split("] ", 1)[1]
    return inner.strip() or message
