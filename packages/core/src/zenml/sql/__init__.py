"""The SQL layer every zenml store stands on.

- :mod:`zenml.sql.sqlite`: SQLite files made whole and private, read-only
  when this user cannot write, writes that take the lock up front;
- :mod:`zenml.sql.database`: one engine with ``transaction(write=...)``, the
  mapping of database errors to one-line zenml errors, and the clock;
- :mod:`zenml.sql.schema`: creating a store's tables, checking the stored
  schema version and migrating older stores with Alembic (imported only when a
  store needs a migration).

Importing this package imports nothing else.
"""
