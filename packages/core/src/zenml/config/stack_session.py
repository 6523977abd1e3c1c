"""The stack store's tables and the records inside one of its transactions (storage only)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from zenml.errors import EntityNotFoundError
from zenml.sql.database import utcnow
from zenml.sql.schema import Schema, version_table
from zenml.stack.component_type import StackComponentType
from zenml.stack.models import ComponentModel, StackModel

__all__ = ["REVISIONS", "SCHEMA", "SCHEMA_VERSION", "StackSession", "component_from_row", "now"]

SCHEMA_VERSION = 1

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

#: The Alembic revisions of this schema, oldest first (scripts in zenml/config/migrations).
REVISIONS = ("stack_0001",)
SCHEMA = Schema(metadata=metadata, meta=meta_table, generation=SCHEMA_VERSION,
                versions=version_table(metadata, "zenml_alembic_version"),
                migrations="zenml.config.migrations", revisions=REVISIONS)

ACTIVE_STACK_KEY = "active_stack_id"


def component_from_row(row: Any) -> ComponentModel:
    return ComponentModel(
        id=row.id, name=row.name, type=StackComponentType(row.type), flavor=row.flavor,
        config=json.loads(row.config), secret_fields=json.loads(row.secret_fields),
        created=row.created, updated=row.updated,
    )



def now() -> datetime:
    """The stack store's timestamps: UTC to the second."""
    return utcnow(whole_seconds=True)


