"""``BaseStepConfig``: a step's parameters, as a pydantic model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["BaseStepConfig"]


class BaseStepConfig(BaseModel):
    """Subclass it to give a step parameters; pass an instance when creating the step.

    Parameters are recorded with every step run and are part of the cache
    key, so a changed value re-runs the step.
    """

    model_config = ConfigDict(extra="forbid")
