"""zenml-seldon: Seldon Core model deployer (MLServer for local serving) for zenml.

zenml finds this integration through the ``seldon`` entry point of the
``zenml`` group (:mod:`zenml_seldon.plugin`); importing the package is light.
"""

from __future__ import annotations

from zenml_seldon.__about__ import __version__

__all__ = ["__version__"]
