"""zenml-REPLACE_ME: REPLACE_ME_DESCRIPTION for zenml.

zenml finds this integration through the ``REPLACE_ME`` entry point of the
``zenml`` group (:mod:`zenml_REPLACE_ME.plugin`); importing the package is light.
"""

from __future__ import annotations

from zenml_REPLACE_ME.__about__ import __version__

__all__ = ["__version__"]
