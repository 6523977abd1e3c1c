"""A store's schema: creating it, checking the stored version, migrating with Alembic.

Every store keeps two marks of its schema:

- ``schema_version`` in its key/value table: the schema generation. zenml
  refuses a store whose generation is newer than its own (the release before
  Alembic reads only this mark, so a migration an older zenml cannot read
  raises it);
- the Alembic revision in the store's own version table (a zenml name, never
  ``alembic_version``: a server database may hold another application's).

A new store is created whole at the head revision without importing Alembic.
A store made before migrations existed (generation 1, no version table) is
the baseline revision: opening it stamps it and applies what came after. A
store at the head costs one query more than before; Alembic (and Mako) is
imported only when there is something to migrate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zenml.sql.database import Database

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["Schema", "SchemaProblem", "create_schema", "ensure_schema", "version_table"]

VERSION_KEY = "schema_version"


def version_table(metadata: sa.MetaData, name: str, **options: Any) -> sa.Table:
    """Alembic's revision table (its own shape) under ``name``, in ``metadata``."""
    import sqlalchemy as sa

    return sa.Table(name, metadata, sa.Column("version_num", sa.String(32), nullable=False),
                    sa.PrimaryKeyConstraint("version_num", name=f"{name}_pkc"), **options)


@dataclass(frozen=True)
class Schema:
    """A store's tables, its marks and its migrations (``revisions``: oldest first)."""

    metadata: sa.MetaData
    meta: sa.Table
    generation: int
    versions: sa.Table
    migrations: str  # the package whose ``versions/`` folder holds the revision scripts
    revisions: tuple[str, ...]

    @property
    def head(self) -> str:
        """The newest revision: what a new store is created at."""
        return self.revisions[-1]


class SchemaProblem(Exception):
    """Why a store's database cannot be used as it is (``kind``: foreign, unreadable,
    newer, read-only)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail

    def message(self, subject: str, what: str, fix: str) -> str:
        """One line: ``subject`` opens it, ``what`` is what the store should have been."""
        if self.kind == "foreign":
            return (f"{subject} is not a {what}: it {self.detail} and no zenml schema; zenml "
                    f"will not touch it: {fix}")
        if self.kind == "unreadable":
            return (f"{subject} has an unreadable schema version ({self.detail}); zenml will "
                    f"not change it: {fix}")
        if self.kind == "newer":
            return f"{subject} was written by a newer zenml ({self.detail}); upgrade zenml-core"
        return (f"{subject} needs a schema upgrade ({self.detail}) and this user may only "
                f"read it; run one zenml command as its owner first")


@dataclass(frozen=True)
class _Stored:
    generation: str
    revision: str | None


def create_schema(connection: sa.Connection, schema: Schema) -> None:
    """Create every table of a new store at the head revision (in the caller's transaction)."""
    schema.metadata.create_all(connection)
    connection.execute(schema.meta.insert().values(key=VERSION_KEY, value=str(schema.generation)))
    connection.execute(schema.versions.insert().values(version_num=schema.head))


def _read(connection: sa.Connection, schema: Schema, adopt: Callable[[set[str]], bool]
          ) -> _Stored | None:
    """The stored marks; None for a database zenml may set up (``adopt(tables)``)."""
    import sqlalchemy as sa

    tables = set(sa.inspect(connection).get_table_names())
    if schema.meta.name not in tables:
        if adopt(tables):
            return None
        others = ", ".join(sorted(tables)[:3]) + (", ..." if len(tables) > 3 else "")
        raise SchemaProblem("foreign", f"has other tables ({others})" if tables
                            else "has no tables")
    value = connection.execute(sa.select(schema.meta.c.value).where(
        schema.meta.c.key == VERSION_KEY)).scalar()
    revision = None
    if schema.versions.name in tables:
        revision = connection.execute(sa.select(schema.versions.c.version_num)).scalar()
    return _Stored("" if value is None else str(value), revision)


def _pending(stored: _Stored, schema: Schema) -> tuple[str, ...]:
    """The revisions a stored schema still needs (the baseline first when unstamped)."""
    if not stored.generation.isdigit():
        raise SchemaProblem("unreadable", repr(stored.generation))
    if int(stored.generation) > schema.generation:
        raise SchemaProblem("newer", f"schema {stored.generation}, this one reads "
                                     f"{schema.generation}")
    if stored.revision is None:
        return schema.revisions
    if stored.revision not in schema.revisions:
        raise SchemaProblem("newer", f"schema revision {stored.revision}, this one knows "
                                     f"up to {schema.head}")
    return schema.revisions[schema.revisions.index(stored.revision) + 1:]


def ensure_schema(database: Database, schema: Schema,
                  adopt: Callable[[set[str]], bool] = lambda tables: not tables) -> None:
    """Check the stored schema; create it in a database zenml may set up; migrate it.

    Raises :class:`SchemaProblem` for a database that is not the store's, is
    newer, or needs a migration this user cannot write (a store made before
    migrations is read as it is: its schema is the baseline's). Reading
    needs no write access. Creating and migrating are one write transaction:
    on SQLite (BEGIN IMMEDIATE) concurrent first uses take turns; on servers
    whose DDL commits at once the caller makes them take turns.
    """
    with database.transaction(write=False) as connection:
        stored = _read(connection, schema, adopt)
    if stored is not None:
        pending = _pending(stored, schema)
        if not pending:
            return
        if database.read_only:
            if stored.revision is None and pending[1:] == ():  # the baseline: nothing to change
                return
            raise SchemaProblem("read-only", f"to revision {schema.head}")
    with database.transaction(write=True) as connection:
        stored = _read(connection, schema, adopt)
        if stored is None:
            create_schema(connection, schema)
        elif _pending(stored, schema):
            migrate(connection, schema)


def migrate(connection: sa.Connection, schema: Schema) -> None:
    """Apply the pending revisions with Alembic, in the caller's transaction."""
    from importlib.resources import files

    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    location = str(files(schema.migrations))
    scripts = ScriptDirectory(location)

    def upgrade(revision: Any, _context: Any) -> Any:
        return scripts._upgrade_revs(schema.head, revision)

    context = MigrationContext.configure(connection, opts={
        "version_table": schema.versions.name, "fn": upgrade, "script": scripts})
    schema.versions.create(connection, checkfirst=True)  # with the store's table options
    with Operations.context(context):
        context.run_migrations()
