"""Run configuration files: step parameters from YAML."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zenml.errors import PipelineConfigurationError
from zenml.utils.names import validate_name

__all__ = ["RunConfig", "read_run_config"]


class RunConfig:
    """``run_name``, ``enable_cache`` and ``steps: {name: {parameters: {...}}}``."""

    def __init__(self, steps: Mapping[str, Mapping[str, Any]], run_name: str | None = None,
                 enable_cache: bool | None = None) -> None:
        self.steps = {k: dict(v) for k, v in steps.items()}
        self.run_name = run_name
        self.enable_cache = enable_cache


def read_run_config(path: str | Path) -> RunConfig:
    """Read and check the layout of a run config file."""
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
    unknown = set(data) - {"steps", "run_name", "enable_cache"}
    if unknown:
        raise PipelineConfigurationError(
            f"The run config {file} has unknown key(s) {', '.join(sorted(unknown))} "
            f"(known: steps, run_name, enable_cache)")
    raw_steps = data.get("steps") or {}
    if not isinstance(raw_steps, dict):
        raise PipelineConfigurationError(f"In {file}, steps must be a mapping of step names")
    steps: dict[str, dict[str, Any]] = {}
    for name, entry in raw_steps.items():
        name = _checked_name(file, "step", name)
        if not isinstance(entry, dict) or set(entry) - {"parameters"}:
            raise PipelineConfigurationError(
                f"In {file}, steps.{name} must be a mapping with 'parameters'")
        parameters = entry.get("parameters") or {}
        if not isinstance(parameters, dict):
            raise PipelineConfigurationError(
                f"In {file}, steps.{name}.parameters must be a mapping")
        steps[name] = parameters
    enable_cache = data.get("enable_cache")
    if enable_cache is not None and not isinstance(enable_cache, bool):
        raise PipelineConfigurationError(f"In {file}, enable_cache must be true or false")
    run_name = data.get("run_name")
    if run_name is not None:  # ``run_name:`` with no value means the default name
        run_name = _checked_name(file, "run", run_name)
    return RunConfig(steps, run_name=run_name, enable_cache=enable_cache)


def _checked_name(file: Path, kind: str, name: object) -> str:
    """``name`` if it follows the name rule, else one line naming the file."""
    try:
        return validate_name(kind, name, PipelineConfigurationError)
    except PipelineConfigurationError as error:
        raise PipelineConfigurationError(f"In {file}: {error}") from None
