"""Turning ``--key=value`` arguments (and ``-i`` prompts) into config values."""

from __future__ import annotations

import inspect
import json
import os
import types
import typing
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from zenml.errors import ConfigError

if TYPE_CHECKING:
    from zenml.stack.config import StackComponentConfig

__all__ = ["parse_extra_args", "prompt_for_fields", "read_value_file", "typed_values"]


BARE_FLAG = "\0bare"  # a --key given without a value


def parse_extra_args(args: Sequence[str]) -> dict[str, str]:
    """``["--path=/x", "--key", "v", "--flag"]`` -> ``{"path": "/x", "key": "v", "flag": BARE}``.

    Dashes in keys become underscores (``--client-kwargs`` is ``client_kwargs``).
    A bare ``--flag`` means true for a boolean field and is an error otherwise.
    """
    values: dict[str, str] = {}
    tokens = list(args)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if not token.startswith("--") or len(token) == 2:
            raise ConfigError(f"Unexpected argument '{token}'; pass configuration as "
                              f"--key=value")
        key, sep, value = token[2:].partition("=")
        if not sep:
            if index + 1 < len(tokens) and not tokens[index + 1].startswith("--"):
                index += 1
                value = tokens[index]
            else:
                value = BARE_FLAG
        key = key.replace("-", "_")
        if key in values:
            raise ConfigError(f"--{key} is given twice; pass it once")
        values[key] = value
        index += 1
    return values


def _needs_json(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_needs_json(a) for a in typing.get_args(annotation) if a is not type(None))
    if origin is typing.Annotated:
        return _needs_json(typing.get_args(annotation)[0])
    target = origin or annotation
    if target in (dict, list, tuple, set, frozenset):
        return True
    from pydantic import BaseModel

    return inspect.isclass(target) and issubclass(target, BaseModel)


def read_value_file(given: str, path: str) -> str:
    """The text of ``@FILE`` (``given``: how the error names the argument); a missing or
    unreadable file is a one-line error, never a value."""
    escape = "write @@ for a value that starts with @"
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        problem = f"no such file; fix the path, or {escape}"
    except IsADirectoryError:
        problem = "is a folder, not a file; name the file to read the value from"
    except UnicodeDecodeError:
        problem = "is not UTF-8 text; give a text file"
    except OSError as error:
        problem = f"cannot be read ({error.strerror or type(error).__name__}); {escape}"
    raise ConfigError(f"{given}: {problem}")


def _read_value_file(config_class: type[StackComponentConfig], key: str, path: str) -> str:
    """The text of ``--KEY=@FILE`` for a component field."""
    from zenml.stack.config import is_secret_annotation

    field = config_class.model_fields.get(key)
    secret = field is not None and is_secret_annotation(field.annotation)
    # a secret field's "file name" may be the secret itself, with a leading @
    return read_value_file(f"--{key}=@FILE" if secret else f"--{key}=@{path}", path)


def _convert(config_class: type[StackComponentConfig], key: str, raw: str) -> Any:
    if raw.startswith("@@"):
        raw = raw[1:]
    elif raw.startswith("@"):
        raw = _read_value_file(config_class, key, raw[1:])
    field = config_class.model_fields.get(key)
    if raw == BARE_FLAG:
        if field is None or field.annotation in (bool, bool | None):
            return True  # an unknown key is reported with the valid ones later
        raise ConfigError(f"--{key} needs a value; pass --{key}=VALUE")
    if field is None or not _needs_json(field.annotation):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        # the value is not repeated: it may be a credential pasted into the wrong field
        raise ConfigError(f"--{key} expects JSON (e.g. '{{\"endpoint_url\": \"http://...\"}}' "
                          f"or '[1, 2]'); the value given is not JSON ({error.msg} at "
                          f"character {error.pos + 1})") from None


def typed_values(config_class: type[StackComponentConfig], raw: dict[str, str]) -> dict[str, Any]:
    """Raw strings turned into the field types (JSON for dicts and lists).

    Scalars stay strings: pydantic turns ``"3"`` into 3 and ``"true"`` into True.
    """
    return {key: _convert(config_class, key, value) for key, value in raw.items()}


def _field_problem(config_class: type[StackComponentConfig], name: str, raw: str) -> str | None:
    """Why ``raw`` is not a valid value for field ``name`` (None when it is)."""
    from pydantic import ValidationError

    from zenml.stack.flavor import without_values

    value: Any = None
    try:
        value = _convert(config_class, name, raw)
        config_class.__pydantic_validator__.validate_assignment(
            config_class.model_construct(), name, value)
    except ConfigError as error:
        return str(error)
    except ValidationError as error:
        return without_values(str(error.errors()[0]["msg"]), [raw, value])
    return None


def prompt_for_fields(config_class: type[StackComponentConfig],
                      given: dict[str, str]) -> dict[str, str]:
    """Ask for every field not given; ENTER skips an optional one.

    A value that does not fit the field is explained and asked for again.
    """
    from zenml.stack.config import is_secret_annotation

    answers = dict(given)
    for name, field in config_class.model_fields.items():
        if name in answers:
            continue
        description = f" ({field.description})" if field.description else ""
        secret = is_secret_annotation(field.annotation)
        required = field.is_required()
        label = f"{name}{description}" + ("" if required else " [optional, ENTER to skip]")
        while True:
            value = click.prompt(label, default=None if required else "",
                                 show_default=False, hide_input=secret)
            if value == "" and not required:
                break
            problem = _field_problem(config_class, name, value)
            if problem is None:
                answers[name] = value
                break
            click.echo(f"Invalid value for {name}: {problem}; try again.", err=True)
    return answers
