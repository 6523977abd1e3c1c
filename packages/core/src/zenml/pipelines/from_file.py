"""``zenml pipeline run FILE -c CONFIG``: a pipeline built from a file and a run config.

The config names the pipeline (``name:``), each step's code (``steps.<name>.source``),
its parameters and materializers (see :mod:`zenml.pipelines.run_config`). Python
files are imported as modules (a folder with ``__init__.py`` files is a package),
with pipeline runs suppressed while they import: a module-level ``.run()`` is
skipped and an ``if __name__ == "__main__":`` block is not executed. Every
problem is found before anything runs, and is one line.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zenml.errors import PipelineConfigurationError, ZenMLError

if TYPE_CHECKING:
    from zenml.pipelines.base_pipeline import BasePipeline
    from zenml.pipelines.run_config import SourceRef

__all__ = ["import_python_file", "pipeline_from_config"]


def _module_name(path: Path) -> tuple[str, Path]:
    """The dotted module name of ``path`` and the folder it is importable from.

    Folders with ``__init__.py`` are packages; below the working directory, plain
    folders are namespace packages too (as the original framework named
    ``steps/trainer.py`` ``steps.trainer``), so other processes started there
    import the same names.
    """
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    cwd = Path.cwd().resolve()
    if folder != cwd and folder.is_relative_to(cwd):
        extra = folder.relative_to(cwd).parts
        if all(part.isidentifier() for part in extra):
            return ".".join([*extra, *parts]), cwd
    return ".".join(parts), folder


def import_python_file(file: str | Path) -> types.ModuleType:
    """Import a Python file as a module, with pipeline runs suppressed while it imports.

    Its root folder goes first on ``sys.path`` (as ``python FILE`` would put it),
    so the steps' sources import in other processes and pods too.
    """
    from zenml.execution.step_info import no_pipeline_runs

    path = Path(file).expanduser().resolve()
    if not path.is_file():
        raise PipelineConfigurationError(f"Python file {file} does not exist")
    if path.suffix != ".py":
        raise PipelineConfigurationError(f"{file} is not a Python file (.py)")
    name, root = _module_name(path)
    if not all(part.isidentifier() for part in name.split(".")):
        raise PipelineConfigurationError(
            f"{file} cannot be imported as module '{name}'; rename it to a valid Python "
            f"module name")
    existing = sys.modules.get(name)
    if existing is not None:
        known = getattr(existing, "__file__", None)
        if known and Path(known).resolve() == path:
            return existing
        raise PipelineConfigurationError(
            f"{file} cannot be imported as module '{name}': another module of that name "
            f"is already imported ({known or 'built in'}); rename the file")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        with no_pipeline_runs():
            module = importlib.import_module(name)
    except ZenMLError as error:
        raise PipelineConfigurationError(f"Importing {file} failed: {error}") from None
    except (Exception, SystemExit) as error:
        for key in [k for k in sys.modules if k == name or k.startswith(f"{name}.")]:
            sys.modules.pop(key, None)
        raise PipelineConfigurationError(
            f"Importing {file} failed: {type(error).__name__}: {error}") from None
    loaded = getattr(module, "__file__", None)
    if not loaded or Path(loaded).resolve() != path:
        raise PipelineConfigurationError(
            f"{file} cannot be imported as module '{name}': that name imports "
            f"{loaded or 'a built-in module'}; rename the file")
    return module


def _find_file(ref_file: str, bases: list[Path], where: str, config: Path) -> Path:
    """``file:`` of a source: relative to the working directory (as the era read it),
    else to the pipeline's file or the config's folder."""
    candidate = Path(ref_file).expanduser()
    if candidate.is_absolute():
        if candidate.is_file():
            return candidate
    else:
        for base in bases:
            if (base / candidate).is_file():
                return base / candidate
    raise PipelineConfigurationError(
        f"In {config}, {where}.file {ref_file} does not exist (relative paths are read from "
        f"the working directory, the pipeline file's folder or the config's folder)")


def _load(ref: SourceRef, module: types.ModuleType, bases: list[Path], where: str,
          config: Path) -> Any:
    """The object a ``{name, file}`` source names."""
    if ref.file is not None:
        module = import_python_file(_find_file(ref.file, bases, where, config))
    try:
        return getattr(module, ref.name)
    except AttributeError:
        raise PipelineConfigurationError(
            f"In {config}, {where}: {module.__file__} has no '{ref.name}'") from None


def _pipeline_class(module: types.ModuleType, name: str, config: Path) -> type[BasePipeline]:
    from zenml.pipelines.base_pipeline import BasePipeline

    found = getattr(module, name, None)
    if isinstance(found, type) and issubclass(found, BasePipeline):
        return found
    pipelines = sorted(key for key, value in vars(module).items()
                       if isinstance(value, type) and issubclass(value, BasePipeline)
                       and value is not BasePipeline)
    what = "is not a pipeline" if found is not None else "does not exist"
    raise PipelineConfigurationError(
        f"In {config}, name: '{name}' {what} in {module.__file__} (pipelines there: "
        f"{', '.join(pipelines) or 'none'})")


def pipeline_from_config(python_file: str | Path, config_path: str | Path) -> BasePipeline:
    """The pipeline ``config_path`` describes, with its steps from ``python_file``.

    Nothing runs: call ``.run()`` on the result (it uses the config's
    ``run_name``, ``enable_cache`` and ``schedule``).
    """
    from zenml.materializers.base import BaseMaterializer
    from zenml.pipelines.run_config import read_run_config
    from zenml.steps.base_step import BaseStep

    config_file = Path(config_path)
    config = read_run_config(config_file)
    if config.name is None:
        raise PipelineConfigurationError(
            f"In {config_file}, name: is missing; set it to the pipeline function or class "
            f"in {python_file}")
    module = import_python_file(python_file)
    pipeline_class = _pipeline_class(module, config.name, config_file)
    bases = [Path(os.getcwd()), Path(python_file).resolve().parent,
             config_file.resolve().parent]
    steps: dict[str, BaseStep] = {}
    for step_name, step_config in config.step_configs.items():
        where = f"steps.{step_name}"
        if step_config.source is None:
            raise PipelineConfigurationError(
                f"In {config_file}, {where} has no source; add source: {{name: "
                f"<step function or class>}}")
        found = _load(step_config.source, module, bases, f"{where}.source", config_file)
        if isinstance(found, type) and issubclass(found, BaseStep):
            step = found()
        elif isinstance(found, BaseStep):
            step = found
        else:
            raise PipelineConfigurationError(
                f"In {config_file}, {where}.source: '{step_config.source.name}' is not a step "
                f"(a @step function or a BaseStep class)")
        materializers: dict[str, type[BaseMaterializer]] = {}
        for output, ref in step_config.materializers.items():
            spot = f"{where}.materializers.{output}"
            materializer = _load(ref, module, bases, spot, config_file)
            if not (isinstance(materializer, type)
                    and issubclass(materializer, BaseMaterializer)):
                raise PipelineConfigurationError(
                    f"In {config_file}, {spot}: '{ref.name}' is not a materializer class")
            materializers[output] = materializer
        if materializers:
            try:
                step.with_return_materializers(materializers)
            except ZenMLError as error:
                raise PipelineConfigurationError(f"In {config_file}, {where}: {error}"
                                                 ) from None
        steps[step_name] = step
    try:
        instance = pipeline_class(**steps)
    except ZenMLError as error:
        raise PipelineConfigurationError(f"In {config_file}: {error}") from None
    return instance.with_config(config_file, overwrite_step_parameters=True)
