"""``@pipeline``: a pipeline from a function that connects its steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload

from zenml.errors import PipelineInterfaceError
from zenml.pipelines.base_pipeline import BasePipeline
from zenml.utils.names import validate_name

__all__ = ["pipeline"]


def _make_pipeline(func: Callable[..., Any], name: str | None,
                   enable_cache: bool) -> type[BasePipeline]:
    if name is not None:  # an empty name is refused, not replaced by the function's
        validate_name("pipeline", name, PipelineInterfaceError)
    def connect(self: BasePipeline, **steps: Any) -> None:
        func(**steps)

    attributes: dict[str, Any] = {
        "connect": connect,
        "_connect_function": classmethod(lambda cls: func),
        "_is_function": lambda self: True,
        "NAME": name or func.__name__,
        "ENABLE_CACHE": enable_cache,
        "__module__": func.__module__,
        "__qualname__": func.__qualname__,
        "__doc__": func.__doc__,
    }
    return type(func.__name__, (BasePipeline,), attributes)


@overload
def pipeline(_func: Callable[..., Any]) -> type[BasePipeline]: ...


@overload
def pipeline(*, name: str | None = None, enable_cache: bool = True
             ) -> Callable[[Callable[..., Any]], type[BasePipeline]]: ...


def pipeline(_func: Callable[..., Any] | None = None, *, name: str | None = None,
             enable_cache: bool = True) -> Any:
    """Make a pipeline from a function whose parameters are steps.

    The body connects them: ``def p(load, train): train(load())``. Create
    the pipeline with steps by keyword and run it:
    ``p(load=load_data(), train=trainer()).run()``.
    """
    if _func is not None:
        return _make_pipeline(_func, name, enable_cache)

    def decorator(func: Callable[..., Any]) -> type[BasePipeline]:
        return _make_pipeline(func, name, enable_cache)

    return decorator
