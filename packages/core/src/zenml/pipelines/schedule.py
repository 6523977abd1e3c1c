"""``Schedule``: when a pipeline runs again (``pipeline.run(schedule=Schedule(...))``).

The class lives with the deployment, which carries it to the orchestrator; this
is the import path the original framework used.
"""

from zenml.execution.deployment import Schedule

__all__ = ["Schedule"]
