"""Moving secret values typed in clear into the stack's secrets manager.

A component registered with a secret typed directly keeps working;
:func:`migrate_component` (``zenml secret migrate TYPE NAME``) puts those
values into a new secret and replaces them by ``{{SECRET.KEY}}`` references.
A flavor with a field naming a whole secret (S3's ``authentication_secret``,
MySQL's ``secret``) gets a secret of that field's schema, keyed as the schema
names them; any other flavor an ``arbitrary`` secret keyed by field name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from zenml.errors import ConfigError, StackValidationError
from zenml.secrets_managers.references import SecretReference, parse_reference
from zenml.stack.component_type import StackComponentType

if TYPE_CHECKING:
    from zenml.repository import Repository
    from zenml.secrets_managers.base import BaseSecretsManager
    from zenml.secrets_managers.schemas import BaseSecretSchema
    from zenml.stack.config import StackComponentConfig
    from zenml.stack.models import ComponentModel

__all__ = ["clear_secret_fields", "default_secret_name", "migrate_component",
           "plan_secret", "store_as_secret"]


def clear_secret_fields(model: ComponentModel) -> list[str]:
    """The secret fields of a registered component holding a value typed in clear."""
    return [name for name in model.secret_fields
            if model.config.get(name) is not None and parse_reference(model.config[name]) is None]


def default_secret_name(type_: StackComponentType, component_name: str) -> str:
    """The secret a component's values move to unless named: ``<name>-<type>``."""
    return f"{component_name}-{type_.cli_name}"


def plan_secret(config_class: type[StackComponentConfig], secret_name: str,
                values: Mapping[str, Any], fields: list[str]
                ) -> tuple[BaseSecretSchema, dict[str, SecretReference]]:
    """The secret holding ``fields`` of ``values`` and the reference replacing each field."""
    from zenml.secrets_managers.schemas import build_secret

    schema, keys = "arbitrary", {name: name for name in fields}
    for spec in config_class.SECRET_NAME_FIELDS.values():
        by_field = {target: key for key, target in spec.keys.items()}
        if all(name in by_field for name in fields):
            schema, keys = spec.schema, {name: by_field[name] for name in fields}
            break
    content = {keys[name]: _text(values[name]) for name in fields}
    try:
        secret = build_secret(schema, secret_name, content)
    except ValueError:  # the schema wants keys these fields do not give: any keys
        schema, keys = "arbitrary", {name: name for name in fields}
        secret = build_secret(schema, secret_name,
                              {keys[name]: _text(values[name]) for name in fields})
    return secret, {name: SecretReference(secret_name, keys[name]) for name in fields}


def _text(value: Any) -> str:
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    return str(value)


def active_secrets_manager(repo: Repository) -> BaseSecretsManager:
    """The active stack's secrets manager; one line naming the fix when it has none."""
    stack = repo.active_stack
    manager = stack.secrets_manager
    if manager is None:
        raise StackValidationError(
            f"The active stack '{stack.name}' has no secrets manager; register one with "
            f"'zenml secrets-manager register NAME --flavor=local' and add it with "
            f"'zenml stack update {stack.name} -x NAME'")
    return manager


def store_as_secret(manager: BaseSecretsManager, secret: BaseSecretSchema,
                    write: Any) -> None:
    """Register ``secret``, then run ``write()`` (the store write); if that fails the
    secret is deleted again, so both happen or neither."""
    manager.register_secret(secret)
    try:
        write()
    except BaseException:
        try:
            manager.delete_secret(secret.name)
        finally:
            raise


def migrate_component(repo: Repository, type_: StackComponentType, name: str,
                      secret_name: str | None = None) -> list[SecretReference]:
    """Move component ``name``'s secret fields typed in clear into a new secret of the
    active stack's secrets manager and replace them by references (sorted by field).

    Returns the references written (empty when nothing is in clear). One
    transaction: if the component cannot be updated (a stack using it would
    not resolve the reference), the new secret is deleted.
    """
    from zenml.repository import check_name

    model = repo.store.get_component(type_, name)
    fields = clear_secret_fields(model)
    if not fields:
        return []
    flavor = repo.flavors.find(type_, model.flavor)
    if flavor is None:
        raise ConfigError(f"{type_.display_name.capitalize()} '{name}' has flavor "
                          f"'{model.flavor}', which is not installed; install it to migrate "
                          f"its secrets")
    secret_name = secret_name or default_secret_name(type_, name)
    check_name(secret_name, "secret")
    manager = active_secrets_manager(repo)
    secret, references = plan_secret(flavor.config_class, secret_name, model.config, fields)
    changes = {field: str(reference) for field, reference in references.items()}
    store_as_secret(manager, secret,
                    lambda: repo.update_component(type_, name, changes))
    return [references[field] for field in sorted(references)]
