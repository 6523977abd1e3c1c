"""Baseline: the stack store as zenml-core 0.1 created it (schema_version 1).

Stores of that release have these tables and no revision; opening one
stamps it here. New stores are created at the head directly.
"""

from __future__ import annotations

revision = "stack_0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: version 1 is the baseline."""
