"""Orchestrator configurations: the base and the built-in ``local`` flavor."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal, get_args

from pydantic import Field, field_validator

from zenml.errors import StackValidationError
from zenml.stack.component_type import StackComponentType
from zenml.stack.config import ComponentSpec, StackComponentConfig

__all__ = ["PARALLEL_MODES", "BaseOrchestratorConfig", "LocalOrchestratorConfig", "ParallelMode",
           "default_workers", "parallel_mode"]


class BaseOrchestratorConfig(StackComponentConfig):
    """Base configuration of every orchestrator."""

    @property
    def is_remote(self) -> bool:
        """Whether steps run away from this machine (pods, other hosts)."""
        return False

    def validate_stack(self, stack: Mapping[StackComponentType, ComponentSpec]) -> None:
        """A remote orchestrator cannot use components that live on this machine."""
        if not self.is_remote:
            return
        me = stack[StackComponentType.ORCHESTRATOR]
        for type_, spec in stack.items():
            if spec.config.is_local:
                msg = (
                    f"The {me.flavor} orchestrator '{me.name}' runs steps remotely, "
                    f"but {type_.display_name} '{spec.name}' ({spec.flavor}) only "
                    f"exists on this machine; register a remote {type_.display_name} "
                    f"(see 'zenml {type_.cli_name} flavor list') and use it in this stack"
                )
                raise StackValidationError(msg)


#: How the ``local`` orchestrator runs independent steps: one after another, each in a
#: process of its own, or in threads of the calling process.
ParallelMode = Literal["off", "processes", "threads"]
PARALLEL_MODES: tuple[str, ...] = get_args(ParallelMode)


def parallel_mode(value: object, *, true: str = "processes") -> str:
    """A parallel mode from what a user wrote: the three modes as they are (any case),
    ``False``/``"false"`` -> ``"off"``, ``True``/``"true"`` -> ``true``; anything else
    is a one-line :class:`ValueError`.

    ``true`` is ``"processes"`` for a run's ``parallel=True`` and ``"threads"`` for an
    orchestrator's configuration, where ``parallel: true`` meant threads before the
    modes existed (a registered orchestrator keeps running its steps as it did).
    """
    if isinstance(value, bool):
        return true if value else "off"
    if isinstance(value, str):
        text = value.strip().lower()
        aliases = {"true": true, "yes": true, "on": true, "false": "off", "no": "off"}
        text = aliases.get(text, text)
        if text in PARALLEL_MODES:
            return text
    raise ValueError(f"parallel must be one of 'off', 'processes', 'threads' "
                     f"(or true = {true}, false = off)")


def default_workers(mode: str) -> int:
    """The CPUs this process may use for ``processes``; that plus 4 (at most 32) for
    ``threads``, whose steps mostly wait (Python's own thread pool default)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, cpus) if mode == "processes" else min(32, cpus + 4)


class LocalOrchestratorConfig(BaseOrchestratorConfig):
    """Runs every step on this machine: in the calling process, or in parallel."""

    parallel: ParallelMode = Field(
        default="off",
        description="Run independent steps at the same time: 'processes' (a process per "
                    "step; for CPU-bound steps), 'threads' (for steps that mostly wait), "
                    "or 'off' (one after another; true means threads, as before the modes).",
    )
    max_workers: int | None = Field(
        default=None, ge=1,
        description="The most steps run at once when parallel (default: the number of "
                    "CPUs for processes, that plus 4 for threads).",
    )

    @field_validator("parallel", mode="before")
    @classmethod
    def _parallel_mode(cls, value: object) -> str:
        return parallel_mode(value, true="threads")

    @property
    def workers(self) -> int:
        """The most steps that run at once in this configuration's parallel mode."""
        return self.max_workers or default_workers(self.parallel)
