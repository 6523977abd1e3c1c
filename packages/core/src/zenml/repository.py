"""The client facade: the active stack, registrations and repositories.

``Repository()`` finds the repository around the current folder (if any),
opens the global stack store and resolves the active stack: the
repository's own when it has one, the global one otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zenml.config.global_config import local_stores_dir, store_path
from zenml.config.repository_config import find_repository_root, initialize_repository
from zenml.errors import (
    ConfigError,
    EntityKeyError,
    EntityNotFoundError,
    ProvisioningError,
    StoreError,
    ZenMLError,
)
from zenml.stack.component_type import StackComponentType
from zenml.stack.models import ComponentModel, ComponentState, StackModel
from zenml.stack_rules import ComponentCheck, StackRules
from zenml.utils.names import validate_name

if TYPE_CHECKING:
    from zenml.config.stack_store import StackStore
    from zenml.post_execution.views import PipelineView
    from zenml.stack.component import StackComponent
    from zenml.stack.config import StackComponentConfig
    from zenml.stack.flavor import Flavor
    from zenml.stack.flavor_registry import FlavorRegistry
    from zenml.stack.stack import Stack

__all__ = ["Repository", "check_name", "default_stack_configs"]


def default_stack_configs() -> dict[str, Any]:
    """Configs of the default stack's components, under the config dir."""
    import uuid

    from zenml.utils.files import private_dir

    folder = local_stores_dir()
    artifacts = folder / str(uuid.uuid4())
    metadata = folder / str(uuid.uuid4())
    private_dir(artifacts)  # 0700, like every folder zenml makes under the config dir
    return {
        StackComponentType.ORCHESTRATOR.value: {},
        StackComponentType.ARTIFACT_STORE.value: {"path": str(artifacts)},
        StackComponentType.METADATA_STORE.value: {"uri": str(metadata / "metadata.db")},
    }


def check_name(name: object, what: str) -> str:
    """The name rule of :mod:`zenml.utils.names` (one line naming ``what`` when broken)."""
    return validate_name(what, name, ConfigError)


