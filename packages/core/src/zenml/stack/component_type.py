"""The types of stack component."""

from __future__ import annotations

from enum import Enum

__all__ = ["MANDATORY_COMPONENT_TYPES", "StackComponentType"]


class StackComponentType(str, Enum):
    """One kind of MLOps tool a stack can hold (at most one of each)."""

    ORCHESTRATOR = "orchestrator"
    ARTIFACT_STORE = "artifact_store"
    METADATA_STORE = "metadata_store"
    CONTAINER_REGISTRY = "container_registry"
    STEP_OPERATOR = "step_operator"
    SECRETS_MANAGER = "secrets_manager"
    FEATURE_STORE = "feature_store"
    MODEL_DEPLOYER = "model_deployer"
    EXPERIMENT_TRACKER = "experiment_tracker"
    ALERTER = "alerter"

    def __str__(self) -> str:
        return self.value

    @property
    def cli_name(self) -> str:
        """The spelling used on the command line, e.g. ``artifact-store``."""
        return self.value.replace("_", "-")

    @property
    def display_name(self) -> str:
        """The human spelling, e.g. ``artifact store``."""
        return self.value.replace("_", " ")

    @property
    def a_name(self) -> str:
        """The display name with its article, e.g. ``an artifact store``."""
        article = "an" if self.display_name[0] in "aeiou" else "a"
        return f"{article} {self.display_name}"

    @property
    def plural(self) -> str:
        """The plural of the display name, e.g. ``artifact stores``."""
        name = self.display_name
        return f"{name[:-1]}ies" if name.endswith("y") else f"{name}s"

    @classmethod
    def parse(cls, value: str | StackComponentType) -> StackComponentType:
        """Read a type from its value or its CLI spelling."""
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).replace("-", "_"))
        except ValueError:
            valid = ", ".join(t.cli_name for t in cls)
            raise ValueError(
                f"Unknown stack component type '{value}'; valid types: {valid}"
            ) from None


MANDATORY_COMPONENT_TYPES = (
    StackComponentType.ORCHESTRATOR,
    StackComponentType.ARTIFACT_STORE,
    StackComponentType.METADATA_STORE,
)
