"""Import paths: ``"package.module:Qualified.name"`` to the object, and back.

The one place that turns such a path into an object (step sources,
materializers, flavor implementations, service classes, lazy CLI commands).
Every failure is an :class:`~zenml.errors.ObjectImportError` (an
``ImportError`` too) whose one line names the path.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Mapping
from typing import Any

from zenml.errors import ObjectImportError

__all__ = ["import_object", "object_path", "split_import_path"]


def _is_dotted(text: str) -> bool:
    return bool(text) and all(part.isidentifier() or part == "<locals>"
                              for part in text.split("."))


def split_import_path(path: str) -> tuple[str, str]:
    """``("package.module", "Qualified.name")``; refuses anything else."""
    module_name, colon, qualname = path.partition(":")
    if not colon or not _is_dotted(module_name) or not _is_dotted(qualname):
        raise ObjectImportError(f"'{path}' is not an import path; expected "
                                f"'package.module:Name'")
    if "<locals>" in qualname.split("."):
        raise ObjectImportError(f"'{path}' is defined inside a function; define it at "
                                f"module level")
    return module_name, qualname


def import_object(path: str, *, modules: Mapping[str, types.ModuleType] | None = None) -> Any:
    """Import the object ``path`` names.

    ``modules`` maps module names to modules to use instead of importing them
    (e.g. the running script's name to ``__main__``).
    """
    module_name, qualname = split_import_path(path)
    module = (modules or {}).get(module_name)
    if module is None:
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise ObjectImportError(f"Cannot import '{path}': {error}") from error
    obj: Any = module
    owner = module_name
    for part in qualname.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ObjectImportError(f"Cannot import '{path}': '{owner}' has no attribute "
                                    f"'{part}'") from None
        owner = f"{module_name}:{part}" if owner == module_name else f"{owner}.{part}"
    return obj


def object_path(obj: Any, *, module: str | None = None) -> str:
    """The import path of a class or function (``module`` overrides its module's name)."""
    return f"{module or obj.__module__}:{obj.__qualname__}"
