"""``BaseStep``: a step class; ``@step`` makes one from a function."""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from zenml.errors import StepInterfaceError
from zenml.steps.config import BaseStepConfig
from zenml.steps.context import StepContext
from zenml.steps.output import Output
from zenml.utils.names import validate_name

if TYPE_CHECKING:
    from zenml.materializers.base import BaseMaterializer

__all__ = ["BaseStep", "StepArtifact", "StepInterface"]

SINGLE_OUTPUT = "output"


@dataclass(frozen=True)
class StepInterface:
    """What a step's entrypoint signature declares."""

    inputs: dict[str, Any]
    outputs: dict[str, Any]
    config_param: str | None = None
    config_class: type[BaseStepConfig] | None = None
    context_param: str | None = None
    single_output: bool = False


def _resolve(annotation: Any, namespace: dict[str, Any], where: str) -> Any:
    if isinstance(annotation, str):
        try:
            return eval(annotation, namespace)  # annotations of the user's own module
        except Exception as error:
            raise StepInterfaceError(
                f"Cannot resolve the type '{annotation}' of {where}: {error}") from None
    return annotation


def _is_subclass(annotation: Any, base: type) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, base)


def _plain(annotation: Any) -> Any:
    """``list[int]`` -> ``list``; other annotations unchanged."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is None:
        return annotation
    return origin


def analyse_entrypoint(func: Any, step_name: str, skip_self: bool) -> StepInterface:
    """Read inputs, outputs, config and context off the entrypoint's signature."""
    signature = inspect.signature(func)
    namespace = getattr(func, "__globals__", {})
    params = list(signature.parameters.values())
    if skip_self:
        params = params[1:]
    inputs: dict[str, Any] = {}
    config_param = context_param = None
    config_class = None
    for param in params:
        where = f"argument '{param.name}' of step '{step_name}'"
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise StepInterfaceError(
                f"Step '{step_name}' takes *{param.name}; steps need named, typed arguments")
        if param.annotation is param.empty:
            raise StepInterfaceError(f"{where[0].upper()}{where[1:]} has no type annotation; "
                                     f"annotate it (e.g. '{param.name}: int')")
        annotation = _resolve(param.annotation, namespace, where)
        if _is_subclass(annotation, BaseStepConfig):
            if config_param is not None:
                raise StepInterfaceError(f"Step '{step_name}' has two config arguments")
            config_param, config_class = param.name, annotation
        elif _is_subclass(annotation, StepContext):
            if context_param is not None:
                raise StepInterfaceError(f"Step '{step_name}' has two context arguments")
            context_param = param.name
        else:
            inputs[param.name] = _plain(annotation)
    if signature.return_annotation is signature.empty:
        raise StepInterfaceError(f"Step '{step_name}' has no return annotation; add one "
                                 f"('-> None' when it returns nothing)")
    returns = _resolve(signature.return_annotation, namespace, f"the return of '{step_name}'")
    single = False
    if returns is None or returns is type(None):
        outputs: dict[str, Any] = {}
    elif isinstance(returns, Output):
        outputs = {name: _plain(t) for name, t in returns.items()}
    else:
        outputs, single = {SINGLE_OUTPUT: _plain(returns)}, True
    clash = set(inputs) & set(outputs)
    if config_class is not None:
        clash |= (set(inputs) | set(outputs)) & set(config_class.model_fields)
    if clash:
        raise StepInterfaceError(
            f"Step '{step_name}' uses the name(s) {', '.join(sorted(clash))} for more than "
            f"one of input, output and parameter; rename them")
    return StepInterface(inputs=inputs, outputs=outputs, config_param=config_param,
                         config_class=config_class, context_param=context_param,
                         single_output=single)


class StepArtifact:
    """An output of a step inside a pipeline's ``connect``: passed to later steps."""

    __slots__ = ("output_name", "step")

    def __init__(self, step: BaseStep, output_name: str) -> None:
        self.step = step
        self.output_name = output_name

    def __repr__(self) -> str:
        return f"<output '{self.output_name}' of step '{self.step.name}'>"


