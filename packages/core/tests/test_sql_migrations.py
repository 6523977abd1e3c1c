"""Schema migrations (zenml.sql.schema): stores of the previous release open upgraded.

``sql_v1/`` holds the stack store and a metadata store as zenml-core 0.1 made
them (schema_version 1, no revision table), dumped with sqlite3.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from zenml.config.stack_session import SCHEMA as STACK_SCHEMA
from zenml.metadata_stores.schema import SCHEMA as MD_SCHEMA
from zenml.sql.database import Database
from zenml.sql.schema import Schema, SchemaProblem, ensure_schema, version_table
from zenml.testing import imported_modules_after

from conftest import Zen

V1 = Path(__file__).parent / "sql_v1"
HEAVY = ("alembic", "mako")


def _load(sql: str, path: Path, config: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.executescript(sql.replace("{CONFIG}", str(config)))
    connection.close()
    path.chmod(0o600)


def _v1_stores(config: Path) -> Path:
    """Lay out the previous release's stores in ``config``; returns the metadata file."""
    _load((V1 / "stack_store.sql").read_text(), config / "stack_store.db", config)
    stack = (V1 / "stack_store.sql").read_text().replace("{CONFIG}", str(config))
    uri = next(json.loads(line.split("'")[9])["uri"] for line in stack.splitlines()
               if "'metadata_store','sqlite'" in line)
    _load((V1 / "metadata.sql").read_text(), Path(uri), config)
    return Path(uri)


def _rows(path: Path, skip: str) -> dict[str, list[Any]]:
    with sqlite3.connect(path) as connection:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = {t: sorted(connection.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for t in tables if t != skip}
    connection.close()
    return rows


def _revision(path: Path, table: str) -> list[str]:
    with sqlite3.connect(path) as connection:
        revisions = [r[0] for r in connection.execute(f"SELECT version_num FROM {table}")]
    connection.close()
    return revisions


def test_stores_of_the_previous_release_open_upgraded_with_nothing_lost(
        config_dir: Path, zen: Zen) -> None:
    metadata = _v1_stores(config_dir)
    stack_before = _rows(config_dir / "stack_store.db", STACK_SCHEMA.versions.name)
    md_before = _rows(metadata, MD_SCHEMA.versions.name)

    listed = zen("stack", "list").output
    assert "second" in listed and "default" in listed
    assert "v1-run" in zen("pipeline", "runs", "list").output

    assert _revision(config_dir / "stack_store.db", "zenml_alembic_version") == \
        [STACK_SCHEMA.head]
    assert _revision(metadata, "zenml_md_alembic_version") == [MD_SCHEMA.head]
    assert _rows(config_dir / "stack_store.db", STACK_SCHEMA.versions.name) == stack_before
    assert _rows(metadata, MD_SCHEMA.versions.name) == md_before
    # the upgraded stores are used as any: a registration and a run land
    zen("artifact-store", "register", "after", "--flavor=local", f"--path={config_dir}/a2")
    assert "after" in zen("artifact-store", "list").output


def test_an_upgraded_or_new_store_opens_without_alembic(config_dir: Path, zen: Zen) -> None:
    _v1_stores(config_dir)
    upgrading = imported_modules_after(["pipeline", "runs", "list"])
    assert {"alembic", "mako"} <= upgrading  # the migration imported it, once
    for args in (["stack", "list"], ["pipeline", "runs", "list"]):
        loaded = imported_modules_after(args)
        assert not [m for m in loaded if m.split(".")[0] in HEAVY], args


def test_a_new_store_is_created_at_the_head(config_dir: Path, zen: Zen) -> None:
    loaded = imported_modules_after(["stack", "list"])
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
    assert _revision(config_dir / "stack_store.db", "zenml_alembic_version") == \
        [STACK_SCHEMA.head]


@pytest.mark.parametrize("where", ["stack", "metadata"])
def test_a_store_from_a_newer_zenml_revision_is_refused(config_dir: Path, zen: Zen,
                                                        where: str) -> None:
    metadata = _v1_stores(config_dir)
    zen("pipeline", "runs", "list")  # stamps both
    path, table = ((config_dir / "stack_store.db", "zenml_alembic_version") if where == "stack"
                   else (metadata, "zenml_md_alembic_version"))
    with sqlite3.connect(path) as connection:
        connection.execute(f"UPDATE {table} SET version_num = 'x_9999'")
    connection.close()
    before = _rows(path, "")
    result = zen.fails("pipeline", "runs", "list")
    assert "newer zenml" in result.stderr and "x_9999" in result.stderr
    assert "upgrade zenml-core" in result.stderr
    assert _rows(path, "") == before


def test_the_revisions_are_the_scripts_shipped() -> None:
    from importlib.resources import files

    from alembic.script import ScriptDirectory

    for schema in (STACK_SCHEMA, MD_SCHEMA):
        scripts = ScriptDirectory(str(files(schema.migrations)))
        chain = [s.revision for s in scripts.walk_revisions()][::-1]
        assert tuple(chain) == schema.revisions
        assert scripts.get_heads() == [schema.head]


# -- the mechanism, with a migration that changes something --------------------------------
V1_SCRIPT = '''
revision = "t_0001"
down_revision = None


def upgrade() -> None:
    """The baseline."""
'''
V2_SCRIPT = '''
import sqlalchemy as sa
from alembic import op

revision = "t_0002"
down_revision = "t_0001"


def upgrade() -> None:
    """Add a column, keep the rows."""
    with op.batch_alter_table("things") as batch:
        batch.add_column(sa.Column("colour", sa.String(16), nullable=True))
    op.execute("UPDATE things SET colour = 'blue'")
'''


def _schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, package: str,
            with_colour: bool) -> Schema:
    versions = tmp_path / package / "versions"
    versions.mkdir(parents=True)
    (tmp_path / package / "__init__.py").write_text("")
    (versions / "t_0001.py").write_text(V1_SCRIPT)
    (versions / "t_0002.py").write_text(V2_SCRIPT)
    monkeypatch.syspath_prepend(str(tmp_path))
    metadata = sa.MetaData()
    meta = sa.Table("t_meta", metadata, sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("value", sa.String(255), nullable=False))
    columns = [sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(9))]
    if with_colour:
        columns.append(sa.Column("colour", sa.String(16)))
    sa.Table("things", metadata, *columns)
    return Schema(metadata=metadata, meta=meta, generation=1,
                  versions=version_table(metadata, "t_alembic_version"), migrations=package,
                  revisions=("t_0001", "t_0002"))


