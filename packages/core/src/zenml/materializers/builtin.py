"""Materializers for Python's own types and pydantic models (JSON files)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from zenml.errors import MaterializerError
from zenml.materializers.base import BaseMaterializer

__all__ = [
    "BuiltInMaterializer",
    "BytesMaterializer",
    "ContainerMaterializer",
    "PydanticMaterializer",
]

DATA_FILE = "data.json"


def _write_json(materializer: BaseMaterializer, value: Any) -> None:
    with materializer.open(DATA_FILE, "w") as handle:
        json.dump(value, handle)


def _read_json(materializer: BaseMaterializer) -> Any:
    with materializer.open(DATA_FILE, "r") as handle:
        return json.load(handle)


class BuiltInMaterializer(BaseMaterializer):
    """``bool``, ``int``, ``float``, ``str`` and ``None`` as ``data.json``."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (bool, int, float, str, type(None))

    def handle_return(self, data: Any) -> None:
        """Write the value as JSON."""
        _write_json(self, data)

    def handle_input(self, data_type: type) -> Any:
        """Read the value back, as ``data_type``."""
        value = _read_json(self)
        if value is None or data_type in (object, Any, type(None)):
            return value
        return data_type(value)


class BytesMaterializer(BaseMaterializer):
    """``bytes`` as they are, in ``data.bin``."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (bytes,)

    def handle_return(self, data: Any) -> None:
        """Write the bytes."""
        with self.open("data.bin", "wb") as handle:
            handle.write(data)

    def handle_input(self, data_type: type) -> Any:
        """Read the bytes."""
        with self.open("data.bin", "rb") as handle:
            return handle.read()


def _is_plain_json(value: Any) -> bool:
    """Whether JSON gives ``value`` back unchanged (no tuples, str keys only)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if type(value) is list:
        return all(_is_plain_json(item) for item in value)
    if type(value) is dict:
        return all(type(k) is str and _is_plain_json(v) for k, v in value.items())
    return False


class ContainerMaterializer(BaseMaterializer):
    """``dict``, ``list`` and ``tuple``.

    Plain JSON values go to ``data.json``. Anything else (tuples inside,
    numpy arrays, models...) is written element by element, each in a
    numbered folder by its own materializer, with ``metadata.json`` saying
    which.
    """

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (dict, list, tuple)
    METADATA = "metadata.json"

    def handle_return(self, data: Any) -> None:
        """Write the container as JSON or element by element."""
        from zenml.execution.source import resolve_source

        if _is_plain_json(data) and not isinstance(data, tuple):
            _write_json(self, data)
            return
        if isinstance(data, dict):
            keys = list(data)
            if not all(_is_plain_json(key) for key in keys):
                raise MaterializerError("dict keys must be str, int, float or bool to be stored")
            values = list(data.values())
        else:
            keys, values = [], list(data)
        context = self.context
        elements = []
        for index, value in enumerate(values):
            materializer = context.registry.get(type(value), f"element {index}")
            materializer.from_context(context.child(str(index))).handle_return(value)
            elements.append({
                "type": resolve_source(type(value)),
                "materializer": resolve_source(materializer),
            })
        metadata = {"container": type(data).__name__, "keys": keys, "elements": elements}
        with self.open(self.METADATA, "w") as handle:
            json.dump(metadata, handle)

    def handle_input(self, data_type: type) -> Any:
        """Read the container back."""
        from zenml.execution.source import load_source

        if not self.artifact_store.exists(self.path(self.METADATA)):
            value = _read_json(self)
            return tuple(value) if data_type is tuple else value
        with self.open(self.METADATA, "r") as handle:
            metadata = json.load(handle)
        context = self.context
        values = []
        for index, element in enumerate(metadata["elements"]):
            materializer = load_source(element["materializer"])
            element_type = load_source(element["type"])
            reader = materializer.from_context(context.child(str(index)))
            values.append(reader.handle_input(element_type))
        container = metadata["container"]
        if container == "dict":
            return dict(zip(metadata["keys"], values, strict=True))
        return tuple(values) if container == "tuple" else values


class PydanticMaterializer(BaseMaterializer):
    """pydantic models as ``data.json``."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = ("pydantic.main.BaseModel",)

    def handle_return(self, data: Any) -> None:
        """Write the model's JSON."""
        with self.open(DATA_FILE, "w") as handle:
            handle.write(data.model_dump_json())

    def handle_input(self, data_type: type) -> Any:
        """Validate the JSON into ``data_type``."""
        with self.open(DATA_FILE, "r") as handle:
            return data_type.model_validate_json(handle.read())  # type: ignore[attr-defined]
