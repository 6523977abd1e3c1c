"""``zenml secret ...``: the secrets of the active stack's secrets manager.

Values are never printed unless ``get --show`` asks for them, never repeated
in an error, and never taken from anywhere but the command line, a file
(``--KEY=@FILE``) or a prompt without echo (``-i``).
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

import click

from zenml.cli.output import declare, print_table
from zenml.errors import ConfigError, EntityNotFoundError
from zenml.stack.models import MASK

if TYPE_CHECKING:
    from zenml.repository import Repository
    from zenml.secrets_managers.base import BaseSecretsManager
    from zenml.secrets_managers.schemas import BaseSecretSchema

__all__ = ["active_secrets_manager", "secret"]

_KEY = re.compile(r"^[A-Za-z0-9_]+$")
_EXTRA = {"ignore_unknown_options": True, "allow_extra_args": True}


def active_secrets_manager(repo: Repository | None = None) -> BaseSecretsManager:
    """The active stack's secrets manager; one line naming the fix when it has none."""
    from zenml.repository import Repository
    from zenml.secrets_managers.migration import active_secrets_manager as active

    return active(repo or Repository())


def _read_file(key: str, path: str) -> str:
    """The text of ``--KEY=@FILE`` (one trailing newline dropped); the path is never shown:
    it may be the secret itself with a leading @."""
    from zenml.cli.config_args import read_value_file

    text = read_value_file(f"--{key}=@FILE", path)
    return text[:-1] if text.endswith("\n") else text


def _values(args: tuple[str, ...]) -> dict[str, str]:
    """``--KEY=VALUE`` arguments (``@FILE`` read, ``@@`` a literal @) as values by key."""
    from zenml.cli.config_args import BARE_FLAG, parse_extra_args

    values: dict[str, str] = {}
    try:
        parsed = parse_extra_args(args)
    except ConfigError as error:
        if not str(error).startswith("Unexpected argument"):
            raise
        # the stray word may be a value typed without its --KEY=: never repeat it
        raise ConfigError("Unexpected argument (not repeated: it may be a value); pass values "
                          "as --KEY=VALUE") from None
    for key, raw in parsed.items():
        _check_key(key)
        if raw == BARE_FLAG:
            raise ConfigError(f"--{key} needs a value; pass --{key}=VALUE (or --{key}=@FILE)")
        if raw.startswith("@@"):
            raw = raw[1:]
        elif raw.startswith("@"):
            raw = _read_file(key, raw[1:])
        values[key] = raw
    return values


def _check_key(key: str) -> None:
    if key == "name":
        raise ConfigError("'name' cannot be a key of a secret (it is the secret's name); "
                          "choose another key")
    if not _KEY.match(key):
        raise ConfigError(f"Invalid secret key {key!r}: use letters, digits and '_'")


def _check_unknown_keys(schema: type[BaseSecretSchema], values: dict[str, str]) -> None:
    """Keys ``schema`` does not have: one line listing the valid ones."""
    known = schema.keys()
    unknown = [key for key in values if key not in known]
    if schema.TYPE != "arbitrary" and unknown:
        raise ConfigError(f"Secret schema '{schema.TYPE}' has no key(s) "
                          f"{', '.join('--' + k for k in unknown)}; its keys: "
                          f"{', '.join('--' + k for k in known)}")


def _check_schema_keys(schema: type[BaseSecretSchema], values: dict[str, str],
                       name: str) -> None:
    """Unknown or missing keys for ``schema``: one line listing the valid ones."""
    if schema.TYPE == "arbitrary":
        if not values:
            raise ConfigError(f"Secret '{name}' has no values; pass --KEY=VALUE ... or use -i "
                              f"to be prompted")
        return
    _check_unknown_keys(schema, values)
    known = schema.keys()
    valid = ", ".join(f"--{key}" for key in known)
    missing = [key for key in schema.required_keys() if not values.get(key)]
    if missing:
        flags = " ".join(f"--{key}=VALUE" for key in missing)
        raise ConfigError(f"Secret schema '{schema.TYPE}' needs "
                          f"{', '.join('--' + k for k in missing)}; pass {flags} or use -i to "
                          f"be prompted (its keys: {valid})")


