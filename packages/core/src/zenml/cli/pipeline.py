"""``zenml pipeline``: run a pipeline from a file and a run config; the pipelines and runs
recorded in the active stack's metadata store."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import click

from zenml.cli.output import declare, print_table

if TYPE_CHECKING:
    from zenml.metadata_stores.base import BaseMetadataStore
    from zenml.post_execution.views import PipelineRunView

__all__ = ["pipeline"]


def _store(stack_name: str | None) -> BaseMetadataStore:
    from zenml.repository import Repository

    return Repository().stack(stack_name).metadata_store  # the artifact store is not needed


def _local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.replace(tzinfo=timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _duration(start: datetime, end: datetime | None) -> str:
    if end is None:
        return ""
    seconds = (end - start).total_seconds()
    if seconds < 60:
        return f"{seconds:.3f}s"
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{seconds:02d}s" if hours else f"{minutes}m{seconds:02d}s"


STACK_OPTION = click.option("--stack", "stack_name", metavar="STACK",
                            help="Read this stack's metadata store instead of the active one.")


@click.group()
def pipeline() -> None:
    """Run pipelines; list pipelines and their runs (as recorded in the metadata store)."""


@pipeline.command("list")
@STACK_OPTION
def list_pipelines(stack_name: str | None) -> None:
    """List the pipelines that have run, with their latest run."""
    from zenml.metadata_stores.status import run_status

    store = _store(stack_name)
    rows: list[list[Any]] = []
    for record in store.get_pipelines():
        latest = store.get_runs(record.name, newest_first=True, limit=1)
        last = latest[0] if latest else None
        rows.append([record.name, store.count_runs(record.name),
                     last.name if last else "", run_status(last).value if last else "",
                     _local_time(last.created) if last else ""])
    if not rows:
        declare(f"No pipeline has run on metadata store '{store.name}' yet.")
        return
    print_table(["PIPELINE", "RUNS", "LATEST RUN", "STATUS", "STARTED"], rows)


@pipeline.command("run")
@click.argument("python_file", metavar="FILE")
@click.option("-c", "--config", "config_path", required=True, metavar="CONFIG.yaml",
              help="The run configuration: name (the pipeline in FILE), steps with their "
                   "source, parameters and materializers; optionally run_name, "
                   "enable_cache and schedule.")
@click.option("--parallel", type=click.Choice(["off", "processes", "threads"]),
              is_flag=False, flag_value="processes", default=None,
              help="Run independent steps at the same time for this run: in processes "
                   "(the default when no value is given; for CPU-bound steps) or threads "
                   "(for steps that mostly wait); needs the local orchestrator.")
def run_pipeline(python_file: str, config_path: str, parallel: str | None) -> None:
    """Run the pipeline of FILE as CONFIG.yaml describes it (the code is not edited).

    FILE is imported with pipeline runs suppressed: a module-level run() in it
    and its `if __name__ == "__main__":` block do not run.
    """
    import logging
    import os

    from zenml.pipelines.from_file import pipeline_from_config

    pipeline_instance = pipeline_from_config(python_file, config_path)
    logger = logging.getLogger("zenml")
    wanted = logging.getLevelName(os.environ.get("ZENML_LOGGING_VERBOSITY", "INFO").upper())
    level = wanted if isinstance(wanted, int) else logging.INFO
    if logger.getEffectiveLevel() > level:  # the run's progress is this command's output
        logger.setLevel(level)
    pipeline_instance.run(parallel=parallel)


@pipeline.group()
def runs() -> None:
    """Inspect pipeline runs."""


@runs.command("list")
@click.option("-p", "--pipeline", "pipeline_name", metavar="NAME",
              help="Only runs of this pipeline.")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True,
              help="Which page of runs to show.")
@click.option("--size", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Runs per page.")
@STACK_OPTION
def list_runs(pipeline_name: str | None, page: int, size: int, stack_name: str | None) -> None:
    """List runs, newest first."""
    from zenml.metadata_stores.status import run_status

    store = _store(stack_name)
    total = store.count_runs(pipeline_name)
    if total == 0:
        what = f"pipeline '{pipeline_name}'" if pipeline_name else "any pipeline"
        declare(f"No runs of {what} in metadata store '{store.name}'.")
        return
    pages = (total + size - 1) // size
    if page > pages:
        raise click.UsageError(f"There are {pages} page(s) of runs; pass --page 1 to {pages}")
    records = store.get_runs(pipeline_name, newest_first=True, limit=size,
                             offset=(page - 1) * size)
    rows = [[r.name, r.pipeline_name, run_status(r).value, r.stack_name,
             _local_time(r.created), _duration(r.created, r.finished)] for r in records]
    caption = f"page {page} of {pages} ({total} run{'s' if total != 1 else ''})"
    if page < pages:
        caption += f"; next: --page {page + 1}"
    print_table(["RUN", "PIPELINE", "STATUS", "STACK", "STARTED", "DURATION"], rows,
                caption=caption)


#: How each status is drawn in ``--graph``: (symbol, ASCII fallback, colour).
_STATUS_STYLE = {
    "completed": ("✔", "+", "green"),
    "cached": ("◆", "=", "cyan"),
    "failed": ("✘", "x", "red"),
    "running": ("▶", ">", "yellow"),
}


def _draw_graph(run: PipelineRunView) -> None:
    """The run's steps as a tree of who read whose outputs (each step once, under its
    deepest parent; its other parents named), coloured by status."""
    from rich.console import Console
    from rich.text import Text
    from rich.tree import Tree

    from zenml.post_execution.graph import run_graph

    try:
        "✔◆✘▶└".encode(sys.stdout.encoding or "ascii")
        fancy = True
    except (UnicodeEncodeError, LookupError):
        fancy = False
    graph = run_graph(run)

    def primary(name: str) -> str | None:
        parents = graph.nodes[name].parents
        return max(parents, key=lambda p: graph.nodes[p].level) if parents else None

    def label(name: str) -> Text:
        node = graph.nodes[name]
        step = node.step
        status = step.status.value
        symbol, plain, colour = _STATUS_STYLE.get(status, ("?", "?", "white"))
        text = Text(f"{symbol if fancy else plain} ", style=colour)
        text.append(name, style="bold")
        if step.entrypoint_name and step.entrypoint_name != name:
            text.append(f" ({step.entrypoint_name})")
        text.append(f"  {status}", style=colour)
        if step.duration is not None and not step.is_cached:
            text.append(f"  {step.duration:.3f}s")
        others = [p for p in node.parents if p != primary(name)]
        if others:
            text.append(f"  also after {', '.join(others)}", style="dim")
        return text

    title = Text(f"{run.name}  {run.status.value}")
    tree = Tree(title, guide_style="dim")
    branches: dict[str, Tree] = {}
    for name in sorted(graph.nodes, key=lambda n: graph.nodes[n].level):
        parent = primary(name)
        holder = branches.get(parent, tree) if parent is not None else tree
        branches[name] = holder.add(label(name))
    width = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "200"))
    Console(width=width, soft_wrap=False, safe_box=not fancy).print(tree)


@runs.command("describe")
@click.argument("run_name", metavar="RUN")
@click.option("--graph", is_flag=True,
              help="Draw the steps as a graph (who read whose outputs) with their statuses.")
@STACK_OPTION
def describe_run(run_name: str, graph: bool, stack_name: str | None) -> None:
    """Show a run's steps: status, cached flag, duration and output URIs."""
    from zenml.post_execution.views import PipelineRunView

    store = _store(stack_name)
    run = PipelineRunView(store, store.get_run(run_name))
    if graph:
        _draw_graph(run)
        return
    declare(f"Run:       {run.name}")
    declare(f"Pipeline:  {run.pipeline_name}")
    declare(f"Status:    {run.status.value}")
    declare(f"Stack:     {run.stack_name}")
    declare(f"Started:   {_local_time(run.created)}")
    if run.finished is not None:
        declare(f"Duration:  {_duration(run.created, run.finished)}")
    if run.error:
        declare(f"Error:     {run.error}")
    rows = []
    for step in run.steps:
        outputs = "\n".join(f"{name}: {a.uri}" for name, a in step.outputs.items())
        rows.append([step.name, step.status.value, "yes" if step.is_cached else "no",
                     f"{step.duration:.3f}s" if step.duration is not None else "",
                     outputs])
    print_table(["STEP", "STATUS", "CACHED", "DURATION", "OUTPUTS"], rows)
    for step in run.steps:
        if step.error:
            declare(f"{step.name} failed: {step.error}")
        for key, value in step.extra.items():
            declare(f"{step.name} {key}: {value}")
