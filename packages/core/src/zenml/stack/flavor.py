"""Flavors: one tool's way of being a stack component."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zenml.errors import ObjectImportError
from zenml.stack.component_type import StackComponentType
from zenml.utils.imports import import_object, split_import_path

if TYPE_CHECKING:
    from zenml.secrets_managers.resolve import SecretsSource
    from zenml.stack.component import StackComponent
    from zenml.stack.config import StackComponentConfig
    from zenml.stack.models import ComponentModel

__all__ = ["Flavor", "without_values"]

#: What a config error says in place of a value it would have repeated.
HIDDEN_VALUE = "(the value given)"


def _texts(value: Any) -> Iterator[str]:
    """The strings in a given value (dict values, list items, secrets in clear)."""
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    if isinstance(value, str):
        yield from (text for text in {value, value.strip()} if text)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield str(value)


def without_values(message: str, values: Iterable[Any]) -> str:
    """``message`` without the values that were given: a config error never repeats what
    the user typed (it may be a credential pasted into the wrong field).

    Quoted forms are replaced whatever their length; bare occurrences from six
    characters on (a shorter one would cut words of the message itself).
    Pydantic's "Value error, " prefix goes too.
    """
    texts = sorted({text for value in values for text in _texts(value)}, key=len, reverse=True)
    for text in texts:
        for quoted in (repr(text), f"'{text}'", f'"{text}"'):
            message = message.replace(quoted, HIDDEN_VALUE)
        if len(text) >= 6:
            message = message.replace(text, HIDDEN_VALUE)
    return message.removeprefix("Value error, ")


@dataclass(frozen=True, init=False)
class Flavor:
    """A named flavor of a component type.

    ``config_class`` is a light pydantic model (importing it must not import
    the tool it configures); ``implementation`` is an import path
    ``"package.module:Class"`` that is imported only when a component of this
    flavor is actually used (running a pipeline, ``stack up``).
    """

    name: str
    type: StackComponentType
    config_class: builtins.type[StackComponentConfig]
    implementation: str
    integration: str | None
    description: str

    def __init__(
        self,
        *,
        name: str,
        type: StackComponentType | str,
        config_class: builtins.type[StackComponentConfig],
        implementation: str,
        integration: str | None = None,
        description: str = "",
    ) -> None:
        try:
            split_import_path(implementation)
        except ObjectImportError:
            raise ValueError(
                f"Flavor '{name}': implementation must look like "
                f"'package.module:Class', got '{implementation}'"
            ) from None
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "type", StackComponentType.parse(type))
        object.__setattr__(self, "config_class", config_class)
        object.__setattr__(self, "implementation", implementation)
        object.__setattr__(self, "integration", integration)
        doc = description or (config_class.__doc__ or "").strip().split("\n")[0]
        object.__setattr__(self, "description", doc)

    def build_config(self, values: Mapping[str, Any]) -> StackComponentConfig:
        """Validate ``values`` into this flavor's config; one-line errors naming the fix.

        A field may hold a ``{{SECRET_NAME.KEY}}`` reference whatever its type: it is
        kept as written (validated once resolved, where the component is used) and
        the other fields are validated as usual.
        """
        from pydantic import ValidationError

        from zenml.errors import ConfigError
        from zenml.secrets_managers.references import parse_reference

        cls = self.config_class
        what = f"{self.type.display_name} flavor '{self.name}'"
        valid = ", ".join(f"--{name}" for name in cls.model_fields) or "none"
        unknown = [key for key in values if key not in cls.model_fields]
        if unknown:
            raise ConfigError(f"Unknown field(s) {', '.join('--' + k for k in unknown)} for "
                              f"{what}; valid fields: {valid}")
        references = {key: str(ref) for key, value in values.items()
                      if (ref := parse_reference(value)) is not None}
        try:
            config = cls.model_validate(dict(values))
        except ValidationError as error:
            problems = [p for p in error.errors()
                        if not (p["loc"] and str(p["loc"][0]) in references)]
            if problems:
                raise self._config_error(problems, values, what, valid) from None
            config = self._with_references(values, references, what, valid, None)
        else:
            if references:  # a validator may have changed the text: keep it as written
                config = self._with_references(values, references, what, valid, config)
        return config

    def _with_references(self, values: Mapping[str, Any], references: Mapping[str, str],
                         what: str, valid: str, checked: StackComponentConfig | None
                         ) -> StackComponentConfig:
        """The config of ``values`` whose ``references`` fields are kept as written
        (``checked``: ``values`` validated as they are, when that passed)."""
        from pydantic import ValidationError

        cls = self.config_class
        others = {key: value for key, value in values.items() if key not in references}
        try:  # the other fields together, each reference field at its default meanwhile
            if checked is None:
                checked = cls.model_validate(others)
            data = {key: getattr(checked, key) for key in others}
        except ValidationError as error:
            # a whole-config rule may fail only because a reference field is left out
            problems = [p for p in error.errors()
                        if p["loc"] and str(p["loc"][0]) not in references]
            if problems:
                raise self._config_error(problems, values, what, valid) from None
            data = {}  # a reference stands for a required field: one field at a time
            for key, value in others.items():
                try:
                    holder = cls.model_construct()
                    cls.__pydantic_validator__.validate_assignment(holder, key, value)
                except ValidationError as field_error:
                    raise self._config_error(field_error.errors(), values, what,
                                             valid) from None
                data[key] = getattr(holder, key)
        return cls.model_construct(_fields_set=set(values), **data, **references)

    def _config_error(self, problems: Any, values: Mapping[str, Any], what: str,
                      valid: str) -> Exception:
        from zenml.errors import ConfigError

        cls = self.config_class
        missing = [str(p["loc"][0]) for p in problems if p["type"] == "missing" and p["loc"]]
        if missing:
            flags = " ".join(f"--{m}=VALUE" for m in missing)
            return ConfigError(f"Missing required field(s) for {what}: "
                               f"{', '.join('--' + m for m in missing)}; pass {flags} or "
                               f"use -i to be prompted (valid fields: {valid})")
        first = problems[0]
        field = ".".join(str(part) for part in first["loc"]) or "config"
        # the refused value, and every secret, whatever the validator quoted
        shown = [values.get(str(first["loc"][0])) if first["loc"] else None,
                 first.get("input"),
                 *(values.get(name) for name in cls.secret_field_names())]
        message = without_values(str(first["msg"]), shown)
        return ConfigError(f"Invalid value for --{field} ({what}): {message}")

    def create_component(self, model: ComponentModel,
                         secrets: SecretsSource | None = None) -> StackComponent:
        """The implementation object for a registered component (imports it).

        References (and fields naming a secret) are resolved first
        (:func:`zenml.secrets_managers.resolve.resolve_values`): from the
        environment an orchestrator set, else from ``secrets()``, the secrets
        manager of the stack the component is used in.
        """
        from zenml.secrets_managers.resolve import resolve_values

        values = resolve_values(self, model, secrets)
        config = self.build_config(values)
        return self.load_implementation()(name=model.name, id=model.id, flavor=model.flavor,
                                          config=config)

    def load_implementation(self) -> builtins.type[StackComponent]:
        """Import and return the implementation class."""
        cls: builtins.type[StackComponent] = import_object(self.implementation)
        return cls
