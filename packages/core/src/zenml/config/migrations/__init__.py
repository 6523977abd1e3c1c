"""Alembic revisions of the stack store's schema (``versions/``; applied by zenml.sql.schema).

A new revision is a module in ``versions/`` with ``revision``,
``down_revision`` and ``upgrade()`` (``from alembic import op``), and its id
appended to ``REVISIONS`` in zenml.config.stack_store. A change an older
zenml could not read also raises ``SCHEMA_GENERATION`` there.
"""
