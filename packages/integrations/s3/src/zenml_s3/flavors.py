"""The flavors of zenml-s3: flavor-name constants and the flavors' config classes.

Only pydantic and zenml may be imported here, never s3fs: the CLI imports
this module to list flavors with every integration installed. The config
classes and ``Flavor`` objects land with this integration's own issue.
"""

from __future__ import annotations

__all__ = ["S3_ARTIFACT_STORE_FLAVOR"]

S3_ARTIFACT_STORE_FLAVOR = "s3"
