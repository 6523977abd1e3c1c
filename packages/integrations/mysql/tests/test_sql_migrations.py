"""Schema migrations on MariaDB: a metadata database of the previous release opens upgraded.

``sql_v1_metadata_mysql.sql`` is the DDL zenml-core 0.1 (before migrations)
ran on MySQL / MariaDB: schema_version 1 and no revision table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zenml.metadata_stores.schema import SCHEMA
from zenml.repository import Repository

from conftest import Server, Zen, register_stack

V1 = Path(__file__).with_name("sql_v1_metadata_mysql.sql")
ROWS = [
    "INSERT INTO zenml_md_pipelines VALUES ('p1', 'v1_pipeline', '2026-01-01 10:00:00.123456')",
    "INSERT INTO zenml_md_pipeline_runs VALUES ('r1', 'v1-run', 'p1', 'completed', 1, "
    "'default', 1, 'host', 7, '2026-01-01 10:00:00.5', '2026-01-01 10:00:01', NULL)",
    "INSERT INTO zenml_md_step_runs VALUES ('s1', 'r1', 'importer', 'importer', 'm:importer', "
    "'completed', 0, 'k', NULL, '{}', '{}', '2026-01-01 10:00:00.6', "
    "'2026-01-01 10:00:00.9', NULL)",
    "INSERT INTO zenml_md_artifacts VALUES ('a1', '/tmp/x', 'output', 'builtins:int', "
    "'m:M', 'h', 's1', '2026-01-01 10:00:00.9')",
    "INSERT INTO zenml_md_step_outputs VALUES ('s1', 'output', 'a1')",
]
TABLES = ["zenml_md_meta", "zenml_md_pipelines", "zenml_md_pipeline_runs", "zenml_md_step_runs",
          "zenml_md_artifacts", "zenml_md_step_outputs", "alembic_version"]


def _v1_database(server: Server, database: str) -> None:
    text = "\n".join(line for line in V1.read_text().splitlines() if not line.startswith("--"))
    statements = [s.strip() for s in text.split(";\n") if s.strip()] + ROWS + [
        # another application's Alembic table in the same database: never touched
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
        "INSERT INTO alembic_version VALUES ('theirs_42')"]
    server.sql(f"USE `{database}`", *statements)


def _rows(server: Server, database: str) -> dict[str, list[Any]]:
    return {t: sorted(server.sql(f"SELECT * FROM `{database}`.{t}"), key=repr) for t in TABLES}


def test_a_metadata_database_of_the_previous_release_opens_upgraded(
        zen: Zen, mysql: Server, database: str, tmp_path: Path) -> None:
    _v1_database(mysql, database)
    before = _rows(mysql, database)
    register_stack(zen, "s", mysql, database, tmp_path)

    assert "v1-run" in zen("pipeline", "runs", "list").output
    assert mysql.sql(f"SELECT version_num FROM `{database}`.zenml_md_alembic_version") == \
        [(SCHEMA.head,)]
    assert _rows(mysql, database) == before
    store = Repository().active_stack.metadata_store
    run = store.get_run("v1-run")
    assert (run.pipeline_name, run.pid, run.created.microsecond) == ("v1_pipeline", 7, 500000)
    assert store.get_step_outputs("s1")["output"].uri == "/tmp/x"
    store.create_run(run_id="r2", run_name="after", pipeline_name="v1_pipeline",
                     stack_name="s", enable_cache=True, num_steps=1)
    assert [r.name for r in store.get_runs()] == ["v1-run", "after"]
    store.dispose()


def test_a_database_at_a_newer_revision_is_refused(
        zen: Zen, mysql: Server, database: str, tmp_path: Path) -> None:
    _v1_database(mysql, database)
    register_stack(zen, "s", mysql, database, tmp_path)
    zen("metadata-store", "up")  # stamps it
    mysql.sql(f"UPDATE `{database}`.zenml_md_alembic_version SET version_num = 'md_9999'")
    before = _rows(mysql, database)
    result = zen.fails("pipeline", "runs", "list")
    assert "newer zenml" in result.stderr and "md_9999" in result.stderr
    assert f"database '{database}'" in result.stderr
    assert _rows(mysql, database) == before
