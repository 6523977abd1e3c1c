"""``StackRuntime``: the stack of one run, built once from the deployment.

The orchestrator gets it with the deployment (``run(deployment, runtime)``);
the step launcher, the step context and the run view ``pipeline.run()`` returns
all use it, so a run reads and writes the stores it was compiled for, whatever
stack is active later. A remote step builds the same runtime from the
deployment alone (``python -m zenml.execution.entrypoint``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from zenml.materializers.base import ArtifactContext
from zenml.stack.models import ComponentModel
from zenml.stack.stack import Stack

if TYPE_CHECKING:
    from zenml.execution.deployment import Deployment, StackDeployment
    from zenml.materializers.registry import MaterializerRegistry
    from zenml.stack.flavor_registry import FlavorRegistry
    from zenml.steps.base_step import BaseStep

__all__ = ["StackRuntime"]


class StackRuntime(Stack):
    """A deployment's stack, its components built on first use, and what a run shares.

    ``steps`` holds the step objects when they are already in this process
    (``pipeline.run()``); elsewhere each step is imported from its source.
    """

    def __init__(self, stack: StackDeployment, *, flavors: FlavorRegistry | None = None,
                 steps: Mapping[str, BaseStep] | None = None) -> None:
        if flavors is None:
            from zenml.plugins.manager import get_flavor_lookup

            flavors = get_flavor_lookup()
        models = {c.type: ComponentModel(id=c.id, name=c.name, type=c.type, flavor=c.flavor,
                                         config=dict(c.config))
                  for c in stack.components}
        super().__init__(stack.name, models, flavors, id=stack.id)
        self.steps: dict[str, BaseStep] = dict(steps or {})
        self._materializers: MaterializerRegistry | None = None

    @classmethod
    def from_deployment(cls, deployment: Deployment,
                        steps: Mapping[str, BaseStep] | None = None) -> StackRuntime:
        """The runtime of a deployment's run."""
        return cls(deployment.stack, steps=steps)

    @property
    def materializers(self) -> MaterializerRegistry:
        """The process's materializer registry (built once per process)."""
        if self._materializers is None:
            from zenml.plugins.manager import get_materializer_lookup

            self._materializers = get_materializer_lookup()
        return self._materializers

    def artifact_context(self, uri: str) -> ArtifactContext:
        """The context a materializer gets for the artifact at ``uri`` of this run."""
        return ArtifactContext(uri, self.artifact_store, self.materializers)
