"""Run configuration files: step parameters (and the code to run) from YAML.

One layout serves ``pipeline.with_config(path)`` and ``zenml pipeline run FILE -c
path``; it is the original framework's, with our keys beside it::

    name: first_pipeline            # the pipeline function or class in FILE (CLI)
    run_name: my_run                # optional
    enable_cache: false             # optional
    schedule:                       # optional; refused where the orchestrator cannot
      start_time: 2022-07-01T10:00:00
      interval_second: 3600
    steps:
      step_2:                       # the step's parameter name in the pipeline
        source:                     # the step function or class (CLI)
          name: svc_trainer
          file: steps/trainer.py    # optional: when it is not in FILE
        parameters: {gamma: 0.01}
        materializers:              # optional: output name -> materializer class
          output: {name: MyMaterializer, file: materializers.py}

``with_config`` reads the parameters, ``run_name``, ``enable_cache`` and
``schedule``; ``name``, ``source`` and ``materializers`` choose code, which only
``zenml pipeline run`` does (the pipeline object already has its code).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zenml.errors import PipelineConfigurationError
from zenml.utils.names import validate_name

if TYPE_CHECKING:
    from zenml.execution.deployment import Schedule

__all__ = ["RunConfig", "SourceRef", "StepConfig", "read_run_config"]

TOP_KEYS = ("name", "steps", "run_name", "enable_cache", "schedule")
STEP_KEYS = ("source", "parameters", "materializers")
SOURCE_KEYS = ("name", "file")


@dataclass(frozen=True)
class SourceRef:
    """``{name: X, file: path}``: a function or class, in ``file`` or the pipeline's file."""

    name: str
    file: str | None = None


@dataclass
class StepConfig:
    """One entry of ``steps:``."""

    parameters: dict[str, Any] = field(default_factory=dict)
    source: SourceRef | None = None
    materializers: dict[str, SourceRef] = field(default_factory=dict)


class RunConfig:
    """A read run configuration: ``steps`` maps step names to their parameters."""

    def __init__(self, steps: Mapping[str, Mapping[str, Any]], run_name: str | None = None,
                 enable_cache: bool | None = None, *, name: str | None = None,
                 step_configs: Mapping[str, StepConfig] | None = None,
                 schedule: Schedule | None = None, path: Path | None = None) -> None:
        self.steps = {k: dict(v) for k, v in steps.items()}
        self.run_name = run_name
        self.enable_cache = enable_cache
        self.name = name
        self.step_configs = dict(step_configs or {k: StepConfig(dict(v))
                                                  for k, v in steps.items()})
        self.schedule = schedule
        self.path = path


def _fail(file: Path, message: str) -> PipelineConfigurationError:
    return PipelineConfigurationError(f"In {file}, {message}")


def _check_keys(file: Path, where: str, data: Mapping[str, Any], known: tuple[str, ...]
                ) -> None:
    unknown = [str(key) for key in data if key not in known]
    if unknown:
        raise _fail(file, f"{where} has unknown key(s) {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(known)})")


def _source(file: Path, where: str, value: object) -> SourceRef:
    """``{name, file?}``; the era's hint when a plain string is given."""
    if isinstance(value, str):
        raise _fail(file, f"{where} must be a mapping like {{name: {value}, file: "
                          f"optional/path.py}}, not a string")
    if not isinstance(value, dict):
        raise _fail(file, f"{where} must be a mapping with 'name' (and optionally 'file')")
    _check_keys(file, where, value, SOURCE_KEYS)
    name = value.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        raise _fail(file, f"{where}.name must be the name of a function or class, got "
                          f"{name!r}")
    path = value.get("file")
    if path is not None and (not isinstance(path, str) or not path.strip()):
        raise _fail(file, f"{where}.file must be a path to a Python file, got {path!r}")
    return SourceRef(name=name, file=path)


def _step(file: Path, name: str, entry: object) -> StepConfig:
    where = f"steps.{name}"
    if entry is None:
        return StepConfig()
    if not isinstance(entry, dict):
        raise _fail(file, f"{where} must be a mapping with {', '.join(STEP_KEYS)}")
    _check_keys(file, where, entry, STEP_KEYS)
    parameters = entry.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise _fail(file, f"{where}.parameters must be a mapping")
    source = _source(file, f"{where}.source", entry["source"]) if entry.get("source") \
        is not None else None
    raw = entry.get("materializers") or {}
    if not isinstance(raw, dict):
        raise _fail(file, f"{where}.materializers must map output names to {{name, file}}")
    materializers = {str(output): _source(file, f"{where}.materializers.{output}", value)
                     for output, value in raw.items()}
    return StepConfig(parameters=parameters, source=source, materializers=materializers)


def _schedule(file: Path, value: object) -> Schedule:
    from pydantic import ValidationError

    from zenml.execution.deployment import Schedule

    if not isinstance(value, dict):
        raise _fail(file, "schedule must be a mapping with start_time, interval_second "
                          "(and optionally end_time, catchup)")
    try:
        return Schedule.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "schedule"
        raise _fail(file, f"schedule.{key}: {str(first['msg']).lower()}") from None


def read_run_config(path: str | Path) -> RunConfig:
    """Read and check the layout of a run config file (every problem is one line)."""
    import yaml

    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise PipelineConfigurationError(
            f"Cannot read the run config {file}: {error.strerror}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise PipelineConfigurationError(
            f"The run config {file} is not valid YAML{where}; fix the file") from None
    if not isinstance(data, dict):
        raise PipelineConfigurationError(f"The run config {file} must be a mapping with "
                                         f"a 'steps' key")
    unknown = [str(key) for key in data if key not in TOP_KEYS]
    if unknown:
        raise PipelineConfigurationError(
            f"The run config {file} has unknown key(s) {', '.join(sorted(unknown))} "
            f"(known: {', '.join(TOP_KEYS)})")
    raw_steps = data.get("steps") or {}
    if not isinstance(raw_steps, dict):
        raise _fail(file, "steps must be a mapping of step names")
    configs: dict[str, StepConfig] = {}
    for name, entry in raw_steps.items():
        name = _checked_name(file, "step", name)
        configs[name] = _step(file, name, entry)
    enable_cache = data.get("enable_cache")
    if enable_cache is not None and not isinstance(enable_cache, bool):
        raise _fail(file, "enable_cache must be true or false")
    run_name = data.get("run_name")
    if run_name is not None:  # ``run_name:`` with no value means the default name
        run_name = _checked_name(file, "run", run_name)
    pipeline_name = data.get("name")
    if pipeline_name is not None and (not isinstance(pipeline_name, str)
                                      or not pipeline_name.isidentifier()):
        raise _fail(file, f"name must be the name of the pipeline function or class, got "
                          f"{pipeline_name!r}")
    schedule = _schedule(file, data["schedule"]) if data.get("schedule") is not None \
        else None
    return RunConfig({k: c.parameters for k, c in configs.items()}, run_name=run_name,
                     enable_cache=enable_cache, name=pipeline_name, step_configs=configs,
                     schedule=schedule, path=file)


def _checked_name(file: Path, kind: str, name: object) -> str:
    """``name`` if it follows the name rule, else one line naming the file."""
    try:
        return validate_name(kind, name, PipelineConfigurationError)
    except PipelineConfigurationError as error:
        raise PipelineConfigurationError(f"In {file}: {error}") from None
