"""A run's steps as a graph: which step's outputs each step read.

Built from the post-execution views alone (the same for every metadata store):
an edge goes from the step of this run that output an artifact to each step
of this run that read it. A cached step's outputs are the original run's
artifacts, and the steps after it read those, so edges hold for cached runs
too. Used by ``zenml pipeline runs describe --graph`` (and any other viewer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zenml.post_execution.views import PipelineRunView, StepView

__all__ = ["RunGraph", "StepNode", "run_graph"]


@dataclass
class StepNode:
    """One step of the run and the steps whose outputs it read (by pipeline name)."""

    step: StepView
    parents: list[str] = field(default_factory=list)
    #: ``(input name, parent step, parent's output name)`` for each input read from a step
    reads: list[tuple[str, str, str]] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    level: int = 0  # the length of the longest chain of parents before it


@dataclass
class RunGraph:
    """The steps of a run in the order they started, with edges and levels."""

    nodes: dict[str, StepNode]

    @property
    def edges(self) -> list[tuple[str, str]]:
        """``(parent, child)`` pairs, in the steps' order."""
        return [(parent, name) for name, node in self.nodes.items() for parent in node.parents]

    @property
    def roots(self) -> list[str]:
        """The steps that read no other step's output."""
        return [name for name, node in self.nodes.items() if not node.parents]

    def levels(self) -> list[list[str]]:
        """The steps grouped by level (every step after all of its parents' levels)."""
        grouped: dict[int, list[str]] = {}
        for name, node in self.nodes.items():
            grouped.setdefault(node.level, []).append(name)
        return [grouped[level] for level in sorted(grouped)]


def run_graph(run: PipelineRunView) -> RunGraph:
    """The graph of ``run``'s steps."""
    steps = run.prefetch_artifacts()
    producer = {artifact.id: step.name for step in steps for artifact in step.outputs.values()}
    nodes = {step.name: StepNode(step) for step in steps}
    for step in steps:
        for input_name, artifact in step.inputs.items():
            parent = producer.get(artifact.id)
            if parent is None or parent == step.name:
                continue
            node = nodes[step.name]
            node.reads.append((input_name, parent, artifact.name))
            if parent not in node.parents:
                node.parents.append(parent)
                nodes[parent].children.append(step.name)
    # levels along a topological order (the steps' order is one unless a run was resumed)
    remaining = dict(nodes)
    placed: set[str] = set()
    while remaining:
        ready = [n for n, node in remaining.items() if placed.issuperset(node.parents)] or \
            [next(iter(remaining))]  # a cycle cannot happen; never loop forever
        for name in ready:
            node = remaining.pop(name)
            node.level = 1 + max((nodes[p].level for p in node.parents if p in placed),
                                 default=-1)
            placed.add(name)
    return RunGraph(nodes)
