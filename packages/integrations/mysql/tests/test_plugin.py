"""The plugin, the flavor and its config: no server needed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import zenml_mysql
from pydantic import SecretStr
from zenml_mysql.flavors import MYSQL_METADATA_STORE, MySQLMetadataStoreConfig
from zenml_mysql.metadata_store import MySQLMetadataStore

from zenml.integrations.catalog import get_known
from zenml.metadata_stores.base import BaseMetadataStore
from zenml.metadata_stores.config import BaseMetadataStoreConfig
from zenml.plugins.manager import call_each
from zenml.stack.component_type import StackComponentType
from zenml.testing import IntegrationPluginChecks, imported_modules_after

from conftest import Zen

REQUIREMENTS = ["pymysql[rsa]>=1.2,<2"]


class TestPlugin(IntegrationPluginChecks):
    name = "mysql"
    distribution = "zenml-mysql"
    module = "zenml_mysql.plugin"
    version = zenml_mysql.__version__
    requirements = ["pymysql[rsa]>=1.2,<2"]


def test_the_mysql_flavor_is_registered() -> None:
    flavors = dict(call_each("zenml_flavors"))["mysql"]
    assert flavors == [MYSQL_METADATA_STORE]
    flavor = flavors[0]
    assert (flavor.name, flavor.type, flavor.integration) == (
        "mysql", StackComponentType.METADATA_STORE, "mysql")
    assert issubclass(flavor.config_class, BaseMetadataStoreConfig)
    assert issubclass(flavor.load_implementation(), BaseMetadataStore)


def test_requirements_agree_with_pyproject_and_catalog() -> None:
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    def key(text: str) -> tuple[str, frozenset[str], str]:
        r = Requirement(text)
        return r.name, frozenset(r.extras), str(sorted(str(s) for s in r.specifier))

    assert {key(r) for r in REQUIREMENTS} <= {key(r) for r in requires("zenml-mysql") or []}
    assert list(get_known("mysql").requirements) == REQUIREMENTS


def test_listing_and_describing_never_import_the_driver(zen: Zen) -> None:
    zen("metadata-store", "register", "m", "--flavor=mysql", "--host=db.example.com",
        "--database=zenml", "--username=zen", "--password=secret")
    for args in (["metadata-store", "flavor", "list"], ["metadata-store", "describe", "m"],
                 ["stack", "list"]):
        modules = imported_modules_after(args)
        assert not {"pymysql", "zenml_mysql.metadata_store"} & modules, args


def config(**values: object) -> MySQLMetadataStoreConfig:
    base: dict[str, object] = {"host": "db.example.com", "database": "zenml", "username": "zen"}
    return MySQLMetadataStoreConfig.model_validate({**base, **values})


def store(**values: object) -> MySQLMetadataStore:
    return MySQLMetadataStore(name="m", id="1", flavor="mysql", config=config(**values))


def test_the_url_escapes_the_password_and_the_location_never_shows_it() -> None:
    password = "p@ss:w/rd#%?& 1"
    s = store(password=password, port=3307, host="[::1]")
    url = sa.make_url(s.database_url)
    assert (url.drivername, url.username, url.password, url.host, url.port, url.database) == (
        "mysql+pymysql", "zen", password, "::1", 3307, "zenml")
    assert url.query == {"charset": "utf8mb4"}
    assert s.location == "database 'zenml' on [::1]:3307 as user 'zen'"
    assert password not in s.location and password not in repr(s)
    assert store().config.port == 3306 and store().config.password is None


def test_the_password_is_secret_and_masked() -> None:
    c = config(password="hunter2", ssl_key="-----BEGIN PRIVATE KEY-----\nabc\n",
               ssl_cert="-----BEGIN CERTIFICATE-----\nabc\n")
    assert isinstance(c.password, SecretStr)
    assert MySQLMetadataStoreConfig.secret_field_names() == ["password", "ssl_key"]
    shown = c.to_display()
    assert shown["password"] == shown["ssl_key"] == "********"
    assert "hunter2" not in repr(c) and "hunter2" not in str(c.model_dump())
    assert c.to_storable()["password"] == "hunter2"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("host", "mysql://db:3306/zenml", "not a host name"),
    ("host", " ", "must not be empty"),
    ("port", "0", "greater than or equal to 1"),
    ("port", "70000", "less than or equal to 65535"),
    ("database", "my.db", "not a database name"),
    ("database", "x" * 65, "not a database name"),
    ("username", "", "1 to 80 characters"),
])
def test_bad_values_are_one_line_errors(zen: Zen, field: str, value: str, message: str) -> None:
    values = {"host": "db.example.com", "database": "zenml", "username": "zen", field: value}
    result = zen.fails("metadata-store", "register", "m", "--flavor=mysql",
                       *[f"--{k}={v}" for k, v in values.items()])
    assert f"--{field}" in result.stderr and message in result.stderr


def test_missing_fields_are_named(zen: Zen) -> None:
    result = zen.fails("metadata-store", "register", "m", "--flavor=mysql", "--host=h")
    assert "--database" in result.stderr and "--username" in result.stderr


def test_ssl_values_are_paths_or_pem_text(tmp_path: object) -> None:
    c = config(ssl_ca="~/ca.pem", ssl_cert="-----BEGIN CERTIFICATE-----\nabc")
    assert c.ssl_ca is not None and c.ssl_ca.endswith("/ca.pem") and "~" not in c.ssl_ca
    assert c.ssl_cert == "-----BEGIN CERTIFICATE-----\nabc\n"
    assert c.uses_tls and config(ssl_verify_server_cert=True).uses_tls
    assert not config().uses_tls and not config(ssl_verify_server_cert=False).uses_tls
    assert store().engine_options()["connect_args"].get("ssl") is None


def test_empty_ssl_values_remove_the_fields(zen: Zen) -> None:
    zen("metadata-store", "register", "m", "--flavor=mysql", "--host=h", "--database=d",
        "--username=u", "--ssl_ca=/ca.pem", "--ssl_verify_server_cert=false")
    zen("metadata-store", "update", "m", "--ssl_ca=", "--ssl_verify_server_cert=")
    shown = zen("metadata-store", "describe", "m").output
    assert "/ca.pem" not in shown and "false" not in shown.lower()
    assert config(ssl_ca=" ", ssl_key="", ssl_cert="").uses_tls is False


def test_loopback_servers_are_local() -> None:
    assert config(host="localhost").is_local and config(host="127.0.0.1").is_local
    assert config(host="::1").is_local
    assert not config(host="db.example.com").is_local and not config(host="10.0.0.5").is_local


def test_engine_options_bound_every_wait() -> None:
    options = store().engine_options()
    args = options["connect_args"]
    assert args["connect_timeout"] <= 10 and args["read_timeout"] <= 20
    assert args["write_timeout"] <= 20 and "innodb_lock_wait_timeout" in args["init_command"]
    assert options["pool_recycle"] < 8 * 3600
    assert options["isolation_level"] == "READ COMMITTED"
    # idle connections are pinged by configure_engine's checkout event, not on every use
    assert options["pool_pre_ping"] is False
