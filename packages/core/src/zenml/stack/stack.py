"""A stack: one component per type, validated as a whole."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

from zenml.errors import StackValidationError
from zenml.stack.component import StackComponent
from zenml.stack.component_type import MANDATORY_COMPONENT_TYPES, StackComponentType
from zenml.stack.config import ComponentSpec, StackComponentConfig

if TYPE_CHECKING:
    from zenml.alerters.base import BaseAlerter
    from zenml.artifact_stores.base import BaseArtifactStore
    from zenml.container_registries.base import BaseContainerRegistry
    from zenml.experiment_trackers.base import BaseExperimentTracker
    from zenml.feature_stores.base import BaseFeatureStore
    from zenml.metadata_stores.base import BaseMetadataStore
    from zenml.model_deployers.base import BaseModelDeployer
    from zenml.orchestrators.base import BaseOrchestrator
    from zenml.secrets_managers.base import BaseSecretsManager
    from zenml.stack.flavor_registry import FlavorRegistry
    from zenml.stack.models import ComponentModel, StackModel
    from zenml.step_operators.base import BaseStepOperator

__all__ = ["Stack", "validate_stack"]


def validate_stack(name: str, components: Mapping[StackComponentType, ComponentSpec]) -> None:
    """Check the mandatory components are there and every component agrees.

    A step operator is refused: no step would run through it yet.

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
    operator = components.get(StackComponentType.STEP_OPERATOR)
    if operator is not None:  # accepted and then ignored would run its steps elsewhere
        raise StackValidationError(
            f"Stack '{name}' has step operator '{operator.name}', but step operators are not "
            f"supported yet; leave it out of the stack")
    for spec in components.values():
        spec.config.validate_stack(components)


def _holds_secrets(config: StackComponentConfig, stored: Mapping[str, Any]) -> bool:
    """Whether a stored config has references or fields naming a secret (resolved in the
    built component's ``config``)."""
    from zenml.secrets_managers.references import parse_reference

    return (any(parse_reference(value) is not None for value in stored.values())
            or any(stored.get(name) for name in config.SECRET_NAME_FIELDS))


