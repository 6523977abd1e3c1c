"""``BasePipeline``: steps wired together by ``connect`` and run on the active stack."""

from __future__ import annotations

import inspect
import logging
import os
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from zenml.errors import (
    EntityNotFoundError,
    PipelineConfigurationError,
    PipelineInterfaceError,
    ZenMLError,
)
from zenml.execution.step_info import PREVENT_EXECUTION_ENV
from zenml.steps.base_step import BaseStep
from zenml.utils.names import MAX_NAME_LENGTH, shown, validate_name

if TYPE_CHECKING:
    from collections.abc import Mapping

    from zenml.execution.deployment import Deployment, Schedule
    from zenml.execution.runtime import StackRuntime
    from zenml.post_execution.views import PipelineRunView, PipelineView
    from zenml.stack.models import ComponentState
    from zenml.stack.stack import Stack

__all__ = ["PREVENT_EXECUTION_ENV", "BasePipeline"]

logger = logging.getLogger("zenml")

#: The options the original framework took as constructor keywords (and in the
#: ``INSTANCE_CONFIGURATION`` class attribute ``@pipeline`` wrote them to).
ERA_OPTIONS = ("enable_cache", "required_integrations", "requirements", "requirements_file",
               "dockerignore_file", "secrets")


class BasePipeline:
    """A pipeline: subclass it and implement ``connect(self, step_a, step_b, ...)``.

    Create it with one step per ``connect`` parameter (``MyPipeline(load=...,
    train=...)``); each step is named by its parameter, so the same step
    class may appear under several names.
    """

    NAME: ClassVar[str | None] = None
    ENABLE_CACHE: ClassVar[bool] = True
    #: Integrations the steps need: ours (``zenml integration install``) or the era's
    #: library ones (``sklearn``...); checked before a run, installed into images.
    REQUIRED_INTEGRATIONS: ClassVar[Sequence[str]] = ()
    #: pip requirements of the steps: a list, or the path of a requirements file.
    REQUIREMENTS: ClassVar[str | Sequence[str] | None] = None
    #: A ``.dockerignore`` for the image's code (container-based orchestrators).
    DOCKERIGNORE_FILE: ClassVar[str | None] = None
    #: The era's form of the options above: ``{"required_integrations": [...], ...}``.
    INSTANCE_CONFIGURATION: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Check a pipeline's name where the class (or ``@pipeline``) defines it."""
        super().__init_subclass__(**kwargs)
        validate_name("pipeline", cls.NAME or cls.__name__, PipelineInterfaceError)

    def __init__(self, *args: BaseStep, **kwargs: Any) -> None:
        names = self._step_parameter_names()
        self._set_options({**type(self).INSTANCE_CONFIGURATION, **{
            key: kwargs.pop(key) for key in ERA_OPTIONS
            if key in kwargs and key not in names and not isinstance(kwargs[key], BaseStep)}})
        if len(args) > len(names):
            raise PipelineInterfaceError(
                f"Pipeline '{self.name}' takes {len(names)} steps "
                f"({', '.join(names)}), got {len(args)}")
        steps: dict[str, BaseStep] = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in names:
                raise PipelineInterfaceError(
                    f"Pipeline '{self.name}' has no step '{key}' (steps: {', '.join(names)})")
            if key in steps:
                raise PipelineInterfaceError(f"Pipeline '{self.name}' got step '{key}' twice")
            steps[key] = value
        missing = [n for n in names if n not in steps]
        if missing:
            raise PipelineInterfaceError(
                f"Pipeline '{self.name}' is missing step(s) {', '.join(missing)}; pass "
                f"them as {', '.join(f'{n}=...' for n in missing)}")
        seen: dict[int, str] = {}
        for key, value in steps.items():
            validate_name("step", key, PipelineInterfaceError)
            if isinstance(value, type) and issubclass(value, BaseStep):
                raise PipelineInterfaceError(
                    f"Step '{key}' of pipeline '{self.name}' is the step class "
                    f"{value.__name__}; create it first: {key}={value.__name__}()")
            if not isinstance(value, BaseStep):
                raise PipelineInterfaceError(
                    f"Step '{key}' of pipeline '{self.name}' must be a step, "
                    f"got {type(value).__name__}")
            if id(value) in seen:
                raise PipelineInterfaceError(
                    f"Steps '{seen[id(value)]}' and '{key}' are the same step object; "
                    f"create one instance per pipeline argument")
            seen[id(value)] = key
            value.name = key
        self.steps: dict[str, BaseStep] = {n: steps[n] for n in names}
        self._step_parameters: dict[str, dict[str, Any]] = {}
        self._run_name: str | None = None
        self._config_enable_cache: bool | None = None
        self._config_schedule: Schedule | None = None

    @property
    def name(self) -> str:
        """The pipeline's name (runs are grouped by it)."""
        return self.NAME or type(self).__name__

    @property
    def enable_cache(self) -> bool:
        """Whether steps may be reused from earlier runs."""
        return self.ENABLE_CACHE if self._enable_cache is None else self._enable_cache

    # -- requirements ------------------------------------------------------------------
    def _set_options(self, options: dict[str, Any]) -> None:
        """The era's options (constructor keywords, ``INSTANCE_CONFIGURATION``)."""
        unknown = sorted(set(options) - set(ERA_OPTIONS))
        if unknown:
            raise PipelineInterfaceError(
                f"Pipeline '{self.name}' has unknown option(s) {', '.join(unknown)} in "
                f"INSTANCE_CONFIGURATION (known: {', '.join(ERA_OPTIONS)})")
        enable_cache = options.get("enable_cache")
        if enable_cache is not None and not isinstance(enable_cache, bool):
            raise PipelineInterfaceError(
                f"Pipeline '{self.name}': enable_cache must be True or False")
        self._enable_cache: bool | None = enable_cache
        self.required_integrations: tuple[str, ...] = name_list(
            self.name, "required_integrations",
            options.get("required_integrations", self.REQUIRED_INTEGRATIONS))
        requirements = options.get("requirements", self.REQUIREMENTS)
        if requirements is not None and not isinstance(requirements, str):
            requirements = name_list(self.name, "requirements", requirements)
        self._requirements: str | tuple[str, ...] | None = requirements
        self.requirements_file: str | None = options.get("requirements_file")
        if self.requirements_file:
            logger.warning("Pipeline '%s': requirements_file is deprecated; pass the file "
                           "as requirements=%r", self.name, self.requirements_file)
        self.dockerignore_file: str | None = options.get(
            "dockerignore_file", self.DOCKERIGNORE_FILE)
        self.secrets: list[str] = list(options.get("secrets") or [])
        if self.secrets:
            logger.warning("Pipeline '%s': secrets=%s are not put into the steps' "
                           "environment; read them in the step from the stack's secrets "
                           "manager", self.name, self.secrets)

    def _requirement_lines(self) -> list[str]:
        """The pipeline's own pip requirements (a requirements file is read now)."""
        source = self._requirements
        if source is None and self.requirements_file:
            source = self.requirements_file
        if source is None:
            return []
        if not isinstance(source, str):
            return list(dict.fromkeys(source))
        path = Path(source).expanduser()
        if not path.is_absolute() and not path.is_file():
            module = inspect.getmodule(type(self))
            beside = Path(getattr(module, "__file__", "") or ".").parent / path
            path = beside if beside.is_file() else path
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            raise PipelineConfigurationError(
                f"Pipeline '{self.name}': requirements={source!r} is not a readable file; "
                f"pass a requirements file or a list like requirements=[{source!r}]"
            ) from None
        lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
        return list(dict.fromkeys(line for line in lines if line))

    def _required_integration_names(self) -> list[str]:
        """The required integrations' names as resolved (none: nothing imported)."""
        if not self.required_integrations:
            return []
        from zenml.integrations.requirements import resolve_required_integrations

        return [item.name for item in resolve_required_integrations(
            self.name, self.required_integrations)]

    @property
    def requirements(self) -> set[str]:
        """The pip requirements of the required integrations and the pipeline's own."""
        from zenml.integrations.requirements import resolve_required_integrations

        result: set[str] = set(self._requirement_lines())
        for item in resolve_required_integrations(self.name, self.required_integrations):
            result.update(item.library.requirements if item.library else [item.distribution
                                                                          or item.name])
        return result

    def connect(self, *args: BaseStep, **kwargs: BaseStep) -> None:
        """Call the steps with each other's outputs; implement it in a subclass."""
        raise NotImplementedError

    @classmethod
    def _connect_function(cls) -> Any:
        return cls.connect

    def _step_parameter_names(self) -> list[str]:
        function = self._connect_function()
        params = list(inspect.signature(function).parameters.values())
        if params and params[0].name == "self" and not isinstance(
                inspect.getattr_static(type(self), "connect"), staticmethod):
            params = params[1:]
        for param in params:
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise PipelineInterfaceError(
                    f"Pipeline '{self.name}' takes *{param.name}; name each step parameter")
        return [p.name for p in params]

    # -- configuration ----------------------------------------------------------------
    def with_config(self, path: str | Path, overwrite_step_parameters: bool = False
                    ) -> BasePipeline:
        """Read step parameters (and optionally run_name, enable_cache) from YAML."""
        from zenml.pipelines.run_config import read_run_config

        config = read_run_config(path)  # checks its run and step names
        for step_name, parameters in config.steps.items():
            step = self.steps.get(step_name)
            if step is None:
                raise PipelineConfigurationError(
                    f"The run config {path} sets step {shown(step_name)}, which pipeline "
                    f"'{self.name}' does not have (steps: {', '.join(self.steps)})")
            if step.config is not None and not overwrite_step_parameters:
                both = sorted(set(parameters) & step.config.model_fields_set)
                if both:
                    raise PipelineConfigurationError(
                        f"Parameter(s) {', '.join(both)} of step '{step_name}' are set in "
                        f"code and in {path}; remove one, or pass "
                        f"overwrite_step_parameters=True")
            self._step_parameters.setdefault(step_name, {}).update(parameters)
        if config.run_name:
            self._run_name = config.run_name
        if config.enable_cache is not None:
            self._config_enable_cache = config.enable_cache
        if config.schedule is not None:
            self._config_schedule = config.schedule
        return self

    # -- running --------------------------------------------------------------------
    def _connected_steps(self) -> dict[str, BaseStep]:
        for step in self.steps.values():
            step._reset_connections()
        self.connect(**self.steps)
        for name, step in self.steps.items():
            if step._inputs is None:
                raise PipelineInterfaceError(
                    f"Step '{name}' of pipeline '{self.name}' is never called in "
                    f"{'the pipeline function' if self._is_function() else 'connect()'}")
        for name, step in self.steps.items():
            for key, artifact in step.inputs.items():
                if self.steps.get(artifact.step.name) is not artifact.step:
                    raise PipelineInterfaceError(
                        f"Input '{key}' of step '{name}' comes from a step that is not "
                        f"an argument of pipeline '{self.name}'")
        return dict(self.steps)

    def _is_function(self) -> bool:
        return False

    def default_run_name(self) -> str:
        """``<pipeline>-<day>_<month>_<year>-<h>_<m>_<s>_<us>`` (the name cut to fit the rule)."""
        stamp = f"-{datetime.now():%d_%b_%y-%H_%M_%S_%f}"
        return f"{self.name[:MAX_NAME_LENGTH - len(stamp)].rstrip()}{stamp}"

    def deployment(self, stack: Stack, *, run_name: str | None = None,
                   enable_cache: bool | None = None, schedule: Schedule | None = None
                   ) -> Deployment:
        """Build the deployment of a run on ``stack`` without running it."""
        from zenml.execution.compiler import compile_deployment
        from zenml.plugins.manager import get_materializer_lookup

        if run_name is not None:
            validate_name("run", run_name, PipelineConfigurationError)
        if enable_cache is None:
            enable_cache = self._config_enable_cache
        if enable_cache is None:
            enable_cache = self.enable_cache
        return compile_deployment(
            pipeline_name=self.name, steps=self._connected_steps(), stack=stack,
            run_name=run_name or self._run_name or self.default_run_name(),
            enable_cache=enable_cache, registry=get_materializer_lookup(),
            step_parameters=self._step_parameters,
            required_integrations=self._required_integration_names(),
            requirements=self._requirement_lines(), dockerignore_file=self.dockerignore_file,
            schedule=schedule or self._config_schedule)

    def run(self, *, run_name: str | None = None, enable_cache: bool | None = None,
            schedule: Schedule | None = None, parallel: bool | str | None = None
            ) -> PipelineRunView | None:
        """Run the pipeline on the active stack and return the run.

        ``enable_cache=False`` re-runs every step this time. ``parallel``
        (``"processes"`` or ``True``, ``"threads"``, ``"off"`` or ``False``)
        overrides the local orchestrator's ``parallel`` for this run. A failing step
        raises :class:`zenml.errors.RunFailedError` naming the step. The
        required integrations are checked first; a ``schedule`` is refused
        unless the orchestrator can schedule runs.

        The run gets one :class:`~zenml.execution.runtime.StackRuntime`, built
        from its deployment; the returned view reads through it, so it reads
        the stores this run used even after the active stack changed.
        """
        from zenml.execution.runtime import StackRuntime
        from zenml.logger import enable_console_logging
        from zenml.post_execution.views import PipelineRunView
        from zenml.repository import Repository

        if run_name is not None:  # refused before anything runs or is written
            validate_name("run", run_name, PipelineConfigurationError)
        enable_console_logging()
        if os.environ.get(PREVENT_EXECUTION_ENV):
            logger.info("Not running pipeline `%s`: %s is set (a step is importing this "
                        "module).", self.name, PREVENT_EXECUTION_ENV)
            return None
        if self.required_integrations:
            from zenml.integrations.requirements import check_required_integrations

            check_required_integrations(self.name, self.required_integrations)
        schedule = _schedule(schedule)
        repo = Repository()
        stack = repo.active_stack  # configurations only: nothing is instantiated here
        stack.validate()
        deployment = self.deployment(stack, run_name=run_name, enable_cache=enable_cache,
                                     schedule=schedule)
        if parallel is not None:
            from zenml.execution.parallel import with_parallel

            deployment = with_parallel(deployment, parallel, repo.flavors)
        runtime = StackRuntime(deployment.stack, flavors=repo.flavors, steps=self.steps)
        if deployment.schedule is not None and \
                not runtime.orchestrator.SUPPORTS_SCHEDULES:
            orchestrator = runtime.orchestrator
            raise PipelineConfigurationError(
                f"Orchestrator '{orchestrator.name}' ({orchestrator.flavor}) cannot schedule "
                f"runs; run pipeline '{self.name}' without a schedule")
        self._check_running(runtime, repo.component_states())
        logger.info("Creating run `%s` for pipeline `%s` on stack `%s`.",
                    deployment.run_name, self.name, runtime.name)
        logger.info("Cache %s for pipeline `%s`.",
                    "enabled" if deployment.enable_cache else "disabled", self.name)
        started = time.perf_counter()
        orchestrator = runtime.orchestrator
        run_id = orchestrator.run(deployment, runtime) or deployment.run_id
        store = runtime.metadata_store
        try:
            record = store.get_run(run_id)
        except EntityNotFoundError:
            # a remote orchestrator that only compiled the pipeline, or submitted it and
            # returned before a step recorded the run
            logger.info("Run `%s` was handed to orchestrator '%s' and is not recorded in "
                        "metadata store '%s' yet; pipeline.run() returns None.",
                        deployment.run_name, orchestrator.name, store.name)
            return None
        logger.info("Pipeline run `%s` has finished in %.3fs.", deployment.run_name,
                    time.perf_counter() - started)
        return PipelineRunView(store, record, runtime.artifact_store)

    @staticmethod
    def _check_running(runtime: StackRuntime, states: Mapping[str, ComponentState]) -> None:
        """Refuse a stack that is down, without probing every component.

        A component is down when ``zenml stack down`` (or a failed ``up``) recorded it
        so; the orchestrator, which the run needs at once, is also asked itself (for
        a remote one, whether its endpoint answers). Other components are not
        instantiated, let alone probed, before the steps use them.
        """
        down = [(type_, model.name) for type_, model in runtime.models.items()
                if (state := states.get(model.id)) is not None and not state.running]
        orchestrator = runtime.orchestrator
        if not any(type_ is orchestrator.type for type_, _ in down) and \
                not orchestrator.is_running:
            down.insert(0, (orchestrator.type, orchestrator.name))
        if down:
            names = ", ".join(f"{type_.display_name} '{name}'" for type_, name in down)
            raise ZenMLError(f"Stack '{runtime.name}' is not running ({names}); run "
                             f"'zenml stack up' first")

    # -- post-execution -----------------------------------------------------------------
    def get_runs(self) -> list[PipelineRunView]:
        """This pipeline's runs on the active stack's metadata store, oldest first."""
        return list(self._view().runs)

    def get_run(self, run_name: str) -> PipelineRunView:
        """One run of this pipeline by name."""
        return self._view().get_run(run_name)

    def _view(self) -> PipelineView:
        from zenml.repository import Repository

        return Repository().get_pipeline(self.name)


def name_list(pipeline: str, option: str, value: object) -> tuple[str, ...]:
    """A list of names (one string is one name), each a non-empty string."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple, set, frozenset)) or not all(
            isinstance(item, str) and item.strip() for item in value):
        raise PipelineInterfaceError(
            f"Pipeline '{pipeline}': {option} must be a list of strings, got {value!r}")
    return tuple(dict.fromkeys(item.strip() for item in value))


def _schedule(value: object) -> Schedule | None:
    """``run(schedule=...)``: a Schedule (or a mapping of its fields)."""
    from pydantic import ValidationError

    from zenml.execution.deployment import Schedule

    if value is None or isinstance(value, Schedule):
        return value
    if not isinstance(value, dict):
        raise PipelineConfigurationError(
            f"schedule must be a zenml.pipelines.schedule.Schedule, got "
            f"{type(value).__name__}")
    try:
        return Schedule.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "schedule"
        raise PipelineConfigurationError(
            f"schedule.{key}: {str(first['msg']).lower()}") from None