class StackSession:
    """The store's records inside one transaction: reads, and writes when it is one."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection

    def _execute(self, statement: Any) -> Any:  # a Result; rows are untyped
        return self.connection.execute(statement)

    # -- meta ---------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A value of the store's key/value table."""
        value = self._execute(sa.select(meta_table.c.value).where(
            meta_table.c.key == key)).scalar()
        return str(value) if value is not None else None

    def set_meta(self, key: str, value: str | None) -> None:
        """Set (or with None remove) a value of the key/value table."""
        self._execute(sa.delete(meta_table).where(meta_table.c.key == key))
        if value is not None:
            self._execute(sa.insert(meta_table).values(key=key, value=value))

    # -- components ---------------------------------------------------------------------
    def components(self, type_: StackComponentType) -> dict[str, ComponentModel]:
        """The registered components of one type, by name."""
        rows = self._execute(sa.select(components_table).where(
            components_table.c.type == type_.value).order_by(components_table.c.name))
        return {m.name: m for m in map(component_from_row, rows)}

    def component(self, type_: StackComponentType, name: str) -> ComponentModel:
        """One component; a missing one is an error that lists the registered ones."""
        row = self._execute(sa.select(components_table).where(
            components_table.c.type == type_.value,
            components_table.c.name == name)).first()
        if row is None:
            known = ", ".join(self.components(type_)) or "none"
            raise EntityNotFoundError(
                f"No {type_.display_name} named '{name}' is registered (registered: "
                f"{known}); see 'zenml {type_.cli_name} list'")
        return component_from_row(row)

    def component_names(self, ids: list[str]) -> dict[str, str]:
        """Component names by id."""
        return dict(self._execute(sa.select(components_table.c.id, components_table.c.name)
                                  .where(components_table.c.id.in_(ids))).all())

    def add_component(self, name: str, type_: StackComponentType, flavor: str,
                      config: Mapping[str, Any], secret_fields: list[str]) -> ComponentModel:
        """Insert a component."""
        stamp = now()
        model = ComponentModel(id=str(uuid.uuid4()), name=name, type=type_, flavor=flavor,
                               config=dict(config), secret_fields=list(secret_fields),
                               created=stamp, updated=stamp)
        self._execute(sa.insert(components_table).values(
            id=model.id, name=name, type=type_.value, flavor=flavor,
            config=json.dumps(model.config), secret_fields=json.dumps(model.secret_fields),
            created=stamp, updated=stamp))
        return model

    def delete_component(self, component_id: str) -> None:
        """Delete a component (its couplings and state go with it)."""
        self._execute(sa.delete(components_table).where(components_table.c.id == component_id))

    def stacks_using(self, component_id: str) -> list[str]:
        """The names of the stacks that use a component."""
        return list(self._execute(
            sa.select(stacks_table.c.name).join(
                stack_components_table, stack_components_table.c.stack_id == stacks_table.c.id)
            .where(stack_components_table.c.component_id == component_id)
            .order_by(stacks_table.c.name)).scalars())

    # -- stacks -------------------------------------------------------------------------
    def has_stack(self, name: str) -> bool:
        """Whether a stack of that name is registered."""
        return self._execute(sa.select(stacks_table.c.id).where(
            stacks_table.c.name == name)).first() is not None

    def stacks(self, name: str | None = None) -> list[StackModel]:
        """Every stack (or the one named), by name."""
        query = sa.select(stacks_table).order_by(stacks_table.c.name)
        if name is not None:
            query = query.where(stacks_table.c.name == name)
        rows = self._execute(query).all()
        if not rows:
            return []
        components = {c.id: c for c in map(component_from_row, self._execute(
            sa.select(components_table)))}
        links: dict[str, dict[StackComponentType, ComponentModel]] = {r.id: {} for r in rows}
        link_query = sa.select(stack_components_table)
        if name is not None:
            link_query = link_query.where(stack_components_table.c.stack_id == rows[0].id)
        for link in self._execute(link_query):
            links[link.stack_id][StackComponentType(link.type)] = components[link.component_id]
        return [StackModel(id=r.id, name=r.name, components=links[r.id], created=r.created,
                           updated=r.updated) for r in rows]

    def stack(self, name: str) -> StackModel:
        """One stack; a missing one is an error that lists the registered ones."""
        found = self.stacks(name)
        if not found:
            names = self._execute(sa.select(stacks_table.c.name).order_by(
                stacks_table.c.name)).scalars().all()
            raise EntityNotFoundError(f"No stack named '{name}' is registered (registered: "
                                      f"{', '.join(names) or 'none'}); see 'zenml stack list'")
        return found[0]

    def add_stack(self, name: str, component_ids: Mapping[StackComponentType, str]) -> str:
        """Insert a stack of the given components; returns its id."""
        stamp = now()
        stack_id = str(uuid.uuid4())
        self._execute(sa.insert(stacks_table).values(id=stack_id, name=name, created=stamp,
                                                     updated=stamp))
        self.set_stack_components(stack_id, component_ids, touch=False)
        return stack_id

    def set_stack_components(self, stack_id: str, component_ids: Mapping[StackComponentType, str],
                             touch: bool = True) -> None:
        """Replace a stack's components."""
        self._execute(sa.delete(stack_components_table).where(
            stack_components_table.c.stack_id == stack_id))
        for type_, component_id in component_ids.items():
            self._execute(sa.insert(stack_components_table).values(
                stack_id=stack_id, type=type_.value, component_id=component_id))
        if touch:
            self._execute(sa.update(stacks_table).where(stacks_table.c.id == stack_id)
                          .values(updated=now()))

    def delete_stack(self, stack_id: str) -> None:
        """Delete a stack (not its components)."""
        self._execute(sa.delete(stacks_table).where(stacks_table.c.id == stack_id))

    # -- couplings ----------------------------------------------------------------------
    def couplings(self, artifact_store_id: str, metadata_store_id: str) -> list[tuple[str, str]]:
        """The (artifact store, metadata store) pairs that involve either store."""
        c = couplings_table.c
        rows = self._execute(sa.select(c.artifact_store_id, c.metadata_store_id).where(
            sa.or_(c.artifact_store_id == artifact_store_id,
                   c.metadata_store_id == metadata_store_id))).all()
        return [(r.artifact_store_id, r.metadata_store_id) for r in rows]

    def couple(self, artifact_store_id: str, metadata_store_id: str) -> None:
        """Record a pair."""
        self._execute(sa.insert(couplings_table).values(
            artifact_store_id=artifact_store_id, metadata_store_id=metadata_store_id))

    def decouple(self, artifact_store_id: str) -> None:
        """Remove the pair of an artifact store."""
        self._execute(sa.delete(couplings_table).where(
            couplings_table.c.artifact_store_id == artifact_store_id))

    def stack_holding(self, artifact_store_id: str, metadata_store_id: str) -> str | None:
        """The first stack (by name) that holds both stores."""
        a = stack_components_table.alias("a")
        m = stack_components_table.alias("m")
        name = self._execute(
            sa.select(stacks_table.c.name)
            .join(a, sa.and_(a.c.stack_id == stacks_table.c.id,
                             a.c.type == StackComponentType.ARTIFACT_STORE.value))
            .join(m, sa.and_(m.c.stack_id == stacks_table.c.id,
                             m.c.type == StackComponentType.METADATA_STORE.value))
            .where(a.c.component_id == artifact_store_id,
                   m.c.component_id == metadata_store_id)
            .order_by(stacks_table.c.name)).scalars().first()
        return None if name is None else str(name)

    # -- active stacks ------------------------------------------------------------------
    def active_stack_id(self) -> str | None:
        """The id of the globally active stack."""
        return self.get_meta(ACTIVE_STACK_KEY)

    def set_active_stack(self, stack_id: str) -> None:
        """Make a stack the globally active one."""
        self.set_meta(ACTIVE_STACK_KEY, stack_id)

    def set_repository_stack(self, path: str, stack_id: str) -> None:
        """Make a stack the active one of the repository at ``path``."""
        self._execute(sa.delete(repositories_table).where(repositories_table.c.path == path))
        self._execute(sa.insert(repositories_table).values(path=path, stack_id=stack_id))

    def repositories_of(self, stack_id: str) -> list[str]:
        """The repository roots whose active stack this is."""
        return list(self._execute(sa.select(repositories_table.c.path).where(
            repositories_table.c.stack_id == stack_id)).scalars())


