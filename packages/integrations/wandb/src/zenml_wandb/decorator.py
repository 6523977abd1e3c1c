"""``@enable_wandb``: mark a step so that the ``wandb`` tracker runs it inside a W&B run.

The decorator never imports wandb. It changes the step class in place:

- its entrypoint is wrapped by a function that, when the step runs in a
  pipeline, first checks that the stack's experiment tracker is a ``wandb``
  one that has started the step's W&B run (else the step fails before its
  body runs, with the commands that fix it). The wrapper keeps the user's
  function as ``__wrapped__``, its name, docstring and signature, and carries
  the step's :class:`WandbStepOptions`;
- ``entrypoint_function()`` still returns the user's function, so the cache
  key covers the user's code (and the module helpers it calls) exactly as
  without the decorator;
- caching is switched off unless the step sets it explicitly
  (``@step(enable_cache=True)``): a cached step runs no code and starts no
  W&B run, so a tracked step is re-run, and logged, every time by default.

The W&B run itself is started and finished by
:meth:`zenml_wandb.tracker.WandbExperimentTracker.prepare_step_run` and
``cleanup_step_run``, which the step launcher calls around every step,
wherever the step runs.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, overload

from zenml.steps.base_step import BaseStep
from zenml_wandb.errors import WandbStepError

if TYPE_CHECKING:
    from zenml.execution.step_info import StepRunInfo

__all__ = ["WandbStepOptions", "enable_wandb", "wandb_step_options"]

StepClass = TypeVar("StepClass", bound=type[BaseStep])

#: The attribute of the wrapped entrypoint that holds its :class:`WandbStepOptions`.
MARK = "__zenml_wandb__"


@dataclass(frozen=True)
class WandbStepOptions:
    """What ``@enable_wandb`` recorded on a step.

    ``settings`` is the ``wandb.Settings`` (or a dict of its fields) given to
    the decorator, or None; ``function`` is the user's own entrypoint.
    """

    settings: Any
    function: Callable[..., Any]


def _static_entrypoint(step_class: type[BaseStep]) -> tuple[Callable[..., Any], bool]:
    """The entrypoint function as defined on the class, and whether it is a staticmethod."""
    static = inspect.getattr_static(step_class, "entrypoint", None)
    if isinstance(static, staticmethod):
        function: Callable[..., Any] = static.__func__
        return function, True
    if static is None or static is BaseStep.__dict__["entrypoint"] or not callable(static):
        raise WandbStepError(f"Step class {step_class.__name__} does not define entrypoint(); "
                             f"@enable_wandb goes on a step made with @step or a BaseStep "
                             f"subclass")
    return static, False


def wandb_step_options(step_class: Any) -> WandbStepOptions | None:
    """The options of a step class decorated with ``@enable_wandb``, or None if it is not."""
    if not (isinstance(step_class, type) and issubclass(step_class, BaseStep)):
        return None
    static = inspect.getattr_static(step_class, "entrypoint", None)
    if isinstance(static, staticmethod):
        static = static.__func__
    options = getattr(static, MARK, None)
    return options if isinstance(options, WandbStepOptions) else None


def _user_entrypoint_function(cls: type[BaseStep]) -> Any:
    """``entrypoint_function()`` of a decorated step: the user's function, not the wrapper."""
    function, _ = _static_entrypoint(cls)
    options = getattr(function, MARK, None)
    return options.function if isinstance(options, WandbStepOptions) else function


def _require_wandb_run() -> None:
    from zenml.execution.step_info import current_step_run

    info: StepRunInfo | None = current_step_run()
    if info is None:  # the entrypoint called directly, outside a pipeline run
        return
    from zenml_wandb.tracker import require_wandb_run

    require_wandb_run(info)


def _check_settings(settings: Any) -> Any:
    if settings is None or isinstance(settings, Mapping):
        return settings
    cls = type(settings)
    if cls.__name__ == "Settings" and cls.__module__.split(".")[0] == "wandb":
        return settings
    raise WandbStepError(f"@enable_wandb(settings=...) takes a wandb.Settings or a dict of "
                         f"its fields, got {cls.__name__}")


