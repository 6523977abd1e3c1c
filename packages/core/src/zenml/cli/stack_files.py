"""The YAML files of ``zenml stack export`` and ``zenml stack import``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zenml.__about__ import __version__
from zenml.errors import ConfigError
from zenml.repository import Repository, check_name
from zenml.stack.component_type import StackComponentType
from zenml.stack.models import ComponentModel
from zenml.utils.names import name_problem, shown
from zenml.utils.paths import encode_segment

if TYPE_CHECKING:
    from zenml.secrets_managers.base import BaseSecretsManager
    from zenml.secrets_managers.resolve import SecretNeed

__all__ = ["export_stack_file", "import_stack_file"]


def export_stack_file(repo: Repository, stack_name: str, filename: str) -> Path:
    """Write ``stack_name`` to ``filename`` (mode 0600: values typed in clear are in it).

    References (``{{SECRET.KEY}}``, fields naming a secret) are written as
    references, and ``secrets:`` lists the secrets the stack needs: names,
    schemas and keys, never values. The file is written whole under a
    temporary name in the same folder and then moved into place, so a failure
    leaves no partial or public file.
    """
    import yaml

    model = repo.store.get_stack(stack_name)
    data: dict[str, Any] = {
        "zenml_version": __version__,
        "stack_name": model.name,
        "components": {
            type_.value: {"name": c.name, "flavor": c.flavor, "configuration": c.config}
            for type_, c in model.components.items()
        },
    }
    needs = _needs(repo, model.components)
    if needs:
        data["secrets"] = [{"name": need.name, **({"schema": need.schema} if need.schema else {}),
                            "keys": sorted(need.keys)} for need in needs.values()]
    path = Path(filename)
    text = yaml.safe_dump(data, sort_keys=False)
    _write_private(path, text, f"Cannot export stack '{model.name}' to {path}",
                   default_name=f"{encode_segment(model.name)}.yaml")
    return path


def _needs(repo: Repository, components: Mapping[StackComponentType, ComponentModel]
           ) -> dict[str, SecretNeed]:
    """The secrets ``components`` (stored configs) need, by name."""
    from zenml.secrets_managers.resolve import secret_needs
    from zenml.stack.config import StackComponentConfig

    entries = []
    for type_, component in components.items():
        if type_ is StackComponentType.SECRETS_MANAGER:
            continue
        flavor = repo.flavors.find(type_, component.flavor)
        config_class = flavor.config_class if flavor is not None else StackComponentConfig
        entries.append((f"{type_.display_name} '{component.name}'", config_class,
                        component.config))
    return secret_needs(entries)

def _write_private(path: Path, text: str, what: str, default_name: str) -> None:
    """Replace ``path`` by a new 0600 file holding ``text`` (a link is replaced, not followed)."""
    import errno

    from zenml.utils.files import replace_privately

    if path.is_dir() and not path.is_symlink():
        raise ConfigError(f"{what}: it is a folder; give a file name, e.g. "
                          f"{path / default_name}")
    folder = path.parent
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise ConfigError(f"{what}: the folder {folder} {problem}; create it first or "
                          f"choose another path")
    try:
        with replace_privately(path, "w", durable=True, encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise ConfigError(f"{what}: the folder {folder} is not writable; choose a "
                              f"folder you can write to") from None
        raise ConfigError(f"{what}: {error.strerror}; choose another path") from None


def _fail(path: Path, problem: str) -> ConfigError:
    return ConfigError(f"Cannot import {path}: {problem}; use a file written by "
                       f"'zenml stack export'")


def _file_name(path: Path, kind: str, value: object) -> str:
    """A name read from the file, checked by the name rule (one line naming the file)."""
    try:
        return check_name(value, kind)
    except ConfigError as error:
        raise ConfigError(f"Cannot import {path}: {error}") from None


def _version(text: str) -> tuple[int, ...] | None:
    """``(1, 2, 3)`` for ``1.2.3`` (pre-release suffixes ignored); None if it is not one."""
    import re

    match = re.fullmatch(r"(\d+(?:\.\d+)*)(?:[.+-]?[A-Za-z][\w.+-]*)?", text.strip())
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def _check_version(path: Path, value: object) -> None:
    """Warn (one line) when the file comes from a newer zenml; refuse a version that is not one.

    A newer file is imported: every component configuration is still
    validated by its installed flavor, so what this zenml cannot read is
    refused with its own line.
    """
    if value is None:  # a hand-written file
        return
    written = _version(str(value)) if isinstance(value, (str, int, float)) and not isinstance(
        value, bool) else None
    if written is None:
        raise _fail(path, f"zenml_version {shown(value)} is not a version like {__version__}")
    installed = _version(__version__) or ()
    width = max(len(written), len(installed))
    if written + (0,) * (width - len(written)) > installed + (0,) * (width - len(installed)):
        from zenml.cli.output import warning

        warning(f"{path} was written by zenml {str(value).strip()}, newer than this zenml-core "
                f"{__version__}; if the import fails, upgrade with 'pip install -U zenml-core'")


def import_stack_file(repo: Repository, stack_name: str, filename: str,
                      decouple_stores: bool = False, interactive: bool = False
                      ) -> tuple[str, dict[StackComponentType, str]]:
    """Register the stack in ``filename`` as ``stack_name`` (default: the file's).

    The secrets its components reference must be in its secrets manager: those
    missing are named (one line), or with ``interactive`` asked for (without
    echo) and created there. Returns the stack's name and the new names of
    renamed components.
    """
    import yaml

    if stack_name:
        check_name(stack_name, "stack")
    path = Path(filename)
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as error:
        raise ConfigError(f"Cannot read {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise _fail(path, f"invalid YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("components"), dict):
        raise _fail(path, "no 'components' mapping")
    _check_version(path, data.get("zenml_version"))
    if stack_name:
        name = stack_name
    elif data.get("stack_name") is None:
        raise _fail(path, "no stack name given or in the file")
    else:
        name = _file_name(path, "stack", data["stack_name"])
    components: dict[StackComponentType, ComponentModel] = {}
    for key, entry in data["components"].items():
        try:
            type_ = StackComponentType.parse(str(key))
        except ValueError as error:
            raise _fail(path, str(error)) from None
        if not isinstance(entry, dict) or entry.get("name") is None or not entry.get("flavor"):
            raise _fail(path, f"component '{type_.value}' needs a name and a flavor")
        component_name = _file_name(path, type_.display_name, entry["name"])
        flavor = entry["flavor"]
        if not isinstance(flavor, str):
            raise _fail(path, f"the flavor of component '{type_.value}' is not a string")
        config: dict[str, Any] = entry.get("configuration") or {}
        if not isinstance(config, dict):
            raise _fail(path, f"the configuration of component '{type_.value}' is not a mapping")
        _, validated = repo.build_config(type_, flavor, config)
        components[type_] = ComponentModel(
            id="", name=component_name, type=type_, flavor=flavor,
            config=validated.to_storable(), secret_fields=validated.secret_field_names())

    needs = _needs(repo, components)
    _check_listed_secrets(path, data.get("secrets"))
    answers = (_ask_for_secrets(repo, name, components, needs) if needs and interactive
               else {})
    created: list[tuple[BaseSecretsManager, str, dict[str, str] | None]] = []

    def check_names(resolved: dict[StackComponentType, ComponentModel]) -> None:
        # inside the import's transaction: a refusal leaves the store as it was
        if needs:
            created.extend(_provide_secrets(repo, name, path, resolved, needs, answers))
        for type_, model in resolved.items():
            problem = name_problem(model.name)
            if model.name != components[type_].name and problem is not None:
                raise ConfigError(
                    f"Cannot import {path}: its {type_.display_name} "
                    f"{shown(components[type_].name)} is taken here, and the new name "
                    f"{shown(model.name)} breaks the name rule ({problem}); import it under "
                    f"a shorter stack name")

    try:
        _, renamed = repo.import_stack(name, components, check_names,
                                       decouple_stores=decouple_stores)
    except BaseException:
        _undo_secrets(created)
        raise
    return name, renamed


def _check_listed_secrets(path: Path, listed: object) -> None:
    """The file's ``secrets:`` list is names and keys only (what it needs is read from the
    components themselves)."""
    if listed is None:
        return
    if not isinstance(listed, list) or not all(
            isinstance(entry, dict) and isinstance(entry.get("name"), str)
            and isinstance(entry.get("keys", []), list) for entry in listed):
        raise _fail(path, "'secrets' must be a list of {name, keys} entries")
    if any("values" in entry or "value" in entry for entry in listed):
        raise _fail(path, "'secrets' lists names and keys, never values")


def _predicted_manager(repo: Repository, components: Mapping[StackComponentType,
                                                                ComponentModel]
                       ) -> BaseSecretsManager | None:
    """The registered secrets manager the import will reuse (None: a new one, or none)."""
    wanted = components.get(StackComponentType.SECRETS_MANAGER)
    if wanted is None:
        return None
    registered = repo.store.list_components(StackComponentType.SECRETS_MANAGER)
    same = [c for c in registered if (c.flavor, c.config) == (wanted.flavor, wanted.config)]
    same.sort(key=lambda c: c.name != wanted.name)
    return _manager_of(repo, same[0]) if same else None


def _manager_of(repo: Repository, model: ComponentModel) -> BaseSecretsManager:
    from zenml.secrets_managers.base import BaseSecretsManager

    flavor = repo.flavors.get(StackComponentType.SECRETS_MANAGER, model.flavor)
    manager = flavor.create_component(model)
    if not isinstance(manager, BaseSecretsManager):
        raise ConfigError(f"Component '{model.name}' of flavor '{model.flavor}' is not a "
                          f"secrets manager")
    return manager


def _ask_for_secrets(repo: Repository, stack_name: str,
                     components: Mapping[StackComponentType, ComponentModel],
                     needs: Mapping[str, SecretNeed]) -> dict[str, dict[str, str]]:
    """Ask (without echo) for each secret key the stack's secrets manager lacks."""
    import click

    from zenml.secrets_managers.resolve import missing_secret_keys
    from zenml.secrets_managers.schemas import get_schema

    manager = _predicted_manager(repo, components)
    answers: dict[str, dict[str, str]] = {}
    for need in needs.values():
        missing = missing_secret_keys(manager, need) if manager is not None else None
        keys = sorted(need.keys if missing is None else missing)
        optional: list[str] = []
        if missing is None and need.schema is not None:
            known = get_schema(need.schema).keys()  # the schema's keys (a classmethod)
            optional = [k for k in known if k not in need.keys]
        if not keys and not optional:
            continue
        click.echo(f"Stack '{stack_name}' needs secret '{need.name}'"
                   + (f" ({need.schema})" if need.schema else "") + ":")
        values = {key: click.prompt(f"  {key}", hide_input=True) for key in keys}
        for key in optional:
            value = click.prompt(f"  {key} [optional, ENTER to skip]", default="",
                                 show_default=False, hide_input=True)
            if value:
                values[key] = value
        answers[need.name] = values
    return answers


