"""The errors zenml-wandb raises for things a user can fix (one line each)."""

from __future__ import annotations

from zenml.errors import StackValidationError, StepInterfaceError, ZenMLError

__all__ = ["WandbRunError", "WandbStepError", "WandbTrackerMissingError"]


class WandbTrackerMissingError(StackValidationError):
    """A step decorated with ``@enable_wandb`` runs on a stack without a wandb tracker."""


class WandbRunError(ZenMLError):
    """The W&B run of a step could not be started."""


class WandbStepError(StepInterfaceError):
    """``@enable_wandb`` is used on something that is not a step, or with bad settings."""