class Repository:
    """The entry point to stacks and components, for the CLI and for code."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root: Path | None = Path(root).absolute() if root else find_repository_root()
        self._store: StackStore | None = None

    # -- plumbing ------------------------------------------------------------------

    @property
    def store(self) -> StackStore:
        """The global stack store (created, with the default stack, on first use)."""
        if self._store is None:
            from zenml.config.stack_store import StackStore

            self._store = StackStore(store_path(), default_stack_configs)
        return self._store

    @property
    def flavors(self) -> FlavorRegistry:
        """Every installed flavor (the core's found without running the plugins' hooks)."""
        from zenml.plugins.manager import get_flavor_lookup

        return get_flavor_lookup()

    @staticmethod
    def initialize(path: Path | str | None = None) -> Repository:
        """Make ``path`` (default: cwd) a repository whose active stack is its own."""
        root = Path(path or Path.cwd()).absolute()
        active = Repository(root=None).active_stack_name
        initialize_repository(root)
        repo = Repository(root)
        repo.store.set_repository_stack(str(root), active)
        return repo

    # -- the active stack ---------------------------------------------------------------

    @property
    def active_stack_name(self) -> str:
        """The repository's active stack if it has one, else the global one."""
        if self.root is not None:
            name = self.store.get_repository_stack_name(str(self.root))
            if name is not None:
                return name
        name = self.store.get_active_stack_name()
        if name is None:
            raise StoreError("No active stack is set; run 'zenml stack set NAME' "
                             "(see 'zenml stack list')")
        return name

    @property
    def active_stack_model(self) -> StackModel:
        """The stored record of the active stack."""
        return self.store.get_stack(self.active_stack_name)

    @property
    def active_stack(self) -> Stack:
        """The active stack with its components instantiated."""
        from zenml.stack.stack import Stack

        return Stack.from_model(self.active_stack_model, self.flavors)

    def set_active_stack(self, name: str, globally: bool = False) -> bool:
        """Activate ``name`` for this repository (or globally); True if global."""
        if self.root is not None and not globally:
            self.store.set_repository_stack(str(self.root), name)
            return False
        self.store.set_active_stack(name)
        return True

    # -- components ---------------------------------------------------------------------

    def build_config(self, type_: StackComponentType, flavor_name: str,
                     values: Mapping[str, Any]) -> tuple[Flavor, StackComponentConfig]:
        """The flavor and a validated config for ``values``."""
        flavor = self.flavors.get(type_, flavor_name)
        return flavor, flavor.build_config(values)

    def register_component(self, type_: StackComponentType, name: str, flavor_name: str,
                           values: Mapping[str, Any]) -> ComponentModel:
        """Validate and register a component."""
        check_name(name, type_.display_name)
        flavor, config = self.build_config(type_, flavor_name, values)
        return self.store.create_component(name, type_, flavor.name, config.to_storable(),
                                           config.secret_field_names())

    def update_component(self, type_: StackComponentType, name: str,
                         values: Mapping[str, Any]) -> ComponentModel:
        """Change some config fields of a component; the stacks using it stay valid."""
        current = self.store.get_component(type_, name)
        merged = {**current.config, **values}
        _, config = self.build_config(type_, current.flavor, merged)
        for stack in self.store.list_stacks():
            used = stack.components.get(type_)
            if used is not None and used.id == current.id:
                self._stack_rules.validate(stack.name, stack.components,
                                           overrides={type_: config})
        return self.store.update_component(type_, name, config.to_storable(),
                                           config.secret_field_names())

    def rename_component(self, type_: StackComponentType, name: str, new_name: str) -> None:
        """Rename a component (the stacks using it keep it)."""
        check_name(new_name, type_.display_name)
        self.store.rename_component(type_, name, new_name)

    def delete_component(self, type_: StackComponentType, name: str) -> ComponentModel:
        """Delete a component no stack uses."""
        return self.store.delete_component(type_, name)

    def instantiate(self, model: ComponentModel, stack: StackModel | None = None
                    ) -> StackComponent:
        """The implementation object of a registered component, built through a
        :class:`~zenml.stack.stack.Stack` so that its secret references resolve.

        They resolve through the secrets manager of ``stack``; by default the
        active stack when it holds the component, else a stack holding it that
        has a secrets manager, else the active stack.
        """
        from zenml.stack.stack import Stack

        if stack is None:
            stack = self._stack_of(model)
        components = {**stack.components, model.type: model}
        component = Stack(stack.name, components, self.flavors, id=stack.id).component(model.type)
        assert component is not None  # the stack holds it
        return component

    def _stack_of(self, model: ComponentModel) -> StackModel:
        """The stack whose secrets manager a component outside a run reads its secrets from."""
        active = self.active_stack_model
        used = active.components.get(model.type)
        if used is not None and used.id == model.id:
            return active
        for stack in self.store.list_stacks():
            used = stack.components.get(model.type)
            if (used is not None and used.id == model.id
                    and StackComponentType.SECRETS_MANAGER in stack.components):
                return stack
        return active

    # -- stacks (the rules live in zenml.stack_rules) ----------------------------------

    @property
    def _stack_rules(self) -> StackRules:
        """The stack rules over this repository's store (activation goes to ``root``)."""
        return StackRules(self.store, lambda: self.flavors, self.root)

    def register_stack(self, name: str, components: Mapping[StackComponentType, str],
                       decouple_stores: bool = False, activate: bool = False) -> StackModel:
        """Validate and register a stack of named components.

        With ``activate`` it becomes the active stack of this repository (or
        the global one outside a repository).
        """
        check_name(name, "stack")
        return self._stack_rules.register(name, components, decouple_stores, activate)

    def update_stack(self, name: str, changes: Mapping[StackComponentType, str | None],
                     decouple_stores: bool = False) -> StackModel:
        """Swap (name) or remove (None) components of a stack, then validate it."""
        return self._stack_rules.update(name, changes, decouple_stores)

    def import_stack(self, name: str, components: Mapping[StackComponentType, ComponentModel],
                     check: ComponentCheck | None = None, decouple_stores: bool = False
                     ) -> tuple[StackModel, dict[StackComponentType, str]]:
        """Register a stack and its new components in one transaction (``stack import``).

        The stack is validated, after ``check``, on the components as they will
        be registered; a refusal leaves the store as it was. A component keeps
        the file's name when that is free or names an identical component;
        else an identical component of another name is reused, or it is
        registered as ``<stack>_<name>``. Returns the stack and the components
        registered under another name than the one given.
        """
        check_name(name, "stack")
        return self._stack_rules.import_(name, components, check, decouple_stores)

    def rename_stack(self, name: str, new_name: str) -> None:
        """Rename a stack, keeping it active where it was."""
        check_name(new_name, "stack")
        self.store.rename_stack(name, new_name)

    def delete_stack(self, name: str, delete_components: bool = False) -> list[ComponentModel]:
        """Delete a stack that is not active, globally or in a repository that still exists.

        With ``delete_components`` also its components no other stack uses;
        returns the components deleted.
        """
        return self._stack_rules.delete(name, delete_components)

    # -- stack state -----------------------------------------------------------------------

    def set_component_state(self, type_: StackComponentType, name: str, up: bool,
                            force: bool = False) -> ComponentState:
        """Bring one component up (provision + resume) or down (suspend; deprovision with force)."""
        model = self.store.get_component(type_, name)
        component = self.instantiate(model)
        what = f"{type_.display_name} '{name}' ({model.flavor})"
        try:
            if up:
                # nothing is reported running until the component's own checks pass
                self.store.set_state(model.id, ComponentState(False, False))
                component.bring_up()  # raises unless its checks pass
                state = ComponentState(True, True)
            else:
                if force:
                    if component.is_provisioned:
                        component.deprovision()
                elif component.is_running:
                    component.suspend()
                state = ComponentState(component.is_provisioned, component.is_running)
        except ZenMLError:  # already one line naming the component and the fix
            raise
        except NotImplementedError:
            raise ProvisioningError(f"{what.capitalize()} cannot be "
                                    f"{'provisioned' if up else 'stopped'} by zenml; manage "
                                    f"its resources yourself") from None
        except Exception as error:
            raise ProvisioningError(
                f"{what.capitalize()} could not be {'brought up' if up else 'brought down'}: "
                f"{type(error).__name__}: {error}; fix its configuration with 'zenml "
                f"{type_.cli_name} update {name} --key=value'") from None
        self.store.set_state(model.id, state)
        return state

    def component_states(self) -> dict[str, ComponentState]:
        """The last recorded state of every component, by id."""
        return self.store.get_states()

    def find_component(self, type_: StackComponentType, name: str | None) -> ComponentModel:
        """A component by name, or the active stack's component of that type."""
        if name is not None:
            return self.store.get_component(type_, name)
        stack = self.active_stack_model
        model = stack.components.get(type_)
        if model is None:
            raise EntityNotFoundError(f"The active stack '{stack.name}' has no "
                                      f"{type_.display_name}; name one")
        return model

    # -- post-execution ------------------------------------------------------------------

    def stack(self, stack_name: str | None = None) -> Stack:
        """A stack by name (the active one by default), its components built on first use."""
        from zenml.stack.stack import Stack

        if stack_name is None:
            return self.active_stack
        return Stack.from_model(self.store.get_stack(stack_name), self.flavors)

    def run_stores(self, stack_name: str | None = None) -> tuple[Any, Any]:
        """The metadata and artifact store of a stack (the active one by default)."""
        stack = self.stack(stack_name)
        return stack.metadata_store, stack.artifact_store

    def get_pipelines(self, stack_name: str | None = None, *, stack_key: str | None = None
                      ) -> list[PipelineView]:
        """Every pipeline recorded in a stack's metadata store (the active one by default).

        ``stack_key`` is the original framework's name for ``stack_name``.
        """
        from zenml.post_execution.views import PipelineView

        metadata_store, artifact_store = self.run_stores(stack_name or stack_key)
        return [PipelineView(metadata_store, p, artifact_store)
                for p in metadata_store.get_pipeline_records()]

    def get_pipeline(self, pipeline_name: Any = None, *, pipeline: Any = None,
                     stack_name: str | None = None, stack_key: str | None = None
                     ) -> PipelineView:
        """One pipeline by name, pipeline class or pipeline object.

        The original framework's forms work too: ``get_pipeline(pipeline_name=...,
        stack_key=...)`` and ``get_pipeline(pipeline=...)``. A pipeline that has
        not run raises :class:`~zenml.errors.EntityKeyError` (also a ``KeyError``).
        """
        from zenml.post_execution.views import PipelineView

        target = pipeline if pipeline is not None else pipeline_name
        if target is None:
            raise ValueError("get_pipeline() needs a pipeline name")
        name = target if isinstance(target, str) else getattr(target, "name", None)
        if not isinstance(name, str):
            name = getattr(target, "NAME", None) or getattr(target, "__name__", str(target))
        metadata_store, artifact_store = self.run_stores(stack_name or stack_key)
        for record in metadata_store.get_pipeline_records():
            if record.name == name:
                return PipelineView(metadata_store, record, artifact_store)
        raise EntityKeyError(
            f"No pipeline '{name}' has run on metadata store '{metadata_store.name}' "
            f"(see 'zenml pipeline list')")
