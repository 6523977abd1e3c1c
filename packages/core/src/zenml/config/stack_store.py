"""The stack store: components, stacks, couplings and states in SQLite (storage only).

Every public write is one ``BEGIN IMMEDIATE`` transaction, so concurrent
``zenml`` processes queue up instead of losing each other's registrations;
rules that span several records (store coupling, names on import, which
stacks may be deleted) are :class:`zenml.repository.Repository`'s, applied
inside one :meth:`StackStore.session`.
A store file that cannot be read, or is not a zenml store (empty or not), is
reported by path and never touched. The file is private to its owner (0600
in a 0700 folder) from the start; a store this user cannot write is opened
read-only, so reading commands still work.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from zenml.config.stack_session import (
    SCHEMA,
    SCHEMA_VERSION,
    StackSession,
    component_from_row,
    components_table,
    now,
    repositories_table,
    stacks_table,
    states_table,
)
from zenml.errors import EntityExistsError, IllegalOperationError, StoreError
from zenml.sql.database import Database, ErrorKind, error_kind
from zenml.sql.schema import SchemaProblem, ensure_schema
from zenml.stack.component_type import StackComponentType
from zenml.stack.models import ComponentModel, ComponentState, StackModel

__all__ = ["SCHEMA_VERSION", "StackSession", "StackStore"]

DEFAULT_NAME = "default"
_DEFAULT_PENDING_KEY = "default_stack_pending"
_PRAGMAS = ("busy_timeout = 60000", "foreign_keys = ON")

logger = logging.getLogger(__name__)

class StackStore:
    """The SQLite file that holds every registered component and stack."""

    def __init__(self, path: Path, default_stack_factory: Callable[[], dict[str, Any]]
                 | None = None) -> None:
        self.path = Path(path)
        self._default_stack_factory = default_stack_factory
        self._database: Database | None = None
        self.read_only = False

    # -- connection and schema -------------------------------------------------

    def _check_file(self) -> bool:
        """Whether the store exists; refuse a path that is not a usable store file."""
        from zenml.sql.sqlite import sqlite_file_problem

        path, folder = self.path, self.path.parent
        try:
            exists = path.exists()
        except OSError as error:
            raise StoreError(
                f"Cannot open the config folder {folder}: {error.strerror}; give your user "
                f"access to it (chmod 700 {folder}) or set ZENML_CONFIG_PATH to another "
                f"folder") from None
        if not exists:
            return False
        problem = sqlite_file_problem(path)
        if problem is not None:
            fix = ("fix its permissions (chmod 600)" if problem.startswith("cannot be read")
                   else "zenml will not touch it: move it aside to start afresh or set "
                        "ZENML_CONFIG_PATH to another folder")
            raise StoreError(f"The stack store {path} {problem}; {fix}")
        return True

    def _create_file(self) -> None:
        from zenml.sql.schema import create_schema
        from zenml.sql.sqlite import create_sqlite_database
        from zenml.utils.files import private_dir, tighten

        def initialize(connection: sa.Connection) -> None:
            create_schema(connection, SCHEMA)
            if self._default_stack_factory is not None:  # made once the file is in place
                StackSession(connection).set_meta(_DEFAULT_PENDING_KEY, "1")

        folder = self.path.parent
        try:
            private_dir(folder)
        except OSError as error:
            raise StoreError(f"Cannot create the config folder {folder}: "
                             f"{error.strerror}; set ZENML_CONFIG_PATH to a writable "
                             f"folder") from None
        tighten([folder])
        try:
            create_sqlite_database(self.path, initialize, _PRAGMAS)
        except OSError as error:
            raise StoreError(f"Cannot create the stack store {self.path}: {error.strerror}; "
                             f"set ZENML_CONFIG_PATH to a writable folder") from None
        except sa_exc.DBAPIError as error:
            raise StoreError(f"Cannot create the stack store {self.path}: "
                             f"{error.orig}") from None

    def _get_database(self) -> Database:
        if self._database is not None:
            return self._database
        from zenml.sql.sqlite import can_write, side_files, sqlite_engine
        from zenml.utils.files import tighten

        existed = self._check_file()
        if not existed:
            self._create_file()
        self.read_only = not can_write(self.path)
        engine = sqlite_engine(self.path, _PRAGMAS, read_only=self.read_only)
        self._database = Database(engine, self._map_error, read_only=self.read_only,
                                  refuse_write=self._read_only_error)
        logger.debug("Using the stack store %s%s", self.path,
                     " (read-only)" if self.read_only else "")
        self._ensure_schema()
        if existed:  # a zenml store made before its files were private becomes so
            tighten([self.path.parent, *side_files(self.path)])
        return self._database

    def _read_only_error(self) -> StoreError:
        return StoreError(f"The stack store {self.path} is read-only for this user; this "
                          f"command changes it: get write access to the file and its "
                          f"folder, or set ZENML_CONFIG_PATH to a folder of your own")

    def _map_error(self, error: sa_exc.DBAPIError) -> BaseException:
        kind = error_kind(error)
        if kind is ErrorKind.CONFLICT:
            return EntityExistsError(f"Conflicting registration: {error.orig}")
        if kind is ErrorKind.LOCKED:
            return StoreError(f"The stack store {self.path} stayed locked by another zenml "
                              f"process for 60 s; retry")
        if kind is ErrorKind.READ_ONLY:
            return self._read_only_error()
        if kind is ErrorKind.CORRUPT:
            return StoreError(f"The stack store {self.path} is unreadable ({error.orig}); "
                              f"zenml will not overwrite it: move it aside to start afresh")
        return StoreError(f"The stack store {self.path} cannot be used: {error.orig}")

    @contextmanager
    def session(self) -> Iterator[StackSession]:
        """One write transaction over the store's records (a rule's checks and writes)."""
        with self._get_database().transaction(write=True) as connection:
            yield StackSession(connection)

    @contextmanager
    def reading(self) -> Iterator[StackSession]:
        """One read transaction over the store's records."""
        with self._get_database().transaction(write=False) as connection:
            yield StackSession(connection)

    def _ensure_schema(self) -> None:
        assert self._database is not None
        try:
            ensure_schema(self._database, SCHEMA, adopt=lambda tables: False)
        except SchemaProblem as problem:
            if problem.kind == "foreign":
                problem.detail = problem.detail.replace("has other tables", "has tables")
            raise StoreError(problem.message(
                f"The stack store {self.path}", "zenml store",
                "move it aside to start afresh or set ZENML_CONFIG_PATH to another folder")
            ) from None
        with self.reading() as session:
            pending = session.get_meta(_DEFAULT_PENDING_KEY)
        if pending and not self.read_only:
            # made by the process that created the file, or by the next one if it died
            with self.session() as session:
                if session.get_meta(_DEFAULT_PENDING_KEY):
                    self._create_default_stack(session)
                    session.set_meta(_DEFAULT_PENDING_KEY, None)

    def _create_default_stack(self, session: StackSession) -> None:
        if self._default_stack_factory is None:
            return
        configs = self._default_stack_factory()
        ids: dict[StackComponentType, str] = {}
        for type_, flavor in (
            (StackComponentType.ORCHESTRATOR, "local"),
            (StackComponentType.ARTIFACT_STORE, "local"),
            (StackComponentType.METADATA_STORE, "sqlite"),
        ):
            ids[type_] = session.add_component(DEFAULT_NAME, type_, flavor,
                                               configs.get(type_.value, {}), []).id
        stack_id = session.add_stack(DEFAULT_NAME, ids)
        session.couple(ids[StackComponentType.ARTIFACT_STORE],
                       ids[StackComponentType.METADATA_STORE])
        session.set_active_stack(stack_id)

    # -- components -------------------------------------------------------------

    def list_components(self, type_: StackComponentType | None = None) -> list[ComponentModel]:
        """Every registered component (of one type), by type and name."""
        query = sa.select(components_table).order_by(components_table.c.type,
                                                      components_table.c.name)
        if type_ is not None:
            query = query.where(components_table.c.type == type_.value)
        with self.reading() as session:
            return [component_from_row(r) for r in session.connection.execute(query)]

    def get_component(self, type_: StackComponentType, name: str) -> ComponentModel:
        """One component by type and name."""
        with self.reading() as session:
            return session.component(type_, name)

    def create_component(self, name: str, type_: StackComponentType, flavor: str,
                         config: Mapping[str, Any], secret_fields: list[str]) -> ComponentModel:
        """Register a component; its name must be new for its type."""
        with self.session() as session:
            if name in session.components(type_):
                raise EntityExistsError(
                    f"{type_.a_name.capitalize()} named '{name}' is already registered; choose "
                    f"another name or 'zenml {type_.cli_name} delete {name}' first")
            return session.add_component(
                name, type_, flavor, config, secret_fields)

    def update_component(self, type_: StackComponentType, name: str,
                         config: Mapping[str, Any], secret_fields: list[str]) -> ComponentModel:
        """Replace a component's stored config."""
        with self.session() as session:
            model: ComponentModel = session.component(type_, name)
            model.config, model.secret_fields, model.updated = dict(config), secret_fields, now()
            session.connection.execute(sa.update(components_table).where(
                components_table.c.id == model.id).values(
                config=json.dumps(model.config), secret_fields=json.dumps(secret_fields),
                updated=model.updated))
            return model

    def rename_component(self, type_: StackComponentType, name: str, new_name: str) -> None:
        """Rename a component (stacks keep using it)."""
        with self.session() as session:
            model = session.component(type_, name)
            if new_name in session.components(type_):
                raise EntityExistsError(f"{type_.a_name.capitalize()} named '{new_name}' is "
                                        f"already registered; choose another name")
            session.connection.execute(sa.update(components_table).where(
                components_table.c.id == model.id).values(name=new_name, updated=now()))

    def delete_component(self, type_: StackComponentType, name: str) -> ComponentModel:
        """Delete a component that no stack uses."""
        with self.session() as session:
            model: ComponentModel = session.component(type_, name)
            users = session.stacks_using(model.id)
            if users:
                raise IllegalOperationError(
                    f"{type_.display_name.capitalize()} '{name}' is used by stack(s) "
                    f"{', '.join(repr(u) for u in users)}; remove it from them (zenml "
                    f"stack update / remove-component) or delete them first")
            session.delete_component(model.id)
            return model

    # -- stacks -----------------------------------------------------------------

    def list_stacks(self) -> list[StackModel]:
        """Every registered stack, by name."""
        with self.reading() as session:
            return session.stacks()

    def get_stack(self, name: str) -> StackModel:
        """One stack by name."""
        with self.reading() as session:
            return session.stack(name)

    def rename_stack(self, name: str, new_name: str) -> None:
        """Rename a stack (it stays active if it was)."""
        with self.session() as session:
            stack = session.stack(name)
            if session.has_stack(new_name):
                raise EntityExistsError(f"A stack named '{new_name}' is already registered; "
                                        f"choose another name")
            session.connection.execute(sa.update(stacks_table).where(
                stacks_table.c.id == stack.id).values(name=new_name, updated=now()))

    # -- the active stack ----------------------------------------------------------

    def get_active_stack_name(self) -> str | None:
        """The globally active stack's name (None if it was never set)."""
        with self.reading() as session:
            stack_id = session.active_stack_id()
            if stack_id is None:
                return None
            value = session.connection.execute(sa.select(stacks_table.c.name).where(
                stacks_table.c.id == stack_id)).scalar()
            return str(value) if value is not None else None

    def set_active_stack(self, name: str) -> StackModel:
        """Make ``name`` the globally active stack."""
        with self.session() as session:
            stack: StackModel = session.stack(name)
            session.set_active_stack(stack.id)
            return stack

    # -- repositories -----------------------------------------------------------------

    def set_repository_stack(self, path: str, name: str) -> None:
        """Make ``name`` the active stack of the repository at ``path``."""
        with self.session() as session:
            session.set_repository_stack(path, session.stack(name).id)

    def get_repository_stack_name(self, path: str) -> str | None:
        """The active stack of the repository at ``path`` (None: use the global one)."""
        with self.reading() as session:
            value = session.connection.execute(
                sa.select(stacks_table.c.name).join(
                    repositories_table, repositories_table.c.stack_id == stacks_table.c.id)
                .where(repositories_table.c.path == path)).scalar()
            return str(value) if value is not None else None

    # -- component states -------------------------------------------------------------

    def get_states(self) -> dict[str, ComponentState]:
        """The last recorded state of each component, by component id."""
        with self.reading() as session:
            return {r.component_id: ComponentState(r.provisioned, r.running, r.updated)
                    for r in session.connection.execute(sa.select(states_table))}

    def set_state(self, component_id: str, state: ComponentState) -> None:
        """Record a component's state after ``up`` or ``down``."""
        with self.session() as session:
            session.connection.execute(sa.delete(states_table).where(
                states_table.c.component_id == component_id))
            session.connection.execute(sa.insert(states_table).values(
                component_id=component_id, provisioned=state.provisioned,
                running=state.running, updated=now()))
