"""The flavors of zenml-wandb: flavor-name constants and the flavors' config classes.

Only pydantic and zenml may be imported here, never wandb: the CLI imports
this module to list flavors with every integration installed. The config
classes and ``Flavor`` objects land with this integration's own issue.
"""

from __future__ import annotations

__all__ = ["WANDB_EXPERIMENT_TRACKER_FLAVOR"]

WANDB_EXPERIMENT_TRACKER_FLAVOR = "wandb"
