"""Turn a connected pipeline and a stack into a :class:`Deployment`."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from zenml.errors import PipelineConfigurationError, PipelineInterfaceError
from zenml.execution.deployment import (
    Deployment,
    InputSpec,
    OutputSpec,
    Schedule,
    StackDeployment,
    StepSpec,
)
from zenml.execution.source import code_hash, resolve_source, source_roots

if TYPE_CHECKING:
    from zenml.materializers.registry import MaterializerRegistry
    from zenml.stack.stack import Stack
    from zenml.steps.base_step import BaseStep

__all__ = ["compile_deployment", "topological_order"]


def topological_order(steps: Mapping[str, BaseStep]) -> list[str]:
    """Step names so that every step comes after its inputs' producers.

    Ties keep the pipeline's parameter order, so runs are reproducible.
    """
    upstream = {name: {a.step.name for a in s.inputs.values()} for name, s in steps.items()}
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(steps):
        ready = [n for n in steps if n not in done and upstream[n] <= done]
        if not ready:  # pragma: no cover - connect() cannot build a cycle
            raise PipelineInterfaceError("The pipeline's steps depend on each other in a cycle")
        order.extend(ready)
        done.update(ready)
    return order


_MATERIALIZER_HASHES: dict[type, str] = {}


def _materializer_hash(materializer: type) -> str:
    """The hash of a materializer's code (once per class and process)."""
    if materializer not in _MATERIALIZER_HASHES:
        _MATERIALIZER_HASHES[materializer] = code_hash(materializer)[:16]
    return _MATERIALIZER_HASHES[materializer]


def _output_spec(explicit: type | None, data_type: Any,
                 registry: MaterializerRegistry) -> OutputSpec:
    """An output's type and materializer: the one chosen for the step, else the annotation's.

    An annotation's materializer may give way to a more specific one for the
    value's runtime type when the step runs (``by_type``); an annotation with
    none of its own (``-> SomeMixin``) leaves the choice to the value's type.
    """
    materializer = explicit or registry.find(data_type)
    type_source = resolve_source(object if data_type is Any else data_type)
    if materializer is None:
        return OutputSpec(data_type=type_source, materializer="", materializer_hash="",
                          by_type=True)
    return OutputSpec(data_type=type_source, materializer=resolve_source(materializer),
                      materializer_hash=_materializer_hash(materializer), by_type=explicit is None)


def _parameters(step: BaseStep, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    interface = step.interface()
    values: dict[str, Any] = {}
    if step.config is not None:
        values = step.config.model_dump(mode="json", exclude_unset=False)
    if overrides:
        if interface.config_class is None:
            raise PipelineConfigurationError(
                f"Step '{step.name}' has no parameters, but the run config sets "
                f"{', '.join(overrides)}")
        unknown = set(overrides) - set(interface.config_class.model_fields)
        if unknown:
            raise PipelineConfigurationError(
                f"Step '{step.name}' has no parameter {', '.join(sorted(unknown))} "
                f"(parameters: {', '.join(interface.config_class.model_fields)})")
        values.update(overrides)
    if interface.config_class is None:
        return {}
    try:
        config = interface.config_class.model_validate(values)
    except Exception as error:
        first = error.errors()[0] if hasattr(error, "errors") else {"loc": (), "msg": str(error)}
        field = ".".join(str(p) for p in first["loc"]) or "config"
        raise PipelineConfigurationError(
            f"Step '{step.name}': parameter '{field}' {str(first['msg']).lower()}; pass a "
            f"{interface.config_class.__name__} when creating the step or set it in the "
            f"run config") from None
    return config.model_dump(mode="json")


def compile_deployment(
    *,
    pipeline_name: str,
    steps: Mapping[str, BaseStep],
    stack: Stack,
    run_name: str,
    enable_cache: bool,
    registry: MaterializerRegistry,
    step_parameters: Mapping[str, Mapping[str, Any]] | None = None,
    required_integrations: Sequence[str] = (),
    requirements: Sequence[str] = (),
    dockerignore_file: str | None = None,
    schedule: Schedule | None = None,
) -> Deployment:
    """Build the deployment of one run (steps must already be connected).

    ``required_integrations``, ``requirements`` and ``dockerignore_file`` are the
    pipeline's (``@pipeline(...)``), for orchestrators that build images.
    """
    from zenml.__about__ import __version__

    specs: list[StepSpec] = []
    step_hashes: dict[type, str] = {}  # one hash per step class in this deployment
    for name in topological_order(steps):
        step = steps[name]
        interface = step.interface()
        step_class = type(step)
        outputs: dict[str, OutputSpec] = {}
        for output, data_type in interface.outputs.items():
            outputs[output] = _output_spec(step.materializers.get(output), data_type, registry)
        inputs = {key: InputSpec(step=artifact.step.name, output=artifact.output_name)
                  for key, artifact in step.inputs.items()}
        upstream = sorted({i.step for i in inputs.values()})
        if step_class not in step_hashes:
            func_hash = code_hash(step_class.entrypoint_function())
            if not isinstance(step_class.__dict__.get("entrypoint"), staticmethod):
                func_hash = hashlib.sha256(
                    (func_hash + code_hash(step_class)).encode()).hexdigest()
            step_hashes[step_class] = func_hash
        func_hash = step_hashes[step_class]
        specs.append(StepSpec(
            name=name, entrypoint_name=step.STEP_NAME or step_class.__name__,
            source=resolve_source(step_class), code_hash=func_hash,
            parameters=_parameters(step, (step_parameters or {}).get(name)),
            inputs=inputs, outputs=outputs, upstream=upstream,
            enable_cache=step.enable_cache))
    roots = source_roots([type(s) for s in steps.values()])
    return Deployment(
        zenml_version=__version__, pipeline_name=pipeline_name, run_name=run_name,
        run_id=str(uuid.uuid4()), enable_cache=enable_cache, source_roots=roots,
        steps=specs, stack=StackDeployment.from_stack(stack),
        required_integrations=list(required_integrations), requirements=list(requirements),
        dockerignore_file=dockerignore_file, schedule=schedule)