def _build(schema: type[BaseSecretSchema], name: str, values: dict[str, str]
           ) -> BaseSecretSchema:
    from pydantic import ValidationError

    _check_schema_keys(schema, values, name)
    try:
        return schema(name=name, **values)
    except ValidationError as error:  # not expected after the checks; never echo the input
        where = ".".join(str(part) for part in error.errors()[0]["loc"]) or "values"
        raise ConfigError(f"Invalid --{where} for secret schema '{schema.TYPE}'") from None


def _prompt_value(key: str, required: bool, keep: bool = False) -> str:
    if keep:
        hint = " [ENTER keeps the current value]"
    else:
        hint = "" if required else " [optional, ENTER to skip]"
    while True:
        value: str = click.prompt(f"{key}{hint}", default="", show_default=False,
                                  hide_input=True)
        if value or not required:
            return value
        click.echo(f"{key} is required; enter a value.", err=True)


def _prompt_new_keys(values: dict[str, str]) -> None:
    """Arbitrary secrets: ask for key names until an empty one, then each value (no echo)."""
    while True:
        key: str = click.prompt("Key name [ENTER to finish]", default="", show_default=False)
        key = key.strip()
        if not key:
            return
        try:
            _check_key(key)
        except ConfigError as error:
            click.echo(f"{error}; try again.", err=True)
            continue
        if key in values:
            click.echo(f"Key '{key}' is given already; enter another key.", err=True)
            continue
        values[key] = _prompt_value(key, required=False)


def _prompt_missing(schema: type[BaseSecretSchema], values: dict[str, str]) -> None:
    """Ask (without echo) for every key of ``schema`` not given."""
    if schema.TYPE == "arbitrary":
        _prompt_new_keys(values)
        return
    required = set(schema.required_keys())
    known = schema.keys()
    for key in known:
        if key not in values:
            value = _prompt_value(key, key in required)
            if value:
                values[key] = value


@click.group(help="Register and manage the secrets of the active stack's secrets manager.")
def secret() -> None:
    pass


@secret.command("register", context_settings=_EXTRA,
                help="Register a secret: zenml secret register NAME [-s SCHEMA] --KEY=VALUE "
                     "... (--KEY=@FILE reads a file, @@ starts a value with @; -i prompts "
                     "without echo).")
@click.argument("name")
@click.option("-s", "--schema", default="arbitrary", show_default=True,
              help="The secret's schema: arbitrary, aws, mysql, wandb.")
@click.option("-i", "--interactive", is_flag=True,
              help="Prompt (without echo) for every key of the schema not given; for "
                   "'arbitrary', for key names until an empty one.")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def register(name: str, schema: str, interactive: bool, args: tuple[str, ...]) -> None:
    from zenml.secrets_managers.schemas import get_schema
    from zenml.utils.names import validate_name

    validate_name("secret", name)
    schema_class = get_schema(schema)
    values = _values(args)
    _check_unknown_keys(schema_class, values)
    manager = active_secrets_manager()
    if name in manager.get_all_secret_keys():  # before any prompt
        from zenml.errors import EntityExistsError

        raise EntityExistsError(
            f"Secret '{name}' already exists in secrets manager '{manager.name}'; change it "
            f"with 'zenml secret update {name} --KEY=VALUE' or delete it first")
    if interactive:
        _prompt_missing(schema_class, values)
    manager.register_secret(_build(schema_class, name, values))
    declare(f"Successfully registered secret `{name}` (schema {schema_class.TYPE}, keys: "
            f"{', '.join(sorted(values))}) in secrets manager `{manager.name}`.")


@secret.command("get", help="Show a secret's keys; values stay masked unless --show.")
@click.argument("name")
@click.option("--show", is_flag=True, help="Print the values in clear.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask before printing values in clear.")
def get(name: str, show: bool, yes: bool) -> None:
    manager = active_secrets_manager()
    found = manager.get_secret(name)
    if show and not yes and sys.stdout.isatty():
        click.confirm(f"Print the values of secret '{name}' in clear on this terminal?",
                      abort=True)
    content = found.content
    rows = [(key, content[key] if show else MASK) for key in sorted(content)]
    declare(f"Secret '{name}' (schema {found.TYPE}) of secrets manager '{manager.name}':")
    print_table(["KEY", "VALUE"], rows)


