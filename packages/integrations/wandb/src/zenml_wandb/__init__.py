"""zenml-wandb: Weights & Biases experiment tracker for zenml.

zenml finds this integration through the ``wandb`` entry point of the
``zenml`` group (:mod:`zenml_wandb.plugin`); importing the package is light.
"""

from __future__ import annotations

from zenml_wandb.__about__ import __version__

__all__ = ["__version__"]
