"""zenml-kubeflow: Kubeflow Pipelines orchestrator for zenml.

zenml finds this integration through the ``kubeflow`` entry point of the
``zenml`` group (:mod:`zenml_kubeflow.plugin`); importing the package is light.
"""

from __future__ import annotations

from zenml_kubeflow.__about__ import __version__

__all__ = ["__version__"]
