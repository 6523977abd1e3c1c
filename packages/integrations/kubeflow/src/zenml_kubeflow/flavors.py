"""The flavors of zenml-kubeflow: flavor-name constants and the flavors' config classes.

Only pydantic and zenml may be imported here, never kfp: the CLI imports
this module to list flavors with every integration installed. The config
classes and ``Flavor`` objects land with this integration's own issue.
"""

from __future__ import annotations

__all__ = ["KUBEFLOW_ORCHESTRATOR_FLAVOR"]

KUBEFLOW_ORCHESTRATOR_FLAVOR = "kubeflow"
