"""``@step``: turn a typed function into a step class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload

from zenml.errors import StepInterfaceError
from zenml.steps.base_step import BaseStep
from zenml.utils.names import validate_name

__all__ = ["step"]


def _make_step(func: Callable[..., Any], name: str | None,
               enable_cache: bool | None) -> type[BaseStep]:
    if name is not None:  # an empty name is refused, not replaced by the function's
        validate_name("step", name, StepInterfaceError)
    attributes: dict[str, Any] = {
        "entrypoint": staticmethod(func),
        "ENABLE_CACHE": enable_cache,
        "STEP_NAME": name,
        "__module__": func.__module__,
        "__qualname__": func.__qualname__,
        "__doc__": func.__doc__,
        "_interface": None,
    }
    cls: type[BaseStep] = type(func.__name__, (BaseStep,), attributes)
    cls.interface()  # a bad signature is an error where the step is defined
    return cls


@overload
def step(_func: Callable[..., Any]) -> type[BaseStep]: ...


@overload
def step(*, name: str | None = None, enable_cache: bool | None = None
         ) -> Callable[[Callable[..., Any]], type[BaseStep]]: ...


def step(_func: Callable[..., Any] | None = None, *, name: str | None = None,
         enable_cache: bool | None = None) -> Any:
    """Make a step from a function: ``@step`` or ``@step(enable_cache=False)``.

    Every argument and the return need type annotations. An argument typed
    with a :class:`~zenml.steps.BaseStepConfig` subclass holds the step's
    parameters, one typed :class:`~zenml.steps.StepContext` gets the context;
    the others are inputs. Return several outputs with ``-> Output(a=int, b=str)``.
    """
    if _func is not None:
        return _make_step(_func, name, enable_cache)

    def decorator(func: Callable[..., Any]) -> type[BaseStep]:
        return _make_step(func, name, enable_cache)

    return decorator
