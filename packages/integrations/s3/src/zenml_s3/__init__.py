"""zenml-s3: Amazon S3 (and S3-compatible) artifact store for zenml.

zenml finds this integration through the ``s3`` entry point of the
``zenml`` group (:mod:`zenml_s3.plugin`); importing the package is light.
"""

from __future__ import annotations

from zenml_s3.__about__ import __version__

__all__ = ["__version__"]
