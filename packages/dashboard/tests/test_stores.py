"""The API on other stores: a MariaDB metadata store and an S3 artifact store.

Each stack is registered with the real CLI: a ``mysql`` metadata store on a
throwaway MariaDB (started for this module as the mysql integration's tests
start theirs, with its ``throwaway_mariadb`` helper), an ``s3`` artifact store
on moto's S3 server on loopback, and both together. The pipeline runs twice
and the runs, run, step, artifact and compare answers are checked. Without the
server binaries or libraries the tests skip locally and fail under ``CI=true``.
"""

from __future__ import annotations

import importlib
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from dash_pipeline import run

from zenml.stack.models import MASK
from zenml.testing.servers import isolate_aws, moto_s3_server

ROOT = Path(__file__).resolve().parents[3]
MYSQL_TESTS = ROOT / "packages" / "integrations" / "mysql" / "tests"
#: The MariaDB user's password: characters a URL must escape; never shown by the API.
PASSWORD = f"dash@{uuid.uuid4().hex[:8]}:/#%? x"
KEY, SECRET = "dash-test-key", f"dash-test-secret-{uuid.uuid4().hex[:8]}"


def unavailable(reason: str) -> NoReturn:
    """Skip locally; fail under CI, where these servers must run."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI=true: nox's tests(dashboard) installs them)", pytrace=False)
    pytest.skip(reason)


def need(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as error:
        unavailable(f"{module} is not installed ({error}); install the dashboard's test group "
                    f"and zenml-mysql / zenml-s3")


# -- servers ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A throwaway MariaDB with a user that may create databases: its store options."""
    need("zenml_mysql")
    need("pymysql")
    if str(MYSQL_TESTS) not in sys.path:
        sys.path.append(str(MYSQL_TESTS))
    throwaway = need("throwaway_mariadb")
    binaries = throwaway.find_binaries()
    if binaries is None:
        unavailable("no MariaDB server binaries (Debian packages mariadb-server-core and "
                    "mariadb-client-core) to start a throwaway server")
    template = tmp_path_factory.mktemp("template") / "data"
    throwaway.install_template(binaries, template)
    server = throwaway.MariaDB(binaries, template, tmp_path_factory.mktemp("server"))
    server.start()
    try:
        escaped = PASSWORD.replace("\\", "\\\\").replace("'", "\\'")
        server.sql(f"CREATE USER 'dash'@'%' IDENTIFIED BY '{escaped}'",
                   "GRANT ALL ON *.* TO 'dash'@'%'")
        yield {"host": server.host, "port": str(server.port), "username": "dash",
               "password": PASSWORD, "create": server.sql}
    finally:
        server.stop()


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """moto's S3 server on a free loopback port."""
    need("moto.server")
    need("s3fs")
    need("zenml_s3")
    with moto_s3_server() as url:
        yield url


@pytest.fixture
def no_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing of the machine's AWS setup reaches the S3 store."""
    isolate_aws(monkeypatch, tmp_path)