@secret.command("list", help="List the secrets of the active stack's secrets manager.")
def list_() -> None:
    manager = active_secrets_manager()
    names = manager.get_all_secret_keys()
    if not names:
        declare(f"No secrets in secrets manager '{manager.name}'; register one with "
                f"'zenml secret register NAME --KEY=VALUE'.")
        return
    rows = []
    for name in names:
        found = manager.get_secret(name)
        rows.append((name, found.TYPE, ", ".join(sorted(found.content))))
    declare(f"Secrets of secrets manager '{manager.name}':")
    print_table(["NAME", "SCHEMA", "KEYS"], rows)


@secret.command("update", context_settings=_EXTRA,
                help="Change keys of a secret: zenml secret update NAME --KEY=VALUE ... "
                     "(the other keys are kept; -i prompts without echo).")
@click.argument("name")
@click.option("-i", "--interactive", is_flag=True,
              help="Prompt (without echo) for each key; ENTER keeps the current value.")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def update(name: str, interactive: bool, args: tuple[str, ...]) -> None:
    from zenml.secrets_managers.schemas import get_schema

    values = _values(args)
    if not values and not interactive:
        raise click.UsageError("Nothing to update; pass --KEY=VALUE (or -i)")
    manager = active_secrets_manager()
    current = manager.get_secret(name)
    schema_class = get_schema(current.TYPE)
    merged = {**current.content, **values}
    if interactive:
        keys = schema_class.keys() if schema_class.TYPE != "arbitrary" else list(merged)
        for key in keys:
            if key not in values:
                new = _prompt_value(key, required=False, keep=key in merged)
                if new:
                    merged[key] = new
        if schema_class.TYPE == "arbitrary":
            added: dict[str, str] = {}
            _prompt_new_keys(added)
            merged.update(added)
    manager.update_secret(_build(schema_class, name, merged))
    changed = sorted(set(merged) - set(current.content) | {k for k in merged if
                                                            current.content.get(k) != merged[k]})
    declare(f"Successfully updated secret `{name}` (keys changed: "
            f"{', '.join(changed) or 'none'}).")


@secret.command("delete", help="Delete a secret (asks first unless -y).")
@click.argument("name")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(name: str, yes: bool) -> None:
    manager = active_secrets_manager()
    if name not in manager.get_all_secret_keys():
        raise EntityNotFoundError(
            f"No secret '{name}' in secrets manager '{manager.name}'; see 'zenml secret "
            f"list'")
    if not yes and not click.confirm(
            f"Delete secret '{name}' from secrets manager '{manager.name}'?"):
        declare(f"Secret `{name}` kept.")
        return
    manager.delete_secret(name)
    declare(f"Deleted secret `{name}`.")


@secret.command("migrate", help="Move the secret values a component holds in clear into a "
                                "new secret and replace them by {{SECRET.KEY}} references: "
                                "zenml secret migrate COMPONENT_TYPE NAME "
                                "(e.g. artifact-store my_s3).")
@click.argument("component_type")
@click.argument("name")
@click.option("-n", "--secret-name", default=None,
              help="The new secret's name (default: NAME-COMPONENT_TYPE).")
def migrate(component_type: str, name: str, secret_name: str | None) -> None:
    from zenml.repository import Repository
    from zenml.secrets_managers.migration import migrate_component
    from zenml.stack.component_type import StackComponentType

    try:
        type_ = StackComponentType.parse(component_type)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    references = migrate_component(Repository(), type_, name, secret_name)
    what = f"{type_.display_name} `{name}`"
    if not references:
        declare(f"Nothing to migrate: {what} holds no secret value in clear.")
        return
    secrets = sorted({reference.name for reference in references})
    declare(f"Moved {len(references)} value(s) of {what} into secret `{', '.join(secrets)}`; "
            f"the component now holds {', '.join(str(r) for r in references)}.")
