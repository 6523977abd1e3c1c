"""Import paths ("sources") of user code, and hashes of the code a step runs.

A source is ``"package.module:Qualified.name"``. Code defined in the script
being run (module ``__main__``) is named by the script's module name, so a
step entrypoint in another process (or a pod) imports the same file.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import sys
import types
from collections.abc import Iterable
from typing import Any

from zenml.errors import StepInterfaceError
from zenml.utils.imports import import_object, object_path

__all__ = [
    "code_hash",
    "load_source",
    "main_module_name",
    "resolve_source",
    "source_roots",
]


def main_module_name() -> str | None:
    """The importable name of the running script (``run`` for ``python run.py``)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name:
        return str(spec.name)  # python -m package.module
    path = getattr(main, "__file__", None)
    if not path:
        return None
    return str(os.path.splitext(os.path.basename(path))[0])


def _module_name(obj: Any) -> str:
    name = str(obj.__module__)
    if name == "__main__":
        main_name = main_module_name()
        if main_name is None:
            msg = (
                f"'{obj.__qualname__}' is defined in an interactive session; define it "
                "in a module (a .py file) so the step can be imported where it runs"
            )
            raise StepInterfaceError(msg)
        return main_name
    return name


def resolve_source(obj: Any) -> str:
    """The source of a class or function (``module:qualname``)."""
    if obj is None or obj is type(None):
        return "builtins:NoneType"
    return object_path(obj, module=_module_name(obj))


def load_source(source: str) -> Any:
    """Import the object a source names (:class:`~zenml.errors.ObjectImportError` if none)."""
    if source == "builtins:NoneType":
        return type(None)
    module_name = source.partition(":")[0]
    main = sys.modules.get("__main__")
    use_main = (module_name == main_module_name() and main is not None
                and module_name not in sys.modules)
    return import_object(source, modules={module_name: main} if use_main and main else None)


def source_roots(objects: Iterable[Any]) -> list[str]:
    """The folders to put on ``sys.path`` so every object's module imports."""
    roots: list[str] = []
    for obj in objects:
        module = sys.modules.get(obj.__module__)
        path = getattr(module, "__file__", None)
        if not path:
            continue
        depth = _module_name(obj).count(".") + 1
        if os.path.basename(path) == "__init__.py":
            depth += 1
        root = os.path.abspath(path)
        for _ in range(depth):
            root = os.path.dirname(root)
        if root not in roots:
            roots.append(root)
    return roots


def _referenced_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _referenced_names(const)
    return names


def _safe_source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        code = getattr(obj, "__code__", None)
        return repr(code.co_code) if code is not None else repr(obj)


_CONSTANT_TYPES = (bool, int, float, complex, str, bytes, type(None))


def _is_constant(value: Any) -> bool:
    if isinstance(value, _CONSTANT_TYPES):
        return True
    if isinstance(value, (tuple, frozenset)):
        return all(_is_constant(item) for item in value)
    return False


def code_hash(func: Any) -> str:
    """SHA-256 of a function's source and of the code it calls in its own module.

    Helpers (functions and classes) that the function names, and that are
    defined in the same module, are followed transitively, and the values of
    plain module constants it reads (numbers, strings, tuples of them) are
    included: an edited helper or constant changes the hash, so cached
    results never hide a code change.
    """
    digest = hashlib.sha256()
    module = getattr(func, "__module__", None)
    seen: set[int] = set()
    pending: list[Any] = [func]
    while pending:
        obj = pending.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        digest.update(_safe_source(obj).encode())
        if isinstance(obj, type):
            members = [m for m in vars(obj).values() if inspect.isfunction(m)]
            codes = [m.__code__ for m in members]
            namespace: dict[str, Any] = (
                dict(getattr(members[0], "__globals__", {})) if members else {})
        else:
            code = getattr(obj, "__code__", None)
            codes = [code] if code is not None else []
            namespace = getattr(obj, "__globals__", {})
        for code in codes:
            for name in sorted(_referenced_names(code)):
                target = namespace.get(name)
                if name in namespace and _is_constant(target):
                    digest.update(f"\0{name}={target!r}".encode())
                elif (
                    (inspect.isfunction(target) or inspect.isclass(target))
                    and getattr(target, "__module__", None) == module
                ):
                    pending.append(target)
    return digest.hexdigest()
