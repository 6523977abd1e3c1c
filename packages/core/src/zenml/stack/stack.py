"""A stack: one component per type, validated as a whole."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from zenml.errors import StackValidationError
from zenml.stack.component import StackComponent
from zenml.stack.component_type import MANDATORY_COMPONENT_TYPES, StackComponentType
from zenml.stack.config import ComponentSpec

if TYPE_CHECKING:
    from zenml.stack.flavor_registry import FlavorRegistry
    from zenml.stack.models import StackModel

__all__ = ["Stack", "validate_stack"]


def validate_stack(name: str, components: Mapping[StackComponentType, ComponentSpec]) -> None:
    """Check the mandatory components are there and every component agrees.

    Works on configurations only, so it never imports an implementation.
    """
    missing = [t for t in MANDATORY_COMPONENT_TYPES if t not in components]
    if missing:
        flags = ", ".join(f"--{t.cli_name}" for t in missing)
        msg = (
            f"Stack '{name}' lacks {' and '.join(t.a_name for t in missing)}; "
            f"every stack needs an orchestrator, an artifact store and a metadata "
            f"store (pass {flags})"
        )
        raise StackValidationError(msg)
    for spec in components.values():
        spec.config.validate_stack(components)


class Stack:
    """A usable stack: its components are implementation instances."""

    def __init__(
        self, name: str, components: Mapping[StackComponentType, StackComponent], id: str = ""
    ) -> None:
        self.name = name
        self.id = id
        self.components: dict[StackComponentType, StackComponent] = dict(components)

    @classmethod
    def from_model(cls, model: StackModel, flavors: FlavorRegistry) -> Stack:
        """Instantiate every component of a stored stack (imports implementations)."""
        components: dict[StackComponentType, StackComponent] = {}
        for type_, comp in model.components.items():
            components[type_] = flavors.get(type_, comp.flavor).create_component(comp)
        return cls(model.name, components, id=model.id)

    def __repr__(self) -> str:
        parts = ", ".join(f"{t.value}={c.name!r}" for t, c in self.components.items())
        return f"Stack({self.name!r}, {parts})"

    def __iter__(self) -> Iterator[StackComponent]:
        return iter(self.components.values())

    def validate(self) -> None:
        """Raise :class:`StackValidationError` if the components do not fit."""
        validate_stack(self.name, {t: c.spec for t, c in self.components.items()})

    def _get(self, type_: StackComponentType) -> Any:
        return self.components.get(type_)

    @property
    def orchestrator(self) -> Any:
        """The orchestrator."""
        return self._get(StackComponentType.ORCHESTRATOR)

    @property
    def artifact_store(self) -> Any:
        """The artifact store."""
        return self._get(StackComponentType.ARTIFACT_STORE)

    @property
    def metadata_store(self) -> Any:
        """The metadata store."""
        return self._get(StackComponentType.METADATA_STORE)

    @property
    def container_registry(self) -> Any:
        """The container registry, if any."""
        return self._get(StackComponentType.CONTAINER_REGISTRY)

    @property
    def step_operator(self) -> Any:
        """The step operator, if any."""
        return self._get(StackComponentType.STEP_OPERATOR)

    @property
    def secrets_manager(self) -> Any:
        """The secrets manager, if any."""
        return self._get(StackComponentType.SECRETS_MANAGER)

    @property
    def feature_store(self) -> Any:
        """The feature store, if any."""
        return self._get(StackComponentType.FEATURE_STORE)

    @property
    def model_deployer(self) -> Any:
        """The model deployer, if any."""
        return self._get(StackComponentType.MODEL_DEPLOYER)

    @property
    def experiment_tracker(self) -> Any:
        """The experiment tracker, if any."""
        return self._get(StackComponentType.EXPERIMENT_TRACKER)

    @property
    def alerter(self) -> Any:
        """The alerter, if any."""
        return self._get(StackComponentType.ALERTER)
