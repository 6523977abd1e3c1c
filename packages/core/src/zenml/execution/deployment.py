"""The deployment: everything needed to run a pipeline's steps anywhere.

A :class:`Deployment` is plain data (pydantic, JSON round-trip): the DAG,
each step's source, parameters, materializers and cache flag, and the
stack's component configurations. Whoever runs its steps builds a
:class:`~zenml.execution.runtime.StackRuntime` from :attr:`Deployment.stack`:
the local orchestrator in this process, ``python -m zenml.execution.entrypoint``
in a remote orchestrator's container. Nothing that runs a step reads the stack
store. ``version`` (the format) and ``zenml_version`` let the entrypoint refuse a
deployment made by a newer zenml.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from zenml.stack.component_type import StackComponentType

if TYPE_CHECKING:
    from zenml.stack.stack import Stack

__all__ = [
    "ComponentDeployment",
    "Deployment",
    "InputSpec",
    "OutputSpec",
    "Schedule",
    "StackDeployment",
    "StepSpec",
]

DEPLOYMENT_VERSION = 1


class InputSpec(BaseModel):
    """An input: which output of which upstream step (read as the step annotates it)."""

    step: str
    output: str


class OutputSpec(BaseModel):
    """An output: its type and the materializer that writes it.

    ``by_type``: the materializer was picked for the annotation (not chosen
    with ``with_return_materializers``), so the launcher may pick a more
    specific one for the value's runtime type; ``materializer`` is empty when
    the annotation has none of its own.
    """

    data_type: str
    materializer: str
    materializer_hash: str
    by_type: bool = False


class StepSpec(BaseModel):
    """One step of the pipeline, as the launcher needs it."""

    name: str
    entrypoint_name: str
    source: str
    code_hash: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    inputs: dict[str, InputSpec] = Field(default_factory=dict)
    outputs: dict[str, OutputSpec] = Field(default_factory=dict)
    upstream: list[str] = Field(default_factory=list)
    enable_cache: bool = True


class Schedule(BaseModel):
    """When a pipeline runs again: from ``start_time`` every ``interval_second``.

    The original framework's ``zenml.pipelines.schedule.Schedule``. Only an
    orchestrator that can schedule runs accepts it (its ``SUPPORTS_SCHEDULES``);
    the others refuse the run in one line. ``interval_second`` is a
    :class:`~datetime.timedelta` or a number of seconds.
    """

    model_config = ConfigDict(extra="forbid")

    start_time: datetime
    end_time: datetime | None = None
    interval_second: timedelta
    catchup: bool = False

    @property
    def utc_start_time(self) -> str:
        """The start time in UTC, ISO formatted."""
        return self.start_time.astimezone(timezone.utc).isoformat()

    @property
    def utc_end_time(self) -> str | None:
        """The end time in UTC, ISO formatted (None without one)."""
        return self.end_time.astimezone(timezone.utc).isoformat() if self.end_time else None


class ComponentDeployment(BaseModel):
    """A stack component's identity and configuration (secrets included)."""

    type: StackComponentType
    name: str
    id: str
    flavor: str
    config: dict[str, Any]


class StackDeployment(BaseModel):
    """The stack a run uses."""

    name: str
    id: str = ""
    components: list[ComponentDeployment]

    @classmethod
    def from_stack(cls, stack: Stack) -> StackDeployment:
        """Describe a stack (its configurations; no component is instantiated)."""
        specs = stack.specs()
        return cls(name=stack.name, id=stack.id, components=[
            ComponentDeployment(type=type_, name=model.name, id=model.id, flavor=model.flavor,
                                config=specs[type_].config.to_storable())
            for type_, model in stack.models.items()])


class Deployment(BaseModel):
    """A pipeline run, ready to execute: steps in dependency order and the stack."""

    version: int = DEPLOYMENT_VERSION
    zenml_version: str
    pipeline_name: str
    run_name: str
    run_id: str
    enable_cache: bool
    source_roots: list[str] = Field(default_factory=list)
    steps: list[StepSpec]
    stack: StackDeployment
    #: ``@pipeline(required_integrations=...)``: our integrations and the era's library
    #: ones, which container-based orchestrators install into their images.
    required_integrations: list[str] = Field(default_factory=list)
    #: ``@pipeline(requirements=...)``: pip requirements (a file's lines already read).
    requirements: list[str] = Field(default_factory=list)
    #: ``@pipeline(dockerignore_file=...)``: ignore patterns for the image's code.
    dockerignore_file: str | None = None
    schedule: Schedule | None = None

    def step(self, name: str) -> StepSpec:
        """One step by name."""
        for spec in self.steps:
            if spec.name == name:
                return spec
        names = ", ".join(s.name for s in self.steps)
        raise KeyError(f"Pipeline '{self.pipeline_name}' has no step '{name}' (steps: {names})")

    def to_json(self) -> str:
        """The deployment as JSON."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str) -> Deployment:
        """Read a deployment written by :meth:`to_json`."""
        return cls.model_validate_json(text)
