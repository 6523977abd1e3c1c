"""The flavors of zenml-seldon: flavor-name constants and the flavors' config classes.

Only pydantic and zenml may be imported here, never kubernetes and mlserver: the CLI imports
this module to list flavors with every integration installed. The config
classes and ``Flavor`` objects land with this integration's own issue.
"""

from __future__ import annotations

__all__ = ["SELDON_MODEL_DEPLOYER_FLAVOR"]

SELDON_MODEL_DEPLOYER_FLAVOR = "seldon"
