"""The flavors of zenml-mysql: the ``mysql`` metadata store's config class and flavor.

Only pydantic and zenml may be imported here, never pymysql or SQLAlchemy: the
CLI imports this module to list flavors with every integration installed. The
implementation, :class:`zenml_mysql.metadata_store.MySQLMetadataStore`, is
imported only when a store is used.
"""

from __future__ import annotations

import os
import re
from typing import ClassVar

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from zenml.metadata_stores.config import BaseMetadataStoreConfig
from zenml.stack.component_type import StackComponentType
from zenml.stack.config import SecretNameField, secret_name_alone
from zenml.stack.flavor import Flavor

__all__ = [
    "MYSQL_METADATA_STORE",
    "MYSQL_METADATA_STORE_FLAVOR",
    "MySQLMetadataStoreConfig",
    "is_pem_text",
]

#: The flavor's name: ``--flavor=mysql``.
MYSQL_METADATA_STORE_FLAVOR = "mysql"

#: Database names zenml accepts: what MySQL allows unquoted, plus ``-`` and ``$``.
_DATABASE_NAME = re.compile(r"[A-Za-z0-9_$-]{1,64}")
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "::1"}


def is_pem_text(value: str) -> bool:
    """Whether an ``ssl_*`` value is PEM text itself rather than a file path."""
    return value.lstrip().startswith("-----BEGIN")