class BaseStep:
    """A pipeline step.

    Subclass it and implement ``entrypoint(self, ...)`` with typed inputs, an
    optional :class:`BaseStepConfig` argument and an optional
    :class:`StepContext`; or decorate a function with :func:`zenml.steps.step`.
    Create one with its config (``trainer(config=TrainerConfig(lr=0.1))``)
    and pass it to a pipeline, whose parameter names it.
    """

    ENABLE_CACHE: ClassVar[bool | None] = None  # None: on, unless the context is used
    STEP_NAME: ClassVar[str | None] = None
    _interface: ClassVar[StepInterface | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Check a step's name where the class (or ``@step``) defines it."""
        super().__init_subclass__(**kwargs)
        validate_name("step", cls.STEP_NAME or cls.__name__, StepInterfaceError)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        interface = self.interface()
        self.name: str = self.STEP_NAME or type(self).__name__
        self._config: BaseStepConfig | None = None
        self._materializers: dict[str, type[BaseMaterializer]] = {}
        self._inputs: dict[str, StepArtifact] | None = None
        if len(args) + len(kwargs) > 1:
            raise StepInterfaceError(
                f"Step '{self.name}' takes at most one argument when created (its config); "
                f"pass inputs inside the pipeline instead")
        value = args[0] if args else next(iter(kwargs.values()), None)
        if kwargs:
            key = next(iter(kwargs))
            if key not in ("config", interface.config_param):
                raise StepInterfaceError(
                    f"Step '{self.name}' got '{key}=' when created; only its config is "
                    f"passed here ('config=...')")
        if value is not None:
            if interface.config_class is None:
                raise StepInterfaceError(f"Step '{self.name}' has no config argument, "
                                         f"but was created with {type(value).__name__}")
            if not isinstance(value, interface.config_class):
                raise StepInterfaceError(
                    f"Step '{self.name}' expects a {interface.config_class.__name__} config, "
                    f"got {type(value).__name__}")
            self._config = value

    # -- the signature ---------------------------------------------------------------
    @classmethod
    def _entrypoint_function(cls) -> tuple[Any, bool]:
        static = inspect.getattr_static(cls, "entrypoint", None)
        if static is None or static is BaseStep.__dict__["entrypoint"]:
            raise StepInterfaceError(f"Step class {cls.__name__} does not define entrypoint()")
        if isinstance(static, staticmethod):
            return static.__func__, False
        return static, True

    @classmethod
    def interface(cls) -> StepInterface:
        """The step's inputs, outputs, config and context (read once per class)."""
        if cls.__dict__.get("_interface") is None:
            func, skip_self = cls._entrypoint_function()
            cls._interface = analyse_entrypoint(func, cls.STEP_NAME or cls.__name__, skip_self)
        interface = cls.__dict__["_interface"]
        assert isinstance(interface, StepInterface)
        return interface

    @classmethod
    def entrypoint_function(cls) -> Any:
        """The function whose code is the step (for the cache key)."""
        return cls._entrypoint_function()[0]

    def entrypoint(self, *args: Any, **kwargs: Any) -> Any:
        """The step's code; implement it in a subclass."""
        raise NotImplementedError

    # -- configuration -----------------------------------------------------------------
    @property
    def config(self) -> BaseStepConfig | None:
        """The config given when the step was created."""
        return self._config

    @property
    def enable_cache(self) -> bool:
        """Whether the step may be reused from an earlier run."""
        if self.ENABLE_CACHE is not None:
            return self.ENABLE_CACHE
        return self.interface().context_param is None

    def with_return_materializers(
        self, materializers: type[BaseMaterializer] | dict[str, type[BaseMaterializer]]
    ) -> BaseStep:
        """Choose the materializer of every output, or per output name."""
        from zenml.materializers.base import BaseMaterializer

        outputs = self.interface().outputs
        if isinstance(materializers, dict):
            chosen = dict(materializers)
        else:
            chosen = dict.fromkeys(outputs, materializers)
        for name, materializer in chosen.items():
            if name not in outputs:
                raise StepInterfaceError(f"Step '{self.name}' has no output '{name}' "
                                         f"(outputs: {', '.join(outputs) or 'none'})")
            if not (isinstance(materializer, type) and issubclass(materializer,
                                                                  BaseMaterializer)):
                raise StepInterfaceError(f"{materializer!r} is not a BaseMaterializer "
                                         f"subclass")
        self._materializers.update(chosen)
        return self

    @property
    def materializers(self) -> dict[str, type[BaseMaterializer]]:
        """Materializers chosen with :meth:`with_return_materializers`."""
        return dict(self._materializers)

    # -- connecting -----------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Connect the step inside a pipeline: artifacts in, artifacts out."""
        interface = self.interface()
        if self._inputs is not None:
            raise StepInterfaceError(
                f"Step '{self.name}' is called twice in the pipeline; create a second "
                f"instance and pass it as another pipeline argument")
        names = list(interface.inputs)
        if len(args) > len(names):
            raise StepInterfaceError(f"Step '{self.name}' takes {len(names)} inputs, "
                                     f"got {len(args)}")
        given = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in interface.inputs:
                raise StepInterfaceError(f"Step '{self.name}' has no input '{key}' "
                                         f"(inputs: {', '.join(names) or 'none'})")
            if key in given:
                raise StepInterfaceError(f"Step '{self.name}' got input '{key}' twice")
            given[key] = value
        missing = [n for n in names if n not in given]
        if missing:
            raise StepInterfaceError(f"Step '{self.name}' is missing input(s) "
                                     f"{', '.join(missing)}")
        for key, value in given.items():
            if not isinstance(value, StepArtifact):
                raise StepInterfaceError(
                    f"Input '{key}' of step '{self.name}' must be the output of another step, "
                    f"got {type(value).__name__}; use a config for fixed values")
        self._inputs = given
        outputs = [StepArtifact(self, name) for name in interface.outputs]
        if not outputs:
            return None
        if len(outputs) == 1:
            return outputs[0]
        return tuple(outputs)

    @property
    def inputs(self) -> dict[str, StepArtifact]:
        """The artifacts connected to the step's inputs."""
        return dict(self._inputs or {})

    def _reset_connections(self) -> None:
        self._inputs = None

    def __repr__(self) -> str:
        return f"<step {self.name} ({type(self).__qualname__})>"
