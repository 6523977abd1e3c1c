"""The original framework's import paths of the mysql integration (issue 15, item 3):
thin aliases whose names are the very objects of zenml_mysql."""

from __future__ import annotations

from zenml.testing import EraAliasChecks

CASES = [
    ('zenml.metadata_stores.mysql_metadata_store',
     'MySQLMetadataStore', 'zenml_mysql.metadata_store:MySQLMetadataStore'),
    ('zenml.metadata_stores.mysql_metadata_store',
     'MySQLMetadataStoreConfig', 'zenml_mysql.flavors:MySQLMetadataStoreConfig'),
    ('zenml.integrations.mysql.metadata_stores',
     'MySQLMetadataStore', 'zenml_mysql.metadata_store:MySQLMetadataStore'),
    ('zenml.integrations.mysql',
     'MYSQL_METADATA_STORE_FLAVOR', 'zenml_mysql.flavors:MYSQL_METADATA_STORE_FLAVOR'),
]


class TestEraAliases(EraAliasChecks):
    name = "mysql"
    integration_class = "MySQLIntegration"
    cases = CASES
