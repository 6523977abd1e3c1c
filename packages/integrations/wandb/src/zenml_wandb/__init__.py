"""zenml-wandb: Weights & Biases experiment tracker for zenml.

zenml finds this integration through the ``wandb`` entry point of the
``zenml`` group (:mod:`zenml_wandb.plugin`); importing the package is light
(``enable_wandb`` is imported on first use, and wandb itself only when a
decorated step runs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zenml_wandb.__about__ import __version__

if TYPE_CHECKING:
    from zenml_wandb.decorator import enable_wandb

__all__ = ["__version__", "enable_wandb"]


def __getattr__(name: str) -> Any:
    if name == "enable_wandb":
        from zenml_wandb.decorator import enable_wandb

        return enable_wandb
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
