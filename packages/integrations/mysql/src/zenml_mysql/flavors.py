"""The flavors of zenml-mysql: flavor-name constants and the flavors' config classes.

Only pydantic and zenml may be imported here, never pymysql: the CLI imports
this module to list flavors with every integration installed. The config
classes and ``Flavor`` objects land with this integration's own issue.
"""

from __future__ import annotations

__all__ = ["MYSQL_METADATA_STORE_FLAVOR"]

MYSQL_METADATA_STORE_FLAVOR = "mysql"