def _path_or_pem(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None  # ``--ssl_ca=`` removes the field
    if is_pem_text(value):
        return value.strip() + "\n"
    return os.path.abspath(os.path.expanduser(value.strip()))


class MySQLMetadataStoreConfig(BaseMetadataStoreConfig):
    """Tracks pipeline runs, steps and artifacts in a MySQL or MariaDB database.

    The tables (all named ``zenml_md_*``) are created on first use; the database
    itself must exist and the user needs CREATE, SELECT, INSERT, UPDATE and
    DELETE on it.

    TLS is used when any ``ssl_*`` field is set: the server's certificate and
    host name are then checked against ``ssl_ca`` (or the system's CAs) unless
    ``ssl_verify_server_cert`` is false. Without ``ssl_*`` fields the driver
    still encrypts when the server offers TLS, without checking it. An empty
    value (``--ssl_ca=``) removes an ``ssl_*`` field.

    Attributes:
        host: Host name or IP address of the server.
        port: TCP port of the server.
        database: Database holding the tables; it must exist.
        username: User to log in as.
        password: That user's password (secret: masked when printed).
        ssl_ca: CA certificate(s) to check the server against: a PEM file path or PEM text.
        ssl_cert: Client certificate: a PEM file path or PEM text.
        ssl_key: Client certificate's private key: a PEM file path or PEM text (secret).
        ssl_verify_server_cert: Check the server's certificate and host name.
        secret: Name of a ``mysql`` secret of the stack's secrets manager whose
            ``user``, ``password``, ``ssl_ca``, ``ssl_cert`` and ``ssl_key`` are
            used (read only where the store is used; not together with
            password or ssl_key; its user wins over username).
    """

    SECRET_NAME_FIELDS: ClassVar[dict[str, SecretNameField]] = {
        "secret": SecretNameField("mysql", {
            "user": "username", "password": "password", "ssl_ca": "ssl_ca",
            "ssl_cert": "ssl_cert", "ssl_key": "ssl_key"}),
    }

    host: str = Field(description="Host name or IP address of the MySQL / MariaDB server.")
    port: int = Field(default=3306, ge=1, le=65535, description="TCP port of the server.")
    database: str = Field(description="Database holding zenml's tables (it must exist).")
    username: str | None = Field(
        default=None, description="User to log in as (required unless --secret holds it).")
    password: SecretStr | None = Field(default=None, description="That user's password.")
    ssl_ca: str | None = Field(
        default=None,
        description="CA certificate to check the server with (PEM file path or PEM text); "
                    "turns TLS on.")
    ssl_cert: str | None = Field(
        default=None,
        description="Client certificate (PEM file path or PEM text); turns TLS on.")
    ssl_key: SecretStr | None = Field(
        default=None,
        description="Private key of the client certificate (PEM file path or PEM text).")
    ssl_verify_server_cert: bool | None = Field(
        default=None,
        description="Check the server's certificate and host name (default: yes whenever "
                    "TLS is on); true also turns TLS on.")
    secret: str | None = Field(
        default=None,
        description="Name of a 'mysql' secret in the stack's secrets manager holding user, "
                    "password and ssl_* (instead of password and ssl_key).")

    @field_validator("host")
    @classmethod
    def _plain_host(cls, value: str) -> str:
        host = value.strip()
        if host.startswith("["):
            if not host.endswith("]"):
                raise ValueError("this looks like [ADDRESS]:PORT; give the address alone "
                                 "and the port as --port")
            host = host[1:-1]
        elif host.count(":") == 1:  # an IPv6 address has two colons or more
            raise ValueError("this looks like HOST:PORT; give the host alone and the port "
                             "as --port")
        if not host:
            raise ValueError("the host must not be empty")
        if "://" in host or "/" in host or "@" in host or any(c.isspace() for c in host):
            raise ValueError("this is not a host name or IP address; pass the port, "
                             "database and username as their own fields")
        return host

    @field_validator("database")
    @classmethod
    def _database_name(cls, value: str) -> str:
        if not _DATABASE_NAME.fullmatch(value):
            raise ValueError("this is not a database name zenml accepts: 1 to 64 "
                             "letters, digits, '_', '$' or '-'")
        return value

    @field_validator("username")
    @classmethod
    def _user_name(cls, value: str | None) -> str | None:
        if value is not None and (not value or len(value) > 80):
            raise ValueError("the username must have 1 to 80 characters")
        return value

    @field_validator("secret")
    @classmethod
    def _secret_alone(cls, value: str | None, info: ValidationInfo) -> str | None:
        return secret_name_alone("secret", value, info.data, ("password", "ssl_key"))

    @model_validator(mode="after")
    def _someone(self) -> MySQLMetadataStoreConfig:
        whole = {"host", "database"} <= self.model_fields_set  # not one field of -i
        if whole and self.username is None and self.secret is None:
            raise ValueError("a username is needed: pass --username=USER, or --secret=NAME "
                             "naming a 'mysql' secret that holds the user")
        return self

    @field_validator("ssl_ca")
    @classmethod
    def _ca(cls, value: str | None) -> str | None:
        return _path_or_pem(value)

    @field_validator("ssl_cert")
    @classmethod
    def _cert(cls, value: str | None) -> str | None:
        return _path_or_pem(value)

    @field_validator("ssl_key")
    @classmethod
    def _key(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            return None
        cleaned = _path_or_pem(value.get_secret_value())
        if cleaned is None:
            return None
        # checked with the other fields only (register -i asks field by field)
        if "host" in info.data and info.data.get("ssl_cert") is None:
            raise ValueError("a client key needs its certificate: pass --ssl_cert too, or "
                             "remove the key with --ssl_key=")
        return SecretStr(cleaned)

    @field_validator("ssl_verify_server_cert", mode="before")
    @classmethod
    def _unset_verify(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def uses_tls(self) -> bool:
        """Whether connections must use TLS."""
        return bool(self.ssl_ca or self.ssl_cert or self.ssl_key
                    or self.ssl_verify_server_cert)

    @property
    def is_local(self) -> bool:
        """A server on this machine's loopback address cannot be reached from elsewhere."""
        host = self.host.lower()
        return host in _LOOPBACK_NAMES or host.startswith("127.")


#: The ``mysql`` metadata store flavor.
MYSQL_METADATA_STORE = Flavor(
    name=MYSQL_METADATA_STORE_FLAVOR,
    type=StackComponentType.METADATA_STORE,
    config_class=MySQLMetadataStoreConfig,
    implementation="zenml_mysql.metadata_store:MySQLMetadataStore",
    integration="mysql",
)
