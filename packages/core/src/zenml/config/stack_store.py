"""The stack store: components, stacks, couplings and states in SQLite.

Every public write is one ``BEGIN IMMEDIATE`` transaction, so concurrent
``zenml`` processes queue up instead of losing each other's registrations.
A store file that cannot be read, or is not a zenml store (empty or not), is
reported by path and never touched. The file is private to its owner (0600
in a 0700 folder) from the start; a store this user cannot write is opened
read-only, so reading commands still work.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from zenml.config.repository_config import REPOSITORY_DIRECTORY
from zenml.errors import (
    EntityExistsError,
    EntityNotFoundError,
    IllegalOperationError,
    StackValidationError,
    StoreError,
)
from zenml.stack.component_type import StackComponentType
from zenml.stack.models import ComponentModel, ComponentState, StackModel

__all__ = ["SCHEMA_VERSION", "StackStore"]

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DEFAULT_NAME = "default"

metadata = sa.MetaData()
meta_table = sa.Table(
    "zenml_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
components_table = sa.Table(
    "components", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("flavor", sa.String(255), nullable=False),
    sa.Column("config", sa.Text, nullable=False),
    sa.Column("secret_fields", sa.Text, nullable=False),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("updated", sa.DateTime, nullable=False),
    sa.UniqueConstraint("type", "name", name="uq_component_type_name"),
)
stacks_table = sa.Table(
    "stacks", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("updated", sa.DateTime, nullable=False),
)
stack_components_table = sa.Table(
    "stack_components", metadata,
    sa.Column("stack_id", sa.ForeignKey("stacks.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("type", sa.String(64), primary_key=True),
    sa.Column("component_id", sa.ForeignKey("components.id"), nullable=False),
)
couplings_table = sa.Table(
    "store_couplings", metadata,
    sa.Column("artifact_store_id", sa.ForeignKey("components.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("metadata_store_id", sa.ForeignKey("components.id", ondelete="CASCADE"),
              nullable=False, unique=True),
)
states_table = sa.Table(
    "component_states", metadata,
    sa.Column("component_id", sa.ForeignKey("components.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("provisioned", sa.Boolean, nullable=False),
    sa.Column("running", sa.Boolean, nullable=False),
    sa.Column("updated", sa.DateTime, nullable=False),
)

repositories_table = sa.Table(
    "repositories", metadata,
    sa.Column("path", sa.String(4096), primary_key=True),
    sa.Column("stack_id", sa.ForeignKey("stacks.id", ondelete="SET NULL"), nullable=True),
)

ACTIVE_STACK_KEY = "active_stack_id"
_DEFAULT_PENDING_KEY = "default_stack_pending"
_PRAGMAS = ("busy_timeout = 60000", "foreign_keys = ON")
Validator = Callable[[dict[StackComponentType, ComponentModel]], None]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def _component_from_row(row: Any) -> ComponentModel:
    return ComponentModel(
        id=row.id, name=row.name, type=StackComponentType(row.type), flavor=row.flavor,
        config=json.loads(row.config), secret_fields=json.loads(row.secret_fields),
        created=row.created, updated=row.updated,
    )


class StackStore:
    """The SQLite file that holds every registered component and stack."""

    def __init__(self, path: Path, default_stack_factory: Callable[[], dict[str, Any]]
                 | None = None) -> None:
        self.path = Path(path)
        self._default_stack_factory = default_stack_factory
        self._engine: sa.Engine | None = None
        self.read_only = False

    # -- connection and schema -------------------------------------------------

    def _check_file(self) -> bool:
        """Whether the store exists; refuse a path that is not a usable store file."""
        from zenml.config.sqlite_engine import sqlite_file_problem

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
        from zenml.config.sqlite_engine import create_sqlite_database
        from zenml.utils.files import private_dir, tighten

        folder = self.path.parent
        try:
            private_dir(folder)
        except OSError as error:
            raise StoreError(f"Cannot create the config folder {folder}: "
                             f"{error.strerror}; set ZENML_CONFIG_PATH to a writable "
                             f"folder") from None
        tighten([folder])
        try:
            create_sqlite_database(self.path, self._initialize, _PRAGMAS)
        except OSError as error:
            raise StoreError(f"Cannot create the stack store {self.path}: {error.strerror}; "
                             f"set ZENML_CONFIG_PATH to a writable folder") from None
        except sa_exc.DBAPIError as error:
            raise StoreError(f"Cannot create the stack store {self.path}: "
                             f"{error.orig}") from None

    def _get_engine(self) -> sa.Engine:
        if self._engine is not None:
            return self._engine
        from zenml.config.sqlite_engine import (
            can_write,
            configure_sqlite_engine,
            side_files,
            sqlite_connector,
        )
        from zenml.utils.files import tighten

        existed = self._check_file()
        if not existed:
            self._create_file()
        self.read_only = not can_write(self.path)
        engine = sa.create_engine("sqlite://", poolclass=sa.pool.NullPool,
                                  creator=sqlite_connector(self.path, read_only=self.read_only))
        configure_sqlite_engine(engine, _PRAGMAS)
        self._engine = engine
        logger.debug("Using the stack store %s%s", self.path,
                     " (read-only)" if self.read_only else "")
        self._ensure_schema()
        if existed:  # a zenml store made before its files were private becomes so
            tighten([self.path.parent, *side_files(self.path)])
        return engine

    def _read_only_error(self) -> StoreError:
        return StoreError(f"The stack store {self.path} is read-only for this user; this "
                          f"command changes it: get write access to the file and its "
                          f"folder, or set ZENML_CONFIG_PATH to a folder of your own")

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[sa.Connection]:
        engine = self._get_engine()
        if write and self.read_only:
            raise self._read_only_error()
        try:
            with engine.connect() as connection:
                connection.info["write"] = write
                with connection.begin():
                    yield connection
        except sa_exc.IntegrityError as error:
            raise EntityExistsError(f"Conflicting registration: {error.orig}") from None
        except sa_exc.OperationalError as error:
            if "locked" in str(error.orig):
                raise StoreError(f"The stack store {self.path} stayed locked by another "
                                 f"zenml process for 60 s; retry") from None
            if "readonly" in str(error.orig):
                raise self._read_only_error() from None
            raise StoreError(f"The stack store {self.path} cannot be used: "
                             f"{error.orig}") from None
        except sa_exc.DatabaseError as error:
            raise StoreError(f"The stack store {self.path} is unreadable ({error.orig}); "
                             f"zenml will not overwrite it: move it aside to start "
                             f"afresh") from None

    def _read(self) -> Any:
        return self._transaction(write=False)

    def _write(self) -> Any:
        return self._transaction(write=True)

    def _schema_version(self, connection: sa.Connection) -> int:
        tables = {row[0] for row in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        value = None
        if "zenml_meta" in tables:
            value = connection.execute(sa.select(meta_table.c.value).where(
                meta_table.c.key == "schema_version")).scalar()
        if value is None:
            what = "has no zenml schema version" if tables else "has no tables"
            raise StoreError(f"The stack store {self.path} is a SQLite database but not a "
                             f"zenml store ({what}); zenml will not touch it: move it aside "
                             f"or set ZENML_CONFIG_PATH to another folder")
        try:
            return int(value)
        except ValueError:
            raise StoreError(f"The stack store {self.path} has an unreadable schema version "
                             f"({value!r}); zenml will not overwrite it: move it aside to "
                             f"start afresh") from None

    def _initialize(self, connection: sa.Connection) -> None:
        """The schema of a new store; the default stack follows once it is in place."""
        metadata.create_all(connection)
        connection.execute(sa.insert(meta_table).values(
            key="schema_version", value=str(SCHEMA_VERSION)))
        if self._default_stack_factory is not None:
            self._set_meta(connection, _DEFAULT_PENDING_KEY, "1")

    def _ensure_schema(self) -> None:
        with self._read() as connection:
            version = self._schema_version(connection)
            pending = self._get_meta(connection, _DEFAULT_PENDING_KEY)
        if version > SCHEMA_VERSION:
            raise StoreError(f"The stack store {self.path} was written by a newer zenml "
                             f"(schema {version} > {SCHEMA_VERSION}); upgrade zenml-core")
        if pending and not self.read_only:
            # made by the process that created the file, or by the next one if it died
            with self._write() as connection:
                if self._get_meta(connection, _DEFAULT_PENDING_KEY):
                    self._create_default_stack(connection)
                    connection.execute(sa.delete(meta_table).where(
                        meta_table.c.key == _DEFAULT_PENDING_KEY))

    def _create_default_stack(self, connection: sa.Connection) -> None:
        if self._default_stack_factory is None:
            return
        configs = self._default_stack_factory()
        ids: dict[StackComponentType, str] = {}
        for type_, flavor in (
            (StackComponentType.ORCHESTRATOR, "local"),
            (StackComponentType.ARTIFACT_STORE, "local"),
            (StackComponentType.METADATA_STORE, "sqlite"),
        ):
            model = self._insert_component(connection, DEFAULT_NAME, type_, flavor,
                                           configs.get(type_.value, {}), [])
            ids[type_] = model.id
        stack_id = self._insert_stack(connection, DEFAULT_NAME, ids)
        connection.execute(sa.insert(couplings_table).values(
            artifact_store_id=ids[StackComponentType.ARTIFACT_STORE],
            metadata_store_id=ids[StackComponentType.METADATA_STORE]))
        self._set_meta(connection, ACTIVE_STACK_KEY, stack_id)

    def _set_meta(self, connection: sa.Connection, key: str, value: str) -> None:
        connection.execute(sa.delete(meta_table).where(meta_table.c.key == key))
        connection.execute(sa.insert(meta_table).values(key=key, value=value))

    # -- components -------------------------------------------------------------

    def _insert_component(self, connection: sa.Connection, name: str,
                          type_: StackComponentType, flavor: str, config: Mapping[str, Any],
                          secret_fields: list[str]) -> ComponentModel:
        now = _now()
        model = ComponentModel(id=str(uuid.uuid4()), name=name, type=type_, flavor=flavor,
                               config=dict(config), secret_fields=list(secret_fields),
                               created=now, updated=now)
        connection.execute(sa.insert(components_table).values(
            id=model.id, name=name, type=type_.value, flavor=flavor,
            config=json.dumps(model.config), secret_fields=json.dumps(model.secret_fields),
            created=now, updated=now))
        return model

    def _component_row(self, connection: sa.Connection, type_: StackComponentType,
                       name: str) -> ComponentModel:
        row = connection.execute(sa.select(components_table).where(
            components_table.c.type == type_.value,
            components_table.c.name == name)).first()
        if row is None:
            names = connection.execute(sa.select(components_table.c.name).where(
                components_table.c.type == type_.value).order_by(
                components_table.c.name)).scalars().all()
            known = ", ".join(names) or "none"
            raise EntityNotFoundError(
                f"No {type_.display_name} named '{name}' is registered (registered: "
                f"{known}); see 'zenml {type_.cli_name} list'")
        return _component_from_row(row)

    def list_components(self, type_: StackComponentType | None = None) -> list[ComponentModel]:
        """Every registered component (of one type), by type and name."""
        query = sa.select(components_table).order_by(components_table.c.type,
                                                      components_table.c.name)
        if type_ is not None:
            query = query.where(components_table.c.type == type_.value)
        with self._read() as connection:
            return [_component_from_row(r) for r in connection.execute(query)]

    def get_component(self, type_: StackComponentType, name: str) -> ComponentModel:
        """One component by type and name."""
        with self._read() as connection:
            return self._component_row(connection, type_, name)

    def create_component(self, name: str, type_: StackComponentType, flavor: str,
                         config: Mapping[str, Any], secret_fields: list[str]) -> ComponentModel:
        """Register a component; its name must be new for its type."""
        with self._write() as connection:
            exists = connection.execute(sa.select(components_table.c.id).where(
                components_table.c.type == type_.value,
                components_table.c.name == name)).first()
            if exists:
                raise EntityExistsError(
                    f"{type_.a_name.capitalize()} named '{name}' is already registered; choose "
                    f"another name or 'zenml {type_.cli_name} delete {name}' first")
            return self._insert_component(connection, name, type_, flavor, config,
                                          secret_fields)

    def update_component(self, type_: StackComponentType, name: str,
                         config: Mapping[str, Any], secret_fields: list[str]) -> ComponentModel:
        """Replace a component's stored config."""
        with self._write() as connection:
            model = self._component_row(connection, type_, name)
            model.config, model.secret_fields, model.updated = dict(config), secret_fields, _now()
            connection.execute(sa.update(components_table).where(
                components_table.c.id == model.id).values(
                config=json.dumps(model.config), secret_fields=json.dumps(secret_fields),
                updated=model.updated))
            return model

    def rename_component(self, type_: StackComponentType, name: str, new_name: str) -> None:
        """Rename a component (stacks keep using it)."""
        with self._write() as connection:
            model = self._component_row(connection, type_, name)
            clash = connection.execute(sa.select(components_table.c.id).where(
                components_table.c.type == type_.value,
                components_table.c.name == new_name)).first()
            if clash:
                raise EntityExistsError(f"{type_.a_name.capitalize()} named '{new_name}' is "
                                        f"already registered; choose another name")
            connection.execute(sa.update(components_table).where(
                components_table.c.id == model.id).values(name=new_name, updated=_now()))

    def _stacks_using(self, connection: sa.Connection, component_id: str) -> list[str]:
        return list(connection.execute(
            sa.select(stacks_table.c.name).join(
                stack_components_table, stack_components_table.c.stack_id == stacks_table.c.id)
            .where(stack_components_table.c.component_id == component_id)
            .order_by(stacks_table.c.name)).scalars())

    def delete_component(self, type_: StackComponentType, name: str) -> ComponentModel:
        """Delete a component that no stack uses."""
        with self._write() as connection:
            model = self._component_row(connection, type_, name)
            users = self._stacks_using(connection, model.id)
            if users:
                raise IllegalOperationError(
                    f"{type_.display_name.capitalize()} '{name}' is used by stack(s) "
                    f"{', '.join(repr(u) for u in users)}; remove it from them (zenml "
                    f"stack update / remove-component) or delete them first")
            connection.execute(sa.delete(components_table).where(
                components_table.c.id == model.id))
            return model

    # -- stacks -----------------------------------------------------------------

    def _insert_stack(self, connection: sa.Connection, name: str,
                      component_ids: Mapping[StackComponentType, str]) -> str:
        now = _now()
        stack_id = str(uuid.uuid4())
        connection.execute(sa.insert(stacks_table).values(id=stack_id, name=name,
                                                          created=now, updated=now))
        for type_, component_id in component_ids.items():
            connection.execute(sa.insert(stack_components_table).values(
                stack_id=stack_id, type=type_.value, component_id=component_id))
        return stack_id

    def _load_stacks(self, connection: sa.Connection, name: str | None = None
                     ) -> list[StackModel]:
        query = sa.select(stacks_table).order_by(stacks_table.c.name)
        if name is not None:
            query = query.where(stacks_table.c.name == name)
        rows = connection.execute(query).all()
        if not rows:
            return []
        components = {c.id: c for c in map(_component_from_row, connection.execute(
            sa.select(components_table)))}
        links: dict[str, dict[StackComponentType, ComponentModel]] = {r.id: {} for r in rows}
        link_query = sa.select(stack_components_table)
        if name is not None:
            link_query = link_query.where(stack_components_table.c.stack_id == rows[0].id)
        for link in connection.execute(link_query):
            links[link.stack_id][StackComponentType(link.type)] = components[link.component_id]
        return [StackModel(id=r.id, name=r.name, components=links[r.id], created=r.created,
                           updated=r.updated) for r in rows]

    def _stack_row(self, connection: sa.Connection, name: str) -> StackModel:
        found = self._load_stacks(connection, name)
        if not found:
            names = connection.execute(sa.select(stacks_table.c.name).order_by(
                stacks_table.c.name)).scalars().all()
            raise EntityNotFoundError(f"No stack named '{name}' is registered (registered: "
                                      f"{', '.join(names) or 'none'}); see 'zenml stack list'")
        return found[0]

    def list_stacks(self) -> list[StackModel]:
        """Every registered stack, by name."""
        with self._read() as connection:
            return self._load_stacks(connection)

    def get_stack(self, name: str) -> StackModel:
        """One stack by name."""
        with self._read() as connection:
            return self._stack_row(connection, name)

    def _resolve(self, connection: sa.Connection, names: Mapping[StackComponentType, str]
                 ) -> dict[StackComponentType, ComponentModel]:
        return {t: self._component_row(connection, t, n) for t, n in names.items()}

    def _couple(self, connection: sa.Connection, stack_name: str,
                components: Mapping[StackComponentType, ComponentModel], decouple: bool) -> None:
        artifact = components.get(StackComponentType.ARTIFACT_STORE)
        meta = components.get(StackComponentType.METADATA_STORE)
        if artifact is None or meta is None:
            return
        c = couplings_table.c
        rows = connection.execute(sa.select(couplings_table).where(
            sa.or_(c.artifact_store_id == artifact.id, c.metadata_store_id == meta.id))).all()
        conflicts = [r for r in rows
                     if (r.artifact_store_id, r.metadata_store_id) != (artifact.id, meta.id)]
        if conflicts and not decouple:
            row = conflicts[0]
            names = dict(connection.execute(sa.select(components_table.c.id,
                                                      components_table.c.name).where(
                components_table.c.id.in_([row.artifact_store_id, row.metadata_store_id]))).all())
            holder = self._stack_holding(connection, row.artifact_store_id, row.metadata_store_id)
            where = (f"in stack '{holder}'" + (" (this stack)" if holder == stack_name else "")
                     if holder else "by a stack that has since been deleted")
            msg = (
                f"Stack '{stack_name}' cannot pair artifact store '{artifact.name}' with "
                f"metadata store '{meta.name}': artifact store "
                f"'{names.get(row.artifact_store_id)}' and metadata store "
                f"'{names.get(row.metadata_store_id)}' are coupled {where}; use the coupled "
                f"store, register a new one, or pass --decouple_stores to reset the coupling"
            )
            raise StackValidationError(msg)
        for row in conflicts:
            connection.execute(sa.delete(couplings_table).where(
                c.artifact_store_id == row.artifact_store_id))
        if len(rows) == len(conflicts):
            connection.execute(sa.insert(couplings_table).values(
                artifact_store_id=artifact.id, metadata_store_id=meta.id))

    def _stack_holding(self, connection: sa.Connection, artifact_id: str, meta_id: str
                       ) -> str | None:
        a = stack_components_table.alias("a")
        m = stack_components_table.alias("m")
        return connection.execute(
            sa.select(stacks_table.c.name)
            .join(a, sa.and_(a.c.stack_id == stacks_table.c.id,
                             a.c.type == StackComponentType.ARTIFACT_STORE.value))
            .join(m, sa.and_(m.c.stack_id == stacks_table.c.id,
                             m.c.type == StackComponentType.METADATA_STORE.value))
            .where(a.c.component_id == artifact_id, m.c.component_id == meta_id)
            .order_by(stacks_table.c.name)).scalars().first()

    def create_stack(self, name: str, components: Mapping[StackComponentType, str],
                     validate: Validator, decouple_stores: bool = False,
                     activate: bool = False, repository: str | None = None) -> StackModel:
        """Register a stack of the named components (checked by ``validate``).

        With ``activate`` it becomes the active stack of ``repository`` (a
        repository root), or the global one when ``repository`` is None.
        """
        with self._write() as connection:
            if connection.execute(sa.select(stacks_table.c.id).where(
                    stacks_table.c.name == name)).first():
                raise EntityExistsError(f"A stack named '{name}' is already registered; "
                                        f"choose another name or use 'zenml stack update'")
            resolved = self._resolve(connection, components)
            validate(resolved)
            self._couple(connection, name, resolved, decouple_stores)
            stack_id = self._insert_stack(connection, name, {t: c.id for t, c in resolved.items()})
            if activate and repository is not None:
                self._set_repository_stack(connection, repository, stack_id)
            elif activate:
                self._set_meta(connection, ACTIVE_STACK_KEY, stack_id)
            return self._stack_row(connection, name)

    def update_stack(self, name: str, changes: Mapping[StackComponentType, str | None],
                     validate: Validator, decouple_stores: bool = False) -> StackModel:
        """Replace (name) or remove (None) components of a stack."""
        with self._write() as connection:
            stack = self._stack_row(connection, name)
            resolved = dict(stack.components)
            for type_, component_name in changes.items():
                if component_name is None:
                    resolved.pop(type_, None)
                else:
                    resolved[type_] = self._component_row(connection, type_, component_name)
            validate(resolved)
            stores = (StackComponentType.ARTIFACT_STORE, StackComponentType.METADATA_STORE)
            if decouple_stores or any(
                    getattr(resolved.get(t), "id", None) != getattr(stack.components.get(t),
                                                                    "id", None)
                    for t in stores):
                self._couple(connection, name, resolved, decouple_stores)
            connection.execute(sa.delete(stack_components_table).where(
                stack_components_table.c.stack_id == stack.id))
            for type_, component in resolved.items():
                connection.execute(sa.insert(stack_components_table).values(
                    stack_id=stack.id, type=type_.value, component_id=component.id))
            connection.execute(sa.update(stacks_table).where(
                stacks_table.c.id == stack.id).values(updated=_now()))
            return self._stack_row(connection, name)

    def rename_stack(self, name: str, new_name: str) -> None:
        """Rename a stack (it stays active if it was)."""
        with self._write() as connection:
            stack = self._stack_row(connection, name)
            if connection.execute(sa.select(stacks_table.c.id).where(
                    stacks_table.c.name == new_name)).first():
                raise EntityExistsError(f"A stack named '{new_name}' is already registered; "
                                        f"choose another name")
            connection.execute(sa.update(stacks_table).where(
                stacks_table.c.id == stack.id).values(name=new_name, updated=_now()))

    def delete_stack(self, name: str, delete_components: bool = False) -> list[ComponentModel]:
        """Delete a stack that is not active (globally or in a repository that exists).

        With ``delete_components`` also its components no other stack uses;
        returns the components deleted.
        """
        with self._write() as connection:
            stack = self._stack_row(connection, name)
            if stack.id == self._get_meta(connection, ACTIVE_STACK_KEY):
                raise IllegalOperationError(
                    f"Stack '{stack.name}' is the active stack; activate another one first "
                    f"('zenml stack set --global OTHER')")
            repositories = connection.execute(sa.select(repositories_table.c.path).where(
                repositories_table.c.stack_id == stack.id)).scalars().all()
            alive = [p for p in repositories if (Path(p) / REPOSITORY_DIRECTORY).is_dir()]
            if alive:
                raise IllegalOperationError(
                    f"Stack '{stack.name}' is the active stack of the repository at "
                    f"{alive[0]}; run 'zenml stack set OTHER' there first")
            connection.execute(sa.delete(stacks_table).where(stacks_table.c.id == stack.id))
            deleted = []
            if delete_components:
                for component in stack.components.values():
                    if not self._stacks_using(connection, component.id):
                        connection.execute(sa.delete(components_table).where(
                            components_table.c.id == component.id))
                        deleted.append(component)
            return deleted

    def import_stack(self, name: str, components: Mapping[StackComponentType, ComponentModel],
                     validate: Validator, decouple_stores: bool = False
                     ) -> tuple[StackModel, dict[StackComponentType, str]]:
        """Register a stack and whichever of its components are new, in one go.

        A component is registered under the file's name when that name is
        free, and reused when the registered one is identical. When the name
        is taken by a different component, an identical component of another
        name is reused, or else it is registered as ``<stack>_<name>``.
        Returns the stack and the names that differ from the file's.
        """
        with self._write() as connection:
            if connection.execute(sa.select(stacks_table.c.id).where(
                    stacks_table.c.name == name)).first():
                raise EntityExistsError(f"A stack named '{name}' is already registered; "
                                        f"import it under another name")
            names: dict[StackComponentType, str] = {}
            renamed: dict[StackComponentType, str] = {}
            for type_, wanted in components.items():
                registered = {c.name: c for c in map(_component_from_row, connection.execute(
                    sa.select(components_table).where(components_table.c.type == type_.value)))}
                same = [c.name for c in registered.values()
                        if (c.flavor, c.config) == (wanted.flavor, wanted.config)]
                if wanted.name in same:
                    candidate = wanted.name
                elif wanted.name not in registered:
                    candidate = wanted.name
                    self._insert_component(connection, candidate, type_, wanted.flavor,
                                           wanted.config, wanted.secret_fields)
                elif same:
                    candidate = same[0]
                else:
                    candidate, attempt = f"{name}_{wanted.name}", 1
                    while candidate in registered:
                        attempt += 1
                        candidate = f"{name}_{wanted.name}_{attempt}"
                    self._insert_component(connection, candidate, type_, wanted.flavor,
                                           wanted.config, wanted.secret_fields)
                names[type_] = candidate
                if candidate != wanted.name:
                    renamed[type_] = candidate
            resolved = self._resolve(connection, names)
            validate(resolved)
            self._couple(connection, name, resolved, decouple_stores)
            self._insert_stack(connection, name, {t: c.id for t, c in resolved.items()})
            return self._stack_row(connection, name), renamed

    # -- the active stack ----------------------------------------------------------

    def _get_meta(self, connection: sa.Connection, key: str) -> str | None:
        value = connection.execute(sa.select(meta_table.c.value).where(
            meta_table.c.key == key)).scalar()
        return str(value) if value is not None else None

    def get_active_stack_name(self) -> str | None:
        """The globally active stack's name (None if it was never set)."""
        with self._read() as connection:
            stack_id = self._get_meta(connection, ACTIVE_STACK_KEY)
            if stack_id is None:
                return None
            value = connection.execute(sa.select(stacks_table.c.name).where(
                stacks_table.c.id == stack_id)).scalar()
            return str(value) if value is not None else None

    def set_active_stack(self, name: str) -> StackModel:
        """Make ``name`` the globally active stack."""
        with self._write() as connection:
            stack = self._stack_row(connection, name)
            self._set_meta(connection, ACTIVE_STACK_KEY, stack.id)
            return stack

    # -- repositories -----------------------------------------------------------------

    def _set_repository_stack(self, connection: sa.Connection, path: str,
                              stack_id: str) -> None:
        connection.execute(sa.delete(repositories_table).where(
            repositories_table.c.path == path))
        connection.execute(sa.insert(repositories_table).values(path=path, stack_id=stack_id))

    def set_repository_stack(self, path: str, name: str) -> None:
        """Make ``name`` the active stack of the repository at ``path``."""
        with self._write() as connection:
            self._set_repository_stack(connection, path, self._stack_row(connection, name).id)

    def get_repository_stack_name(self, path: str) -> str | None:
        """The active stack of the repository at ``path`` (None: use the global one)."""
        with self._read() as connection:
            value = connection.execute(
                sa.select(stacks_table.c.name).join(
                    repositories_table, repositories_table.c.stack_id == stacks_table.c.id)
                .where(repositories_table.c.path == path)).scalar()
            return str(value) if value is not None else None

    # -- component states -------------------------------------------------------------

    def get_states(self) -> dict[str, ComponentState]:
        """The last recorded state of each component, by component id."""
        with self._read() as connection:
            return {r.component_id: ComponentState(r.provisioned, r.running, r.updated)
                    for r in connection.execute(sa.select(states_table))}

    def set_state(self, component_id: str, state: ComponentState) -> None:
        """Record a component's state after ``up`` or ``down``."""
        with self._write() as connection:
            connection.execute(sa.delete(states_table).where(
                states_table.c.component_id == component_id))
            connection.execute(sa.insert(states_table).values(
                component_id=component_id, provisioned=state.provisioned,
                running=state.running, updated=_now()))