def _database(path: Path) -> Database:
    return Database(sa.create_engine(f"sqlite:///{path}"), lambda error: None)


def test_an_unstamped_store_gets_every_revision_in_one_transaction(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as connection:  # what the release before migrations made
        connection.executescript(
            "CREATE TABLE t_meta (key VARCHAR(64) PRIMARY KEY, value VARCHAR(255) NOT NULL);"
            "INSERT INTO t_meta VALUES ('schema_version', '1');"
            "CREATE TABLE things (id INTEGER PRIMARY KEY, name VARCHAR(9));"
            "INSERT INTO things VALUES (1, 'one'), (2, 'two');")
    connection.close()
    schema = _schema(tmp_path, monkeypatch, "zt_sql_migrations_a", with_colour=True)
    database = _database(path)
    ensure_schema(database, schema)
    with database.transaction(write=False) as conn:
        assert conn.execute(sa.text("SELECT id, name, colour FROM things ORDER BY id")).all() \
            == [(1, "one", "blue"), (2, "two", "blue")]
        assert conn.execute(sa.text("SELECT version_num FROM t_alembic_version")).all() == \
            [("t_0002",)]
    ensure_schema(database, schema)  # at the head: nothing more to do
    database.dispose()
    sys.modules.pop("zt_sql_migrations_a", None)


def test_a_read_only_store_that_needs_a_real_migration_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = _schema(tmp_path, monkeypatch, "zt_sql_migrations_b", with_colour=True)
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:
        connection.executescript(
            "CREATE TABLE t_meta (key VARCHAR(64) PRIMARY KEY, value VARCHAR(255) NOT NULL);"
            "INSERT INTO t_meta VALUES ('schema_version', '1');"
            "CREATE TABLE things (id INTEGER PRIMARY KEY, name VARCHAR(9));")
    connection.close()
    database = _database(path)
    database.read_only = True
    with pytest.raises(SchemaProblem) as raised:
        ensure_schema(database, schema)
    assert raised.value.kind == "read-only"
    database.dispose()
    sys.modules.pop("zt_sql_migrations_b", None)
