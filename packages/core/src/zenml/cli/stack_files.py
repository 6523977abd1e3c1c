"""The YAML files of ``zenml stack export`` and ``zenml stack import``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from zenml.__about__ import __version__
from zenml.errors import ConfigError
from zenml.repository import Repository, check_name
from zenml.stack.component_type import StackComponentType
from zenml.stack.models import ComponentModel

__all__ = ["export_stack_file", "import_stack_file"]


def export_stack_file(repo: Repository, stack_name: str, filename: str) -> Path:
    """Write ``stack_name`` to ``filename`` (mode 0600: it holds secrets)."""
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
    import tempfile

    path = Path(filename)
    # A new 0600 file replaces whatever was there (a link is replaced, not
    # followed), so secrets never land in a file others can read.
    descriptor, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w") as handle:
            yaml.safe_dump(data, handle, sort_keys=False)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def _fail(path: Path, problem: str) -> ConfigError:
    return ConfigError(f"Cannot import {path}: {problem}; use a file written by "
                       f"'zenml stack export'")


def import_stack_file(repo: Repository, stack_name: str, filename: str,
                      decouple_stores: bool = False) -> tuple[str, dict[StackComponentType, str]]:
    """Register the stack in ``filename`` as ``stack_name`` (default: the file's).

    Returns the stack's name and the new names of renamed components.
    """
    import yaml

    path = Path(filename)
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as error:
        raise ConfigError(f"Cannot read {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise _fail(path, f"invalid YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("components"), dict):
        raise _fail(path, "no 'components' mapping")
    name = stack_name or str(data.get("stack_name") or "")
    if not name:
        raise _fail(path, "no stack name given or in the file")
    check_name(name, "stack")
    components: dict[StackComponentType, ComponentModel] = {}
    for key, entry in data["components"].items():
        try:
            type_ = StackComponentType.parse(str(key))
        except ValueError as error:
            raise _fail(path, str(error)) from None
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("flavor"):
            raise _fail(path, f"component '{key}' needs a name and a flavor")
        config: dict[str, Any] = entry.get("configuration") or {}
        if not isinstance(config, dict):
            raise _fail(path, f"the configuration of component '{key}' is not a mapping")
        check_name(str(entry["name"]), type_.display_name)
        _, validated = repo.build_config(type_, str(entry["flavor"]), config)
        components[type_] = ComponentModel(
            id="", name=str(entry["name"]), type=type_, flavor=str(entry["flavor"]),
            config=validated.to_storable(), secret_fields=validated.secret_field_names())
    _, renamed = repo.store.import_stack(name, components, repo._validator(name),
                                         decouple_stores=decouple_stores)
    return name, renamed
