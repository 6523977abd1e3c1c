"""Resolving a component's secret references where the component is used.

A stored configuration keeps ``{{SECRET_NAME.KEY}}`` references (and fields
naming a whole secret, like S3's ``authentication_secret``) as written. They
become values in one place, :func:`resolve_values`, called by
:meth:`zenml.stack.flavor.Flavor.create_component`, the one way to make a
component: each value comes from the environment variable
:func:`~zenml.secrets_managers.references.secret_env_var` when an
orchestrator set it, else from the secrets manager of the stack the component
is used in. :func:`secret_needs` and :func:`check_secret_needs` say which
secrets a stack needs and whether its secrets manager holds them
(``stack register``/``update``/``import``/``export``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zenml.errors import EntityNotFoundError, SecretsManagerError, StackValidationError
from zenml.secrets_managers.references import SecretReference, parse_reference, secret_env_var

if TYPE_CHECKING:
    from zenml.secrets_managers.base import BaseSecretsManager
    from zenml.secrets_managers.schemas import BaseSecretSchema
    from zenml.stack.config import StackComponentConfig
    from zenml.stack.flavor import Flavor
    from zenml.stack.models import ComponentModel

__all__ = ["SecretNeed", "SecretsSource", "check_secret_needs", "missing_secret_keys",
           "references_of", "register_command", "resolve_values", "secret_needs"]

#: Gives the secrets manager references are read from (None: the stack has none).
SecretsSource = Callable[[], "BaseSecretsManager | None"]


def _what(model: ComponentModel) -> str:
    return f"{model.type.display_name} '{model.name}'"


def register_command(name: str, keys: Iterable[str], schema: str | None = None) -> str:
    """``zenml secret register NAME [-s SCHEMA] --KEY=... ...``."""
    parts = ["zenml secret register", name]
    if schema and schema != "arbitrary":
        parts.append(f"-s {schema}")
    parts += [f"--{key}=..." for key in sorted(keys)]
    return " ".join(parts)


def references_of(config_class: type[StackComponentConfig],
                  values: Mapping[str, Any]) -> list[SecretReference]:
    """Every reference a stored config needs resolved, sorted: its ``{{...}}`` fields and,
    for a field naming a secret, each key of that secret's schema.

    An orchestrator passing values in the environment sets these variables
    (:func:`~zenml.secrets_managers.references.secret_env_var`); a key a secret does
    not have may be left unset.
    """
    from zenml.secrets_managers.schemas import get_schema

    found = {ref for value in values.values() if (ref := parse_reference(value)) is not None}
    for name, spec in config_class.SECRET_NAME_FIELDS.items():
        secret = values.get(name)
        if isinstance(secret, str) and secret:
            keys = get_schema(spec.schema).keys() or list(spec.keys)
            found.update(SecretReference(secret, key) for key in keys)
    return sorted(found)


class _Reader:
    """Reads secrets for one component: the environment first, then the secrets manager."""

    def __init__(self, secrets: SecretsSource | None, what: str) -> None:
        self._secrets = secrets
        self._what = what
        self._manager: BaseSecretsManager | None = None
        self._cache: dict[str, BaseSecretSchema] = {}

    def manager(self, reference: SecretReference) -> BaseSecretsManager:
        if self._manager is None:
            manager = self._secrets() if self._secrets is not None else None
            if manager is None:
                raise SecretsManagerError(
                    f"{self._what.capitalize()} references secret '{reference.name}' "
                    f"({reference}), but its stack has no secrets manager; add the one "
                    f"holding it with 'zenml stack update -x NAME'")
            self._manager = manager
        return self._manager

    def secret(self, reference: SecretReference) -> BaseSecretSchema:
        cached = self._cache.get(reference.name)
        if cached is not None:
            return cached
        manager = self.manager(reference)
        try:
            secret = manager.get_secret(reference.name)
        except EntityNotFoundError:
            raise EntityNotFoundError(
                f"Secret '{reference.name}' used by {self._what} ({reference}) is not in "
                f"secrets manager '{manager.name}'; create it with "
                f"'{register_command(reference.name, [reference.key])}'") from None
        self._cache[reference.name] = secret
        return secret

    def value(self, reference: SecretReference) -> str:
        from_env = os.environ.get(secret_env_var(reference))
        if from_env is not None:
            return from_env
        content = self.secret(reference).content
        if reference.key not in content:
            raise EntityNotFoundError(
                f"Secret '{reference.name}' has no key '{reference.key}' ({self._what} uses "
                f"{reference}); add it with 'zenml secret update {reference.name} "
                f"--{reference.key}=...'")
        return content[reference.key]

    def whole(self, name: str, schema: str, keys: Iterable[str]) -> dict[str, str]:
        """The values of a secret named by a field, by key (keys it lacks left out)."""
        keys = list(keys)
        passed = {key: os.environ.get(secret_env_var(SecretReference(name, key)))
                  for key in keys}
        if any(value is not None for value in passed.values()):  # the orchestrator passed it
            return {key: value for key, value in passed.items() if value is not None}
        secret = self.secret(SecretReference(name, keys[0] if keys else ""))
        if schema != secret.TYPE:
            raise SecretsManagerError(
                f"Secret '{name}' used by {self._what} is a '{secret.TYPE}' secret, not "
                f"'{schema}'; register a '{schema}' secret with "
                f"'zenml secret register NAME -s {schema} ...' and name it instead")
        return dict(secret.content)


def resolve_values(flavor: Flavor, model: ComponentModel,
                   secrets: SecretsSource | None) -> dict[str, Any]:
    """A stored config with each reference replaced by its value and each field naming a
    secret replaced by the fields that secret fills. Values never appear in errors."""
    values = dict(model.config)
    references = {key: ref for key, value in values.items()
                  if (ref := parse_reference(value)) is not None}
    named = {key: spec for key, spec in flavor.config_class.SECRET_NAME_FIELDS.items()
             if isinstance(values.get(key), str) and values.get(key)}
    if not references and not named:
        return values
    reader = _Reader(secrets, _what(model))
    for key, reference in references.items():
        values[key] = reader.value(reference)
    for key, spec in named.items():
        secret_name = str(values.pop(key))
        content = reader.whole(secret_name, spec.schema, spec.keys)
        for secret_key, target in spec.keys.items():
            if content.get(secret_key) is not None:
                values[target] = content[secret_key]
    return values


@dataclass
class SecretNeed:
    """A secret a stack needs: the keys it must have, the schema a field demands."""

    name: str
    keys: set[str] = field(default_factory=set)
    schema: str | None = None
    users: list[str] = field(default_factory=list)

    @property
    def command(self) -> str:
        """The command that creates it."""
        return register_command(self.name, self.keys, self.schema)


def secret_needs(components: Iterable[tuple[str, type[StackComponentConfig],
                                            Mapping[str, Any]]]) -> dict[str, SecretNeed]:
    """The secrets ``(description, config class, stored config)`` components need, by name."""
    from zenml.secrets_managers.schemas import get_schema

    needs: dict[str, SecretNeed] = {}
    for what, config_class, values in components:
        for key, value in values.items():
            reference = parse_reference(value)
            if reference is not None:
                need = needs.setdefault(reference.name, SecretNeed(reference.name))
                need.keys.add(reference.key)
                need.users.append(f"{what} --{key}")
        for key, spec in config_class.SECRET_NAME_FIELDS.items():
            name = values.get(key)
            if isinstance(name, str) and name:
                need = needs.setdefault(name, SecretNeed(name))
                need.schema = spec.schema
                need.keys.update(get_schema(spec.schema).required_keys())
                need.users.append(f"{what} --{key}")
    return needs


def missing_secret_keys(manager: BaseSecretsManager, need: SecretNeed) -> set[str] | None:
    """The keys of ``need`` its secret lacks (None: no such secret, or the wrong schema)."""
    try:
        secret = manager.get_secret(need.name)
    except EntityNotFoundError:
        return None
    if need.schema is not None and need.schema != secret.TYPE:
        return None
    return need.keys - set(secret.content)


def check_secret_needs(stack_name: str, manager: BaseSecretsManager | None,
                       needs: Mapping[str, SecretNeed],
                       missing: Callable[[str], None] | None = None) -> None:
    """Refuse (one line naming the fix) unless ``manager`` holds every secret and key.

    With ``missing``, a secret or key the manager does not hold *yet* is reported
    to it instead (the original framework's docs create the secret after the stack);
    no secrets manager, or a secret of the wrong schema, is still refused.
    """
    if not needs:
        return
    first = next(iter(needs.values()))
    if manager is None:
        raise StackValidationError(
            f"Stack '{stack_name}' uses secret '{first.name}' ({first.users[0]}) but has no "
            f"secrets manager; add one with -x/--secrets-manager NAME")

    def absent(message: str) -> None:
        if missing is None:
            raise StackValidationError(message)
        missing(f"{message} before running on this stack")

    for need in needs.values():
        try:
            secret = manager.get_secret(need.name)
        except EntityNotFoundError:
            absent(f"Stack '{stack_name}': secret '{need.name}' ({need.users[0]}) is not in "
                   f"secrets manager '{manager.name}'; create it with '{need.command}'")
            continue
        if need.schema is not None and need.schema != secret.TYPE:
            raise StackValidationError(
                f"Stack '{stack_name}': secret '{need.name}' ({need.users[0]}) is a "
                f"'{secret.TYPE}' secret, not '{need.schema}'; register a '{need.schema}' "
                f"secret with '{register_command('NAME', need.keys, need.schema)}' and name "
                f"it instead")
        keys = sorted(need.keys - set(secret.content))
        if keys:
            flags = " ".join(f"--{key}=..." for key in keys)
            absent(f"Stack '{stack_name}': secret '{need.name}' of secrets manager "
                   f"'{manager.name}' has no key '{keys[0]}' ({need.users[0]}); add it with "
                   f"'zenml secret update {need.name} {flags}'")
