"""Fixtures: a real MariaDB for the session, fresh databases, isolated zenml config.

The server is a throwaway ``mariadbd`` started for the test session on a free
loopback port (needs the Debian package ``mariadb-server``; its service is
never used), or the server of ``ZENML_TEST_MYSQL_URL``
(``mysql+pymysql://USER:PASSWORD@HOST:PORT/``, a user that may create and drop
databases). Without either, the tests that need a server are skipped, and
fail under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pymysql
import pytest
from throwaway_mariadb import (
    Binaries,
    Certificates,
    MariaDB,
    find_binaries,
    install_template,
    make_certificates,
    run_sql,
)

from zenml.testing import ZenCLI, isolate_zenml

URL_VARIABLE = "ZENML_TEST_MYSQL_URL"
ZENML = str(Path(sys.executable).with_name("zenml"))
#: The password of the test user: characters that need escaping in a URL.
PASSWORD = "p@ss:w/rd#%?& 1"


def unavailable(reason: str) -> NoReturn:
    """Skip locally; fail under CI, where every server test must run."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI=true: .ci/run installs them)",
                     pytrace=False)
    pytest.skip(reason)


@dataclass
class Server:
    """A MySQL / MariaDB server the tests may create databases on."""

    host: str
    port: int
    user: str
    password: str
    admin: Callable[[], Any]
    own: MariaDB | None = None

    def sql(self, *statements: str) -> list[tuple[Any, ...]]:
        return run_sql(self.admin, *statements)

    def create_database(self) -> str:
        name = f"zt_{uuid.uuid4().hex[:10]}"
        self.sql(f"CREATE DATABASE `{name}`")
        return name

    def store_options(self, database: str, **extra: str) -> list[str]:
        """``zenml metadata-store register`` options for this server."""
        values = {"host": self.host, "port": str(self.port), "database": database,
                  "username": self.user, "password": self.password, **extra}
        return [f"--{key}={value}" for key, value in values.items()]


# -- the server -----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def binaries() -> Binaries:
    found = find_binaries()
    if found is None:
        unavailable(f"no MariaDB server binary (mariadbd and mariadb-install-db: Debian "
                    f"packages mariadb-server-core and mariadb-client-core) to start a "
                    f"throwaway server, and no {URL_VARIABLE}")
    return found


@pytest.fixture(scope="session")
def template(binaries: Binaries, tmp_path_factory: pytest.TempPathFactory) -> Path:
    datadir = tmp_path_factory.mktemp("template") / "data"
    install_template(binaries, datadir)
    return datadir


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certs"))


def _own_user(server: MariaDB) -> None:
    server.sql(f"CREATE USER 'zen'@'%' IDENTIFIED BY '{PASSWORD}'",
               "GRANT ALL ON *.* TO 'zen'@'%'")


@pytest.fixture(scope="session")
def mysql(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
          ) -> Iterator[Server]:
    """The session's server: ZENML_TEST_MYSQL_URL's, or a throwaway MariaDB with TLS."""
    url = os.environ.get(URL_VARIABLE)
    if url:
        from sqlalchemy import make_url

        parsed = make_url(url)
        host, port = parsed.host or "127.0.0.1", parsed.port or 3306
        user, password = parsed.username or "root", parsed.password or ""

        def admin() -> Any:
            return pymysql.connect(host=host, port=port, user=user, password=password,
                                   autocommit=True, connect_timeout=10)

        yield Server(host=host, port=port, user=user, password=str(password), admin=admin)
        return
    bins: Binaries = request.getfixturevalue("binaries")
    own = MariaDB(bins, request.getfixturevalue("template"),
                  tmp_path_factory.mktemp("server"), request.getfixturevalue("certificates"))
    with _serving(own) as server:
        yield server



@contextlib.contextmanager
def _serving(own: MariaDB) -> Iterator[Server]:
    """Start ``own`` with the test user; stop it afterwards."""
    own.start()
    try:
        _own_user(own)
        yield Server(host=own.host, port=own.port, user="zen", password=PASSWORD,
                     admin=own.root, own=own)
    finally:
        own.stop()

@pytest.fixture
def own_mysql(binaries: Binaries, template: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[Server]:
    """A throwaway MariaDB of this test alone (to stop or restart it)."""
    own = MariaDB(binaries, template, tmp_path_factory.mktemp("own"))
    with _serving(own) as server:
        yield server


@pytest.fixture
def tls_mysql(mysql: Server) -> Server:
    """The session's server when it is the throwaway one (it has TLS)."""
    if mysql.own is None:
        pytest.skip(f"TLS tests need the throwaway server (not {URL_VARIABLE})")
    return mysql


@pytest.fixture
def database(mysql: Server) -> Iterator[str]:
    """A new, empty database on the session's server, dropped afterwards."""
    name = mysql.create_database()
    yield name
    with contextlib.suppress(pymysql.err.Error):
        mysql.sql(f"DROP DATABASE IF EXISTS `{name}`")


# -- zenml -----------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ZENML_CONFIG_PATH and working folder for every test."""
    return isolate_zenml(tmp_path, monkeypatch)


Zen = ZenCLI


@pytest.fixture
def zen() -> Zen:
    return Zen()


def run_zenml(args: Sequence[str], timeout: float = 120, **kwargs: Any
              ) -> subprocess.CompletedProcess[str]:
    """The real ``zenml`` executable of this environment."""
    return subprocess.run([ZENML, *args], capture_output=True, text=True, timeout=timeout,
                          env=os.environ.copy(), **kwargs)


def register_stack(zen: Zen, name: str, server: Server, database: str, root: Path,
                   **extra: str) -> None:
    """A ``mysql`` metadata store, a new local artifact store and a stack NAME, active."""
    zen("metadata-store", "register", f"{name}_md", "--flavor=mysql",
        *server.store_options(database, **extra))
    zen("artifact-store", "register", f"{name}_arts", "--flavor=local",
        f"--path={root / name}")
    zen("stack", "register", name, "-o", "default", "-a", f"{name}_arts", "-m", f"{name}_md",
        "--set")
