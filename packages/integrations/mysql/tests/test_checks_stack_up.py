"""``zenml stack up`` with the mysql metadata store logs in and checks the schema before
saying "running"; config combinations that cannot work are refused at registration."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import PASSWORD, Server, Zen, register_stack


def store_state(zen: Zen) -> str:
    row = next(line for line in zen("stack", "describe").output.splitlines()
               if "METADATA_STORE" in line)
    return " ".join(row.replace("│", " ").split()[3:])


def test_a_reachable_database_is_reported_running(zen: Zen, mysql: Server, database: str,
                                                  tmp_path: Path) -> None:
    register_stack(zen, "s", mysql, database, tmp_path)
    assert "metadata store 's_md' (mysql): running" in zen("stack", "up").output
    assert store_state(zen) == "running"


def test_a_wrong_password_fails_stack_up_in_one_line(zen: Zen, mysql: Server, database: str,
                                                     tmp_path: Path) -> None:
    register_stack(zen, "s", mysql, database, tmp_path, password="not-the-password")
    started = time.monotonic()
    result = zen.fails("stack", "up")
    assert time.monotonic() - started < 10
    line = result.stderr.strip()
    assert line.startswith("Error: Metadata store 's_md' (database ")
    assert "refused the login of user" in line and "--password=" in line
    assert "not-the-password" not in result.output and PASSWORD not in result.output
    assert store_state(zen) == "not provisioned"


def test_a_missing_database_fails_stack_up_in_one_line(zen: Zen, mysql: Server,
                                                       tmp_path: Path) -> None:
    register_stack(zen, "s", mysql, "zt_no_such_database", tmp_path)
    line = zen.error("stack", "up")
    assert "Metadata store 's_md'" in line and "'zt_no_such_database' does not exist" in line
    assert "CREATE DATABASE" in line


def test_tables_of_a_newer_schema_fail_stack_up(zen: Zen, mysql: Server, database: str,
                                                tmp_path: Path) -> None:
    register_stack(zen, "s", mysql, database, tmp_path)
    zen("stack", "up")  # creates the tables
    mysql.sql(f"UPDATE `{database}`.zenml_md_meta SET value = '99' "
              f"WHERE `key` = 'schema_version'")
    line = zen.error("stack", "up")
    assert "Metadata store 's_md'" in line and "newer zenml" in line
    assert store_state(zen) == "not provisioned"


# -- config combinations (no server needed) ----------------------------------------------------
BASE = ("metadata-store", "register", "m", "--flavor=mysql", "--host=db.example.com",
        "--database=zenml", "--username=zen")


def test_a_client_key_without_its_certificate_is_refused_at_registration(zen: Zen) -> None:
    line = zen.error(*BASE, "--ssl_key=/keys/client-key.pem")
    assert "--ssl_key" in line and "ssl_cert" in line
    assert "/keys/client-key.pem" not in line  # a secret field's value is never echoed
    zen(*BASE, "--ssl_key=/keys/client-key.pem", "--ssl_cert=/keys/client-cert.pem")
    # removing the certificate later leaves the key alone: refused as well
    line = zen.error("metadata-store", "update", "m", "--ssl_cert=")
    assert "ssl_cert" in line
    assert "client-cert.pem" in zen("metadata-store", "describe", "m").output


@pytest.mark.parametrize("host", ["db.example.com:3306", "127.0.0.1:3307"])
def test_a_port_in_the_host_is_refused(zen: Zen, host: str) -> None:
    line = zen.error("metadata-store", "register", "m", "--flavor=mysql", f"--host={host}",
                     "--database=zenml", "--username=zen")
    assert "--host" in line and "--port" in line


def test_ipv6_hosts_are_still_accepted(zen: Zen) -> None:
    zen("metadata-store", "register", "m", "--flavor=mysql", "--host=[::1]",
        "--database=zenml", "--username=zen")
    zen("metadata-store", "register", "m2", "--flavor=mysql", "--host=fd00::5",
        "--database=zenml", "--username=zen")