def _decorate(step_class: StepClass, settings: Any) -> StepClass:
    function, is_static = _static_entrypoint(step_class)
    previous = getattr(function, MARK, None)
    if isinstance(previous, WandbStepOptions):  # decorated twice: the outer settings win
        function = previous.function
    step_class.interface()  # read (and cache) the interface from the user's own function
    wrapper: Callable[..., Any]
    if is_static:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            _require_wandb_run()
            return function(*args, **kwargs)
    else:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            _require_wandb_run()
            return function(self, *args, **kwargs)
    functools.update_wrapper(wrapper, function)
    # resolved annotations: the signature reads right without the user's globals (names
    # only defined for type checkers cannot be resolved: then __wrapped__'s is used)
    with contextlib.suppress(Exception):
        wrapper.__signature__ = inspect.signature(  # type: ignore[attr-defined]
            function, eval_str=True)
    setattr(wrapper, MARK, WandbStepOptions(settings=settings, function=function))
    if "entrypoint" in step_class.__dict__:
        # re-added at the end of the class namespace: the core's cache key of a
        # class-based step reads the module of the class's first method
        delattr(step_class, "entrypoint")
    setattr(step_class, "entrypoint", staticmethod(wrapper) if is_static else wrapper)  # noqa: B010
    if "entrypoint_function" not in step_class.__dict__:
        setattr(step_class, "entrypoint_function",  # noqa: B010
                classmethod(_user_entrypoint_function))
    if step_class.ENABLE_CACHE is None:
        step_class.ENABLE_CACHE = False
    return step_class


def _is_step_class(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseStep)


def _refuse_non_step(value: Any) -> None:
    """Raise for the mistakes that look like decorating something that is not a step."""
    if isinstance(value, BaseStep):
        raise WandbStepError(
            f"@enable_wandb got the step instance {value!r}; decorate the step's function "
            f"(above @step) or class, not an instance")
    if inspect.isroutine(value) or isinstance(value, type):
        what = getattr(value, "__qualname__", repr(value))
        raise WandbStepError(
            f"@enable_wandb got '{what}', which is not a step; put @enable_wandb above "
            f"@step (or on a BaseStep subclass)")


@overload
def enable_wandb(_step: StepClass) -> StepClass: ...


@overload
def enable_wandb(_step: Any = None, *, settings: Any = None
                 ) -> Callable[[StepClass], StepClass]: ...


def enable_wandb(_step: Any = None, *, settings: Any = None) -> Any:
    """Run a step inside a W&B run of the stack's ``wandb`` experiment tracker.

    Put it above ``@step`` (or on a :class:`~zenml.steps.BaseStep` subclass)::

        @enable_wandb
        @step
        def trainer(...) -> ...:
            wandb.log({"loss": loss})

        @enable_wandb(settings=wandb.Settings(console="off"))
        @step
        def evaluator(...) -> ...: ...

    Each run of the step gets its own W&B run, named ``<pipeline run>_<step>``,
    tagged with the pipeline's and the run's names, grouped by the pipeline run,
    with the step's parameters as its config; the run is finished when the step
    ends and marked failed (exit code 1) when the step fails. Its id and URL are
    recorded on the step run (``zenml pipeline runs describe``).

    ``settings`` (a ``wandb.Settings`` or a dict of its fields, also accepted as
    the only positional argument) is passed to ``wandb.init``. A step with no
    explicit ``enable_cache`` is not cached: a cached step would start no W&B
    run. On a stack without a ``wandb`` experiment tracker the step fails
    before its code runs.
    """
    if _step is not None and not _is_step_class(_step):
        _refuse_non_step(_step)
        if settings is not None:
            raise WandbStepError("@enable_wandb got settings twice; pass settings=... once")
        settings, _step = _step, None  # @enable_wandb(wandb.Settings(...))
    checked = _check_settings(settings)
    if _step is not None:
        return _decorate(_step, checked)

    def decorator(step_class: StepClass) -> StepClass:
        if not _is_step_class(step_class):
            _refuse_non_step(step_class)
            raise WandbStepError(f"@enable_wandb(...) got {step_class!r}, which is not a step; "
                                 f"put it above @step (or on a BaseStep subclass)")
        return _decorate(step_class, checked)

    return decorator
