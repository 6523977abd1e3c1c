"""The flavors of zenml-REPLACE_ME: flavor-name constants and the flavors' config classes.

Only pydantic and zenml may be imported here, never the third-party SDK: the CLI imports
this module to list flavors with every integration installed. The config
classes and ``Flavor`` objects land with this integration's own issue.
"""

from __future__ import annotations

__all__ = ["REPLACE_ME_COMPONENT_FLAVOR"]

REPLACE_ME_COMPONENT_FLAVOR = "REPLACE_ME"
