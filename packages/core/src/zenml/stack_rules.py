"""The stack rules: what may be registered, changed, imported and deleted.

The stack store only stores; these rules (validation on configs, the
coupling of an artifact store with a metadata store, renaming on import,
which stacks may be deleted) run inside one of its write transactions, so a
refusal leaves the store as it was. :class:`zenml.repository.Repository`
applies them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from zenml.config.repository_config import REPOSITORY_DIRECTORY
from zenml.errors import (
    ConfigError,
    EntityExistsError,
    IllegalOperationError,
    StackValidationError,
)
from zenml.stack.component_type import StackComponentType
from zenml.stack.models import ComponentModel, StackModel

if TYPE_CHECKING:
    from zenml.config.stack_session import StackSession
    from zenml.config.stack_store import StackStore
    from zenml.stack.config import ComponentSpec, StackComponentConfig
    from zenml.stack.flavor_registry import FlavorRegistry

__all__ = ["ComponentCheck", "StackRules"]

logger = logging.getLogger("zenml")

#: A check of a stack's components as they will be registered (raises to refuse).
ComponentCheck = Callable[[dict[StackComponentType, ComponentModel]], None]

_STORES = (StackComponentType.ARTIFACT_STORE, StackComponentType.METADATA_STORE)


class StackRules:
    """The rules of the stacks of one stack store.

    ``flavors`` is called only when a rule needs the installed flavors
    (validation), so deleting a stack loads no plugin. ``root`` is the
    repository whose active stack ``register(activate=True)`` sets (the
    global one when None).
    """

    def __init__(self, store: StackStore, flavors: Callable[[], FlavorRegistry],
                 root: Path | None = None) -> None:
        self.store = store
        self._flavors = flavors
        self.root = root

    # -- validation ----------------------------------------------------------------------

    def specs(self, components: Mapping[StackComponentType, ComponentModel],
              overrides: Mapping[StackComponentType, StackComponentConfig] | None = None
              ) -> dict[StackComponentType, ComponentSpec]:
        """The components as validation sees them (``overrides`` replace stored configs)."""
        from zenml.stack.config import ComponentSpec

        flavors = self._flavors()
        specs = {}
        for type_, model in components.items():
            config = (overrides or {}).get(type_)
            if config is None:
                flavor = flavors.find(type_, model.flavor)
                if flavor is None:
                    from zenml.integrations.catalog import install_hint

                    raise ConfigError(
                        f"{type_.display_name.capitalize()} '{model.name}' has flavor "
                        f"'{model.flavor}', which is not installed; "
                        f"{install_hint(type_, model.flavor)}")
                config = flavor.build_config(model.config)
            specs[type_] = ComponentSpec(name=model.name, flavor=model.flavor, config=config)
        return specs

    def validate(self, name: str, components: Mapping[StackComponentType, ComponentModel],
                 overrides: Mapping[StackComponentType, StackComponentConfig] | None = None
                 ) -> None:
        """Refuse stack ``name`` made of ``components`` unless every component agrees and
        its secrets manager holds every secret and key the components reference."""
        from zenml.stack.stack import validate_stack

        specs = self.specs(components, overrides)
        validate_stack(name, specs)
        self.check_secrets(name, components, specs)

    def check_secrets(self, name: str, components: Mapping[StackComponentType, ComponentModel],
                      specs: Mapping[StackComponentType, ComponentSpec]) -> None:
        """Check a stack's references against its secrets manager.

        No secrets manager, or a secret of the wrong schema, is refused; a secret or
        key the manager does not hold yet is a warning naming the command that creates
        it (the original framework's docs register the stack before the secret), and
        using a component of the stack fails in one line until it exists.
        """
        from zenml.secrets_managers.resolve import check_secret_needs, secret_needs

        needs = secret_needs(
            (f"{type_.display_name} '{spec.name}'", type(spec.config), spec.config.to_storable())
            for type_, spec in specs.items() if type_ is not StackComponentType.SECRETS_MANAGER)
        if not needs:
            return
        manager = None
        spec = specs.get(StackComponentType.SECRETS_MANAGER)
        if spec is not None:
            from zenml.secrets_managers.base import BaseSecretsManager

            flavor = self._flavors().get(StackComponentType.SECRETS_MANAGER, spec.flavor)
            model = components[StackComponentType.SECRETS_MANAGER]
            built = flavor.load_implementation()(name=spec.name, id=model.id, flavor=spec.flavor,
                                                 config=spec.config)
            if isinstance(built, BaseSecretsManager):
                manager = built
        check_secret_needs(name, manager, needs, missing=logger.warning)

    def couple(self, session: StackSession, stack_name: str,
               components: Mapping[StackComponentType, ComponentModel], decouple: bool) -> None:
        """The coupling rule: a metadata store records the runs of one artifact store."""
        artifact = components.get(StackComponentType.ARTIFACT_STORE)
        meta = components.get(StackComponentType.METADATA_STORE)
        if artifact is None or meta is None:
            return
        pairs = session.couplings(artifact.id, meta.id)
        conflicts = [pair for pair in pairs if pair != (artifact.id, meta.id)]
        if conflicts and not decouple:
            artifact_id, meta_id = conflicts[0]
            names = session.component_names([artifact_id, meta_id])
            holder = session.stack_holding(artifact_id, meta_id)
            where = (f"in stack '{holder}'" + (" (this stack)" if holder == stack_name else "")
                     if holder else "by a stack that has since been deleted")
            raise StackValidationError(
                f"Stack '{stack_name}' cannot pair artifact store '{artifact.name}' with "
                f"metadata store '{meta.name}': artifact store '{names.get(artifact_id)}' and "
                f"metadata store '{names.get(meta_id)}' are coupled {where}; use the coupled "
                f"store, register a new one, or pass --decouple_stores to reset the coupling")
        for artifact_id, _ in conflicts:
            session.decouple(artifact_id)
        if len(pairs) == len(conflicts):
            session.couple(artifact.id, meta.id)

    # -- writes --------------------------------------------------------------------------

    def register(self, name: str, components: Mapping[StackComponentType, str],
                 decouple_stores: bool = False, activate: bool = False) -> StackModel:
        """Validate, couple and register a stack of named components."""
        with self.store.session() as session:
            if session.has_stack(name):
                raise EntityExistsError(f"A stack named '{name}' is already registered; "
                                        f"choose another name or use 'zenml stack update'")
            resolved = {t: session.component(t, n) for t, n in components.items()}
            self.validate(name, resolved)
            self.couple(session, name, resolved, decouple_stores)
            stack_id = session.add_stack(name, {t: c.id for t, c in resolved.items()})
            if activate and self.root is not None:
                session.set_repository_stack(str(self.root), stack_id)
            elif activate:
                session.set_active_stack(stack_id)
            return session.stack(name)

    def update(self, name: str, changes: Mapping[StackComponentType, str | None],
               decouple_stores: bool = False) -> StackModel:
        """Swap (name) or remove (None) components of a stack, then validate it."""
        with self.store.session() as session:
            stack = session.stack(name)
            resolved = dict(stack.components)
            for type_, component_name in changes.items():
                if component_name is None:
                    resolved.pop(type_, None)
                else:
                    resolved[type_] = session.component(type_, component_name)
            self.validate(name, resolved)
            if decouple_stores or any(getattr(resolved.get(t), "id", None)
                                      != getattr(stack.components.get(t), "id", None)
                                      for t in _STORES):
                self.couple(session, name, resolved, decouple_stores)
            session.set_stack_components(stack.id, {t: c.id for t, c in resolved.items()})
            return session.stack(name)

    def import_(self, name: str, components: Mapping[StackComponentType, ComponentModel],
                check: ComponentCheck | None = None, decouple_stores: bool = False
                ) -> tuple[StackModel, dict[StackComponentType, str]]:
        """Register a stack and its new components in one transaction.

        See :meth:`zenml.repository.Repository.import_stack` for the naming rule.
        """
        with self.store.session() as session:
            if session.has_stack(name):
                raise EntityExistsError(f"A stack named '{name}' is already registered; "
                                        f"import it under another name")
            resolved: dict[StackComponentType, ComponentModel] = {}
            renamed: dict[StackComponentType, str] = {}
            for type_, wanted in components.items():
                model = self._import_component(session, name, type_, wanted)
                resolved[type_] = model
                if model.name != wanted.name:
                    renamed[type_] = model.name
            if check is not None:
                check(resolved)
            self.validate(name, resolved)
            self.couple(session, name, resolved, decouple_stores)
            session.add_stack(name, {t: c.id for t, c in resolved.items()})
            return session.stack(name), renamed

    @staticmethod
    def _import_component(session: StackSession, stack_name: str, type_: StackComponentType,
                          wanted: ComponentModel) -> ComponentModel:
        """The registered component an imported one becomes (reused, or added)."""
        registered = session.components(type_)
        same = [c.name for c in registered.values()
                if (c.flavor, c.config) == (wanted.flavor, wanted.config)]
        if wanted.name in same:
            return registered[wanted.name]
        if same and wanted.name in registered:
            return registered[same[0]]
        candidate, attempt = wanted.name, 1
        while candidate in registered:
            attempt += 1
            candidate = f"{stack_name}_{wanted.name}" + (f"_{attempt - 1}"
                                                         if attempt > 2 else "")
        return session.add_component(candidate, type_, wanted.flavor, wanted.config,
                                     wanted.secret_fields)

    def delete(self, name: str, delete_components: bool = False) -> list[ComponentModel]:
        """Delete a stack that is not active, globally or in a repository that still exists.

        With ``delete_components`` also its components no other stack uses;
        returns the components deleted.
        """
        with self.store.session() as session:
            stack = session.stack(name)
            if stack.id == session.active_stack_id():
                raise IllegalOperationError(
                    f"Stack '{stack.name}' is the active stack; activate another one first "
                    f"('zenml stack set --global OTHER')")
            alive = [p for p in session.repositories_of(stack.id)
                     if (Path(p) / REPOSITORY_DIRECTORY).is_dir()]
            if alive:
                raise IllegalOperationError(
                    f"Stack '{stack.name}' is the active stack of the repository at "
                    f"{alive[0]}; run 'zenml stack set OTHER' there first")
            session.delete_stack(stack.id)
            deleted = []
            if delete_components:
                for component in stack.components.values():
                    if not session.stacks_using(component.id):
                        session.delete_component(component.id)
                        deleted.append(component)
            return deleted
