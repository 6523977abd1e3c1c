"""The metadata store's tables (SQLAlchemy Core), shared by every SQL flavor.

All names start with ``zenml_md_`` (the Alembic revision table too).
zenml sets its tables up only in an empty database, or one the flavor may
share with other applications (MySQL); migrations are zenml.sql.schema's.
Column types are portable between SQLite and MySQL/MariaDB: bounded strings
where indexed, microsecond timestamps on MySQL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from zenml.sql.schema import Schema, version_table

__all__ = [
    "REVISIONS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "artifacts",
    "meta",
    "metadata",
    "pipeline_runs",
    "pipelines",
    "step_inputs",
    "step_outputs",
    "step_runs",
]

SCHEMA_VERSION = 1

metadata = sa.MetaData()

# MySQL / MariaDB: transactional tables and full Unicode whatever the server's defaults.
# Given to the tables when they are created on such a server (see _mysql_table_options):
# dialect options on a Table import that dialect, which SQLite stores never need.
MYSQL_OPTIONS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}

ID = sa.String(36)
NAME = sa.String(255)


class _MySQLVariant(sa.TypeDecorator[Any]):
    """A portable type whose MySQL/MariaDB form is the dialect's own (``mysql_type``);
    the MySQL dialect is imported only when a MySQL database is used."""

    cache_ok = True
    mysql_type: tuple[str, dict[str, Any]] = ("", {})

    def load_dialect_impl(self, dialect: sa.Dialect) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            from sqlalchemy.dialects import mysql

            name, options = self.mysql_type
            return dialect.type_descriptor(getattr(mysql, name)(**options))
        return dialect.type_descriptor(self.impl_instance)


class _Timestamp(_MySQLVariant):
    impl = sa.DateTime
    cache_ok = True
    mysql_type = ("DATETIME", {"fsp": 6})  # microseconds


class _LongText(_MySQLVariant):
    impl = sa.Text
    cache_ok = True
    mysql_type = ("LONGTEXT", {})


Timestamp = _Timestamp()
LongText = _LongText()

meta = sa.Table(
    "zenml_md_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)

pipelines = sa.Table(
    "zenml_md_pipelines", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", NAME, nullable=False, unique=True),
    sa.Column("created", Timestamp, nullable=False),
)

pipeline_runs = sa.Table(
    "zenml_md_pipeline_runs", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", NAME, nullable=False, unique=True),
    sa.Column("pipeline_id", ID, sa.ForeignKey("zenml_md_pipelines.id"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("enable_cache", sa.Boolean, nullable=False),
    sa.Column("stack_name", NAME, nullable=False),
    sa.Column("num_steps", sa.Integer, nullable=False),
    sa.Column("host", NAME, nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("created", Timestamp, nullable=False),
    sa.Column("finished", Timestamp, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Index("ix_zenml_md_runs_created", "created"),
    sa.Index("ix_zenml_md_runs_pipeline_created", "pipeline_id", "created"),
    # the run filters (status, stack); added by revision md_0002
    sa.Index("ix_zenml_md_runs_status_created", "status", "created"),
    sa.Index("ix_zenml_md_runs_stack_created", "stack_name", "created"),
)

step_runs = sa.Table(
    "zenml_md_step_runs", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("run_id", ID, sa.ForeignKey("zenml_md_pipeline_runs.id"), nullable=False),
    sa.Column("name", NAME, nullable=False),
    sa.Column("entrypoint_name", NAME, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("is_cached", sa.Boolean, nullable=False),
    sa.Column("cache_key", sa.String(64), nullable=False),
    sa.Column("original_step_run_id", ID, nullable=True),
    sa.Column("parameters", LongText, nullable=False),
    sa.Column("extra", LongText, nullable=False),
    sa.Column("started", Timestamp, nullable=False),
    sa.Column("finished", Timestamp, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.UniqueConstraint("run_id", "name", name="uq_zenml_md_step_runs_run_name"),
    sa.Index("ix_zenml_md_step_runs_cache", "cache_key", "status"),
)

artifacts = sa.Table(
    "zenml_md_artifacts", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("uri", sa.Text, nullable=False),
    sa.Column("name", NAME, nullable=False),
    sa.Column("data_type", sa.String(512), nullable=False),
    sa.Column("materializer", sa.String(512), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=True),
    sa.Column("producer_step_run_id", ID, sa.ForeignKey("zenml_md_step_runs.id"),
              nullable=False),
    sa.Column("created", Timestamp, nullable=False),
)

step_inputs = sa.Table(
    "zenml_md_step_inputs", metadata,
    sa.Column("step_run_id", ID, sa.ForeignKey("zenml_md_step_runs.id"), primary_key=True),
    sa.Column("name", NAME, primary_key=True),
    sa.Column("artifact_id", ID, sa.ForeignKey("zenml_md_artifacts.id"), nullable=False),
    # the steps that read an artifact (lineage downstream): md_0002
    sa.Index("ix_zenml_md_step_inputs_artifact", "artifact_id"),
)

step_outputs = sa.Table(
    "zenml_md_step_outputs", metadata,
    sa.Column("step_run_id", ID, sa.ForeignKey("zenml_md_step_runs.id"), primary_key=True),
    sa.Column("name", NAME, primary_key=True),
    sa.Column("artifact_id", ID, sa.ForeignKey("zenml_md_artifacts.id"), nullable=False),
)


@sa.event.listens_for(metadata, "before_create")
def _mysql_table_options(target: sa.MetaData, connection: sa.Connection, **_: Any) -> None:
    """Give every table :data:`MYSQL_OPTIONS` before they are created on MySQL/MariaDB."""
    if connection.dialect.name in ("mysql", "mariadb"):
        for table in target.tables.values():
            for key, value in MYSQL_OPTIONS.items():
                table.dialect_kwargs[key] = value


#: The Alembic revisions of this schema, oldest first (scripts in
#: zenml/metadata_stores/migrations); the revision table is zenml's own.
REVISIONS = ("md_0001", "md_0002")
SCHEMA = Schema(metadata=metadata, meta=meta, generation=SCHEMA_VERSION,
                versions=version_table(metadata, "zenml_md_alembic_version"),
                migrations="zenml.metadata_stores.migrations", revisions=REVISIONS)
