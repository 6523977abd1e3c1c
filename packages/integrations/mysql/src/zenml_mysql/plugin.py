"""The zenml plugin of zenml-mysql (entry point ``mysql``); see the _template for its shape.

Imported whenever zenml loads plugins, so it imports nothing but zenml.plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl
from zenml.plugins.info import IntegrationInfo
from zenml_mysql.__about__ import __version__

if TYPE_CHECKING:
    from zenml.stack.flavor import Flavor

__all__ = ["DESCRIPTION", "NAME", "REQUIREMENTS", "zenml_flavors", "zenml_integration"]

NAME = "mysql"
DESCRIPTION = "MySQL / MariaDB metadata store"
#: The third-party libraries the implementation needs (also this distribution's
#: dependencies and the core catalog's entry): PyMySQL 1.2+ (older ones fall back
#: to plain connections when the server offers no TLS, even when TLS is
#: configured), with ``cryptography`` for MySQL 8's ``caching_sha2_password``
#: logins over plain connections.
REQUIREMENTS: list[str] = ["pymysql[rsa]>=1.2,<2"]


@hookimpl
def zenml_integration() -> IntegrationInfo:
    """Describe this integration: name, installed version and requirements."""
    return IntegrationInfo(
        name=NAME, version=__version__, requirements=list(REQUIREMENTS), description=DESCRIPTION
    )


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """The ``mysql`` metadata store."""
    from zenml_mysql.flavors import MYSQL_METADATA_STORE

    return [MYSQL_METADATA_STORE]
