"""``@pipeline``: a pipeline from a function that connects its steps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, overload

from zenml.errors import PipelineInterfaceError
from zenml.pipelines.base_pipeline import BasePipeline, name_list
from zenml.utils.names import validate_name

__all__ = ["pipeline"]


def _make_pipeline(func: Callable[..., Any], name: str | None,
                   enable_cache: bool, options: dict[str, Any]) -> type[BasePipeline]:
    if name is not None:  # an empty name is refused, not replaced by the function's
        validate_name("pipeline", name, PipelineInterfaceError)
    shown_name = name or func.__name__
    requirements = options.pop("requirements", None)
    if requirements is not None and not isinstance(requirements, str):
        requirements = name_list(shown_name, "requirements", requirements)

    def connect(self: BasePipeline, **steps: Any) -> None:
        func(**steps)

    attributes: dict[str, Any] = {
        "connect": connect,
        "_connect_function": classmethod(lambda cls: func),
        "_is_function": lambda self: True,
        "NAME": name or func.__name__,
        "ENABLE_CACHE": enable_cache,
        "REQUIRED_INTEGRATIONS": name_list(shown_name, "required_integrations",
                                        options.pop("required_integrations", ())),
        "REQUIREMENTS": requirements,
        "DOCKERIGNORE_FILE": options.pop("dockerignore_file", None),
        "INSTANCE_CONFIGURATION": {k: v for k, v in options.items() if v},
        "__module__": func.__module__,
        "__qualname__": func.__qualname__,
        "__doc__": func.__doc__,
    }
    return type(func.__name__, (BasePipeline,), attributes)


@overload
def pipeline(_func: Callable[..., Any]) -> type[BasePipeline]: ...


@overload
def pipeline(*, name: str | None = None, enable_cache: bool = True,
             required_integrations: Sequence[str] = (),
             requirements: str | Sequence[str] | None = None,
             requirements_file: str | None = None, dockerignore_file: str | None = None,
             secrets: Sequence[str] | None = None,
             ) -> Callable[[Callable[..., Any]], type[BasePipeline]]: ...


def pipeline(_func: Callable[..., Any] | None = None, *, name: str | None = None,
             enable_cache: bool = True, required_integrations: Sequence[str] = (),
             requirements: str | Sequence[str] | None = None,
             requirements_file: str | None = None, dockerignore_file: str | None = None,
             secrets: Sequence[str] | None = None) -> Any:
    """Make a pipeline from a function whose parameters are steps.

    The body connects them: ``def p(load, train): train(load())``. Create
    the pipeline with steps by keyword and run it:
    ``p(load=load_data(), train=trainer()).run()``.

    ``required_integrations`` (``zenml.integrations.constants`` names) are checked
    before a run; they and ``requirements`` (a list, or a requirements file's path)
    go into the images of container-based orchestrators. ``requirements_file`` is
    the original framework's deprecated spelling of ``requirements=<file>``.
    """
    options: dict[str, Any] = {
        "required_integrations": required_integrations, "requirements": requirements,
        "requirements_file": requirements_file, "dockerignore_file": dockerignore_file,
        "secrets": list(secrets or [])}
    if _func is not None:
        return _make_pipeline(_func, name, enable_cache, options)

    def decorator(func: Callable[..., Any]) -> type[BasePipeline]:
        return _make_pipeline(func, name, enable_cache, dict(options))

    return decorator