# -- the stack -------------------------------------------------------------------------------
@pytest.fixture(params=["mysql", "s3", "mysql+s3"])
def stores(request: pytest.FixtureRequest, zen: Any, tmp_path: Path) -> dict[str, Any]:
    """A stack ``remote`` of the parametrised stores, registered by the CLI, active."""
    kinds = request.param.split("+")
    secrets = []
    if "mysql" in kinds:
        server = request.getfixturevalue("mariadb")
        database = f"dash_{uuid.uuid4().hex[:10]}"
        server["create"](f"CREATE DATABASE `{database}`")
        zen("metadata-store", "register", "md", "--flavor=mysql", f"--host={server['host']}",
            f"--port={server['port']}", f"--database={database}",
            f"--username={server['username']}", f"--password={server['password']}")
        secrets.append(server["password"])
    else:
        zen("metadata-store", "register", "md", "--flavor=sqlite",
            f"--uri={tmp_path / 'md.db'}")
    if "s3" in kinds:
        url = request.getfixturevalue("moto_url")
        request.getfixturevalue("no_aws")
        bucket = f"dash-{uuid.uuid4().hex[:12]}"
        import boto3

        boto3.client("s3", endpoint_url=url, aws_access_key_id=KEY,
                     aws_secret_access_key=SECRET, region_name="us-east-1").create_bucket(
            Bucket=bucket)
        zen("artifact-store", "register", "arts", "--flavor=s3",
            f"--path=s3://{bucket}/zenml", f'--client_kwargs={{"endpoint_url": "{url}"}}',
            f"--key={KEY}", f"--secret={SECRET}")
        secrets.append(SECRET)
        prefix = f"s3://{bucket}/zenml/"
    else:
        zen("artifact-store", "register", "arts", "--flavor=local",
            f"--path={tmp_path / 'arts'}")
        prefix = str(tmp_path / "arts")
    zen("stack", "register", "remote", "-o", "default", "-a", "arts", "-m", "md", "--set")
    return {"kinds": kinds, "prefix": prefix, "secrets": secrets}


def test_runs_run_step_artifact_and_compare(stores: dict[str, Any], client: Any) -> None:
    first = run("first")
    run("second")
    runs = client.get("/api/v1/runs").json()
    assert [r["name"] for r in runs["runs"]] == ["second", "first"]
    assert {r["stack"] for r in runs["runs"]} == {"remote"} and runs["total"] == 2
    assert runs["runs"][0]["step_counts"]["cached"] == 2
    assert runs["runs"][1]["step_counts"]["completed"] == 2

    second = client.get("/api/v1/runs/second").json()
    assert {n["name"]: n["status"] for n in second["nodes"]} == {"produce": "cached",
                                                                 "consume": "cached"}
    assert second["edges"] == [{"source": "produce", "target": "consume", "input": "x",
                                "artifact": "output"}]

    step = client.get("/api/v1/runs/second/steps/consume").json()
    assert step["cache_origin"] == {"step": "consume", "run": "first"}
    output = step["outputs"]["output"]
    original = first.get_step("consume").output
    assert output["uri"] == original.uri and output["uri"].startswith(stores["prefix"])
    assert output["content_hash"] == original.content_hash

    artifact = client.get(f"/api/v1/artifacts/{output['id']}").json()
    assert artifact["producer"] == {"step": "consume", "run": "first"}
    assert artifact["size"] and artifact["size"] > 0
    assert artifact["preview"]["kind"] == "text" and artifact["preview"]["value"] == "14"

    compared = client.get("/api/v1/compare", params={"a": "first", "b": "second"}).json()
    produce = next(s for s in compared["steps"] if s["name"] == "produce")
    assert produce["cache_differs"] is True
    [number] = produce["outputs"]
    assert (number["a"]["value"], number["b"]["value"]) == (7, 7)  # read from the store

    stacks = client.get("/api/v1/stacks")
    remote = next(s for s in stacks.json()["stacks"] if s["name"] == "remote")
    assert remote["active"] is True and remote["coupling"]["coupled"] is True
    configs = {c["type"]: c["config"] for c in remote["components"]}
    flavors = {c["type"]: c["flavor"] for c in remote["components"]}
    assert flavors["metadata_store"] == ("mysql" if "mysql" in stores["kinds"] else "sqlite")
    assert flavors["artifact_store"] == ("s3" if "s3" in stores["kinds"] else "local")
    if "mysql" in stores["kinds"]:
        assert configs["metadata_store"]["password"] == MASK
    if "s3" in stores["kinds"]:
        assert configs["artifact_store"]["secret"] == MASK
    page = client.get("/stacks").text + client.get("/runs/second/steps/consume").text
    for secret in stores["secrets"]:
        assert secret not in stacks.text and secret not in page