class Stack:
    """A stack whose components are instantiated on first use.

    Each component is built once, by its flavor's
    :meth:`~zenml.stack.flavor.Flavor.create_component` (the one way to make a
    component), when it is first asked for: using the metadata store does not
    import the orchestrator's implementation. Validation reads configurations only.
    """

    def __init__(self, name: str, components: Mapping[StackComponentType, ComponentModel],
                 flavors: FlavorRegistry, id: str = "") -> None:
        self.name = name
        self.id = id
        self.models: dict[StackComponentType, ComponentModel] = dict(components)
        self._flavors = flavors
        self._instances: dict[StackComponentType, StackComponent] = {}
        # every component in ``models`` order, once all are built (read every step)
        self._every: tuple[tuple[StackComponentType, StackComponent], ...] | None = None
        # steps of a parallel run share the stack; re-entered when a component's references
        # build the secrets manager
        self._lock = threading.RLock()

    @classmethod
    def from_model(cls, model: StackModel, flavors: FlavorRegistry) -> Stack:
        """The stack of a stored record (nothing is instantiated yet)."""
        return cls(model.name, model.components, flavors, id=model.id)

    def __repr__(self) -> str:
        parts = ", ".join(f"{t.value}={m.name!r}" for t, m in self.models.items())
        return f"{type(self).__name__}({self.name!r}, {parts})"

    def component(self, type_: StackComponentType) -> StackComponent | None:
        """The component of a type (built on first use), or None if the stack has none."""
        instance = self._instances.get(type_)
        return instance if instance is not None else self._build(type_)

    def _build(self, type_: StackComponentType) -> StackComponent | None:
        model = self.models.get(type_)
        if model is None:
            return None
        with self._lock:
            instance = self._instances.get(type_)
            if instance is None:
                flavor = self._flavors.get(type_, model.flavor)
                # references resolve through this stack's secrets manager (built without)
                secrets = (None if type_ is StackComponentType.SECRETS_MANAGER
                           else self._secrets_manager)
                instance = self._instances[type_] = flavor.create_component(model, secrets)
        return instance

    def _secrets_manager(self) -> BaseSecretsManager | None:
        """The secrets manager (built only when a reference needs it)."""
        return self.secrets_manager

    def _all(self) -> tuple[tuple[StackComponentType, StackComponent], ...]:
        every = self._every
        if every is None:
            every = tuple((t, c) for t in self.models if (c := self.component(t)) is not None)
            self._every = every
        return every

    @property
    def components(self) -> dict[StackComponentType, StackComponent]:
        """Every component, by type (builds those not built yet)."""
        return dict(self._all())

    def __iter__(self) -> Iterator[StackComponent]:
        return (component for _, component in self._all())

    def specs(self) -> dict[StackComponentType, ComponentSpec]:
        """Each component's name, flavor and validated config (no implementation imported)."""
        specs = {}
        for type_, model in self.models.items():
            instance = self._instances.get(type_)
            # a built component's config holds resolved secrets: never hand those out
            config = (instance.config if instance is not None
                      and not _holds_secrets(instance.config, model.config) else
                      self._flavors.get(type_, model.flavor).build_config(model.config))
            specs[type_] = ComponentSpec(name=model.name, flavor=model.flavor, config=config)
        return specs

    def validate(self) -> None:
        """Raise :class:`StackValidationError` if the components do not fit."""
        validate_stack(self.name, self.specs())

    def _required(self, type_: StackComponentType) -> StackComponent:
        component = self._instances.get(type_)
        if component is None:
            component = self._build(type_)
        if component is None:
            raise StackValidationError(f"Stack '{self.name}' has no {type_.display_name}; "
                                       f"add one with 'zenml stack update'")
        return component

    @property
    def orchestrator(self) -> BaseOrchestrator:
        """The orchestrator."""
        return cast("BaseOrchestrator", self._required(StackComponentType.ORCHESTRATOR))

    @property
    def artifact_store(self) -> BaseArtifactStore:
        """The artifact store."""
        return cast("BaseArtifactStore", self._required(StackComponentType.ARTIFACT_STORE))

    @property
    def metadata_store(self) -> BaseMetadataStore:
        """The metadata store."""
        return cast("BaseMetadataStore", self._required(StackComponentType.METADATA_STORE))

    @property
    def container_registry(self) -> BaseContainerRegistry | None:
        """The container registry, if any."""
        return cast("BaseContainerRegistry | None",
                    self.component(StackComponentType.CONTAINER_REGISTRY))

    @property
    def step_operator(self) -> BaseStepOperator | None:
        """The step operator, if any."""
        return cast("BaseStepOperator | None", self.component(StackComponentType.STEP_OPERATOR))

    @property
    def secrets_manager(self) -> BaseSecretsManager | None:
        """The secrets manager, if any."""
        return cast("BaseSecretsManager | None",
                    self.component(StackComponentType.SECRETS_MANAGER))

    @property
    def feature_store(self) -> BaseFeatureStore | None:
        """The feature store, if any."""
        return cast("BaseFeatureStore | None", self.component(StackComponentType.FEATURE_STORE))

    @property
    def model_deployer(self) -> BaseModelDeployer | None:
        """The model deployer, if any."""
        return cast("BaseModelDeployer | None",
                    self.component(StackComponentType.MODEL_DEPLOYER))

    @property
    def experiment_tracker(self) -> BaseExperimentTracker | None:
        """The experiment tracker, if any."""
        return cast("BaseExperimentTracker | None",
                    self.component(StackComponentType.EXPERIMENT_TRACKER))

    @property
    def alerter(self) -> BaseAlerter | None:
        """The alerter, if any."""
        return cast("BaseAlerter | None", self.component(StackComponentType.ALERTER))
