"""The revision scripts (Alembic reads them from this folder)."""
