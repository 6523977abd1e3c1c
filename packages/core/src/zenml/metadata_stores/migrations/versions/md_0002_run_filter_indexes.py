"""Indexes for the run filters (runs by status and by stack, newest first) and for the
steps that read an artifact.

``get_runs``/``count_runs`` filter by status (the dashboard's failed, running,
completed views) and by the stack a run ran on; without these, each such
count reads every run (100,000 runs: ~30 ms). ``get_artifact_consumers`` (the
dashboard's downstream lineage) looks step inputs up by artifact. Only indexes:
nothing an older zenml reads changes, so the schema generation stays 1.
"""

from __future__ import annotations

from alembic import op

revision = "md_0002"
down_revision: str | None = "md_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two indexes of pipeline runs and the one of step inputs."""
    op.create_index("ix_zenml_md_runs_status_created", "zenml_md_pipeline_runs",
                    ["status", "created"])
    op.create_index("ix_zenml_md_runs_stack_created", "zenml_md_pipeline_runs",
                    ["stack_name", "created"])
    op.create_index("ix_zenml_md_step_inputs_artifact", "zenml_md_step_inputs",
                    ["artifact_id"])