def _provide_secrets(repo: Repository, stack_name: str, path: Path,
                     resolved: Mapping[StackComponentType, ComponentModel],
                     needs: Mapping[str, SecretNeed], answers: Mapping[str, dict[str, str]]
                     ) -> list[tuple[BaseSecretsManager, str, dict[str, str] | None]]:
    """Create the answered secrets in the imported stack's secrets manager; refuse (one line
    naming them) when some are still missing. Returns what to undo on failure."""
    from zenml.errors import EntityNotFoundError
    from zenml.secrets_managers.resolve import missing_secret_keys
    from zenml.secrets_managers.schemas import build_secret

    model = resolved.get(StackComponentType.SECRETS_MANAGER)
    if model is None:
        return []  # validation names the missing secrets manager
    manager = _manager_of(repo, model)
    done: list[tuple[BaseSecretsManager, str, dict[str, str] | None]] = []
    try:
        for need in needs.values():
            given = answers.get(need.name)
            if not given:
                continue
            try:
                current = manager.get_secret(need.name)
            except EntityNotFoundError:
                manager.register_secret(build_secret(need.schema or "arbitrary", need.name,
                                                     given))
                done.append((manager, need.name, None))
                continue
            before = dict(current.content)
            manager.update_secret(build_secret(current.TYPE, need.name, {**before, **given}))
            done.append((manager, need.name, before))
        lacking = []
        for need in needs.values():
            missing = missing_secret_keys(manager, need)
            if missing is None or missing:
                lacking.append(need)
    except BaseException:
        _undo_secrets(done)
        raise
    if lacking:
        _undo_secrets(done)
        listed = ", ".join(f"{n.name} ({', '.join(sorted(n.keys))})" for n in lacking)
        raise ConfigError(
            f"Cannot import {path}: stack '{stack_name}' needs secret(s) missing from secrets "
            f"manager '{model.name}': {listed}; import with -i to enter them, or create them "
            f"first, e.g. '{lacking[0].command}'")
    return done


def _undo_secrets(done: list[tuple[BaseSecretsManager, str, dict[str, str] | None]]) -> None:
    """Delete the secrets an import created, restore those it changed (best effort)."""
    from zenml.secrets_managers.schemas import build_secret

    for manager, name, before in reversed(done):
        try:
            if before is None:
                manager.delete_secret(name)
            else:
                schema = manager.get_secret(name).TYPE
                manager.update_secret(build_secret(schema, name, before))
        except Exception:  # the import's own error is the one to show
            pass
    done.clear()
