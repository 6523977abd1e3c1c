"""The flavors of zenml-wandb: the ``wandb`` experiment tracker's name, config and flavor.

Only pydantic and zenml may be imported here, never wandb: the CLI imports
this module to list flavors with every integration installed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator

from zenml.experiment_trackers.config import BaseExperimentTrackerConfig
from zenml.stack.component_type import StackComponentType
from zenml.stack.flavor import Flavor

__all__ = [
    "WANDB_EXPERIMENT_TRACKER",
    "WANDB_EXPERIMENT_TRACKER_FLAVOR",
    "WandbExperimentTrackerConfig",
    "WandbMode",
]

WANDB_EXPERIMENT_TRACKER_FLAVOR = "wandb"

WandbMode = Literal["online", "offline", "disabled"]

# wandb refuses these in project and entity names (and they would break the run URL).
_FORBIDDEN = set("/\\#?%:")


def _check_name(value: str | None, what: str, limit: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise ValueError(f"{what} is empty; leave it out or give a name")
    bad = sorted(_FORBIDDEN & set(value))
    if bad:
        raise ValueError(f"{what} contains {' '.join(bad)}, which W&B does not allow")
    if len(value) > limit:
        raise ValueError(f"{what} is {len(value)} characters long; W&B allows {limit}")
    return value


class WandbExperimentTrackerConfig(BaseExperimentTrackerConfig):
    """Weights & Biases: steps decorated with @enable_wandb log to one W&B run each.

    Attributes:
        api_key: the W&B API key; optional when the machine that runs the
            steps is logged in (``wandb login``, ``WANDB_API_KEY``) or in
            offline / disabled mode.
        entity: the W&B user or team the runs belong to (default: the API
            key's default entity).
        project_name: the W&B project (default: the pipeline's name).
        mode: ``online``, ``offline`` or ``disabled``; when not set, the
            ``WANDB_MODE`` environment variable of the process running the
            step decides (W&B's default is ``online``).
    """

    api_key: SecretStr | None = Field(
        default=None,
        description="W&B API key (secret). Optional if the machine running the steps is "
                    "logged in (wandb login / WANDB_API_KEY) or for offline/disabled mode.")
    entity: str | None = Field(
        default=None,
        description="W&B entity (user or team) owning the runs; default: the API key's "
                    "default entity.")
    project_name: str | None = Field(
        default=None, description="W&B project of the runs; default: the pipeline's name.")
    mode: WandbMode | None = Field(
        default=None,
        description="online, offline or disabled; default: the WANDB_MODE environment "
                    "variable where the step runs, else online.")

    @field_validator("entity")
    @classmethod
    def _entity(cls, value: str | None) -> str | None:
        return _check_name(value, "The entity", 128)

    @field_validator("project_name")
    @classmethod
    def _project(cls, value: str | None) -> str | None:
        return _check_name(value, "The project name", 128)

    @field_validator("mode", mode="before")
    @classmethod
    def _mode(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("api_key")
    @classmethod
    def _api_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        key = value.get_secret_value().strip()  # a pasted key often ends with a newline
        if not key:
            raise ValueError("the API key is empty; leave it out or give the key "
                             "(https://wandb.ai/authorize)")
        return SecretStr(key)


#: The ``wandb`` experiment tracker flavor.
WANDB_EXPERIMENT_TRACKER = Flavor(
    name=WANDB_EXPERIMENT_TRACKER_FLAVOR,
    type=StackComponentType.EXPERIMENT_TRACKER,
    config_class=WandbExperimentTrackerConfig,
    implementation="zenml_wandb.tracker:WandbExperimentTracker",
    integration="wandb",
    description="Weights & Biases: steps decorated with @enable_wandb log to a W&B run each",
)
