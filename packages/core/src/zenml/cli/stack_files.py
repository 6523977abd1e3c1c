"""The YAML files of ``zenml stack export`` and ``zenml stack import``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zenml.__about__ import __version__
from zenml.errors import ConfigError
from zenml.repository import Repository, check_name
from zenml.stack.component_type import StackComponentType
from zenml.stack.models import ComponentModel
from zenml.utils.names import name_problem, shown
from zenml.utils.paths import encode_segment

__all__ = ["export_stack_file", "import_stack_file"]


def export_stack_file(repo: Repository, stack_name: str, filename: str) -> Path:
    """Write ``stack_name`` to ``filename`` (mode 0600: it holds secrets).

    The file is written whole under a temporary name in the same folder and
    then moved into place, so a failure leaves no partial or public file.
    """
    import yaml

    model = repo.store.get_stack(stack_name)
    data = {
        "zenml_version": __version__,
        "stack_name": model.name,
        "components": {
            type_.value: {"name": c.name, "flavor": c.flavor, "configuration": c.config}
            for type_, c in model.components.items()
        },
    }
    path = Path(filename)
    text = yaml.safe_dump(data, sort_keys=False)
    _write_private(path, text, f"Cannot export stack '{model.name}' to {path}",
                   default_name=f"{encode_segment(model.name)}.yaml")
    return path


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
                      decouple_stores: bool = False) -> tuple[str, dict[StackComponentType, str]]:
    """Register the stack in ``filename`` as ``stack_name`` (default: the file's).

    Returns the stack's name and the new names of renamed components.
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

    def check_names(resolved: dict[StackComponentType, ComponentModel]) -> None:
        # inside the import's transaction: a refusal leaves the store as it was
        for type_, model in resolved.items():
            problem = name_problem(model.name)
            if model.name != components[type_].name and problem is not None:
                raise ConfigError(
                    f"Cannot import {path}: its {type_.display_name} "
                    f"{shown(components[type_].name)} is taken here, and the new name "
                    f"{shown(model.name)} breaks the name rule ({problem}); import it under "
                    f"a shorter stack name")

    _, renamed = repo.import_stack(name, components, check_names,
                                   decouple_stores=decouple_stores)
    return name, renamed
