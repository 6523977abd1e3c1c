"""The original framework's path of the MySQL metadata store: an alias of
:mod:`zenml_mysql.metadata_store` (``zenml integration install mysql``)."""

from zenml.integrations.aliases import become_alias

become_alias(__name__)
