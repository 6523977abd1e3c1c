"""Alembic revisions of the metadata store's schema (``versions/``; applied by zenml.sql.schema).

A new revision is a module in ``versions/`` with ``revision``,
``down_revision`` and ``upgrade()`` (``from alembic import op``), and its id
appended to ``REVISIONS`` in zenml.metadata_stores.schema. A change an older
zenml could not read also raises ``SCHEMA_VERSION`` there. Revisions must run
on SQLite and MySQL/MariaDB alike (MySQL commits DDL at once).
"""
