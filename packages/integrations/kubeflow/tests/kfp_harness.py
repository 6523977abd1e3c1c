"""Run a compiled KFP v2 pipeline on this machine, task by task, as KFP would (image aside).

The YAML is parsed strictly into kfp's ``PipelineSpec`` protobuf (unknown
fields are errors). For each task, in dependency order, the container's
command and arguments come from its executor; input parameters are resolved
the way the KFP driver does (a task's constants, with the run-level
placeholders ``{{$.pipeline_job_uuid}}`` / ``{{$.pipeline_job_name}}``
replaced when they are the whole value, or the pipeline's input parameters)
and substituted into ``{{$.inputs.parameters['x']}}``. The container's
``python`` (``python -m ...``, also where a shell ``exec``s it) is this
interpreter; its environment variables are set. As on KFP, a failed task stops
every task that depends on it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import json_format
from kfp.pipeline_spec import pipeline_spec_pb2

__all__ = ["TaskResult", "execute_pipeline", "load_pipeline_spec", "task_command",
           "task_order"]

_INPUT = re.compile(r"\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}")
_JOB_PLACEHOLDERS = ("{{$.pipeline_job_uuid}}", "{{$.pipeline_job_name}}")


def load_pipeline_spec(source: Path | str | dict[str, Any]) -> pipeline_spec_pb2.PipelineSpec:
    """Parse a compiled pipeline strictly (unknown fields raise ParseError)."""
    if isinstance(source, dict):
        data = source
    else:
        data = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    spec = pipeline_spec_pb2.PipelineSpec()
    json_format.ParseDict(data, spec, ignore_unknown_fields=False)
    return spec


def task_order(spec: pipeline_spec_pb2.PipelineSpec) -> list[str]:
    """The root DAG's tasks, each after the tasks it depends on (ties by name)."""
    tasks = spec.root.dag.tasks
    done: list[str] = []
    while len(done) < len(tasks):
        ready = sorted(name for name, task in tasks.items()
                       if name not in done and set(task.dependent_tasks) <= set(done))
        assert ready, f"cycle among tasks {sorted(set(tasks) - set(done))}"
        done.extend(ready)
    return done


def _value(value: Any) -> str:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return str(value.string_value)
    return json_format.MessageToJson(value)


def _resolve(spec: pipeline_spec_pb2.PipelineSpec, task_name: str, job: dict[str, str],
             arguments: dict[str, str]) -> dict[str, str]:
    task = spec.root.dag.tasks[task_name]
    pipeline_inputs = spec.root.input_definitions.parameters
    resolved: dict[str, str] = {}
    for name, param in task.inputs.parameters.items():
        kind = param.WhichOneof("kind")
        if kind == "runtime_value":
            value = _value(param.runtime_value.constant)
            resolved[name] = job.get(value, value)  # the driver: exact match only
        elif kind == "component_input_parameter":
            source = param.component_input_parameter
            if source in arguments:
                resolved[name] = arguments[source]
            else:
                assert pipeline_inputs[source].HasField("default_value"), source
                resolved[name] = _value(pipeline_inputs[source].default_value)
        else:  # pragma: no cover - not produced by the zenml compiler
            raise AssertionError(f"task {task_name}: unsupported input kind {kind}")
    return resolved


def task_command(spec: pipeline_spec_pb2.PipelineSpec, task_name: str, *, run_id: str,
                 run_name: str, arguments: dict[str, str] | None = None
                 ) -> tuple[list[str], dict[str, str], dict[str, Any]]:
    """A task's argv (``python`` as this interpreter), environment and container spec."""
    task = spec.root.dag.tasks[task_name]
    component = spec.components[task.component_ref.name]
    executors = json_format.MessageToDict(spec.deployment_spec)["executors"]
    container: dict[str, Any] = executors[component.executor_label]["container"]
    job = {"{{$.pipeline_job_uuid}}": run_id, "{{$.pipeline_job_name}}": run_name}
    values = _resolve(spec, task_name, job, arguments or {})

    def substitute(text: str) -> str:
        return _INPUT.sub(lambda m: values[m.group(1)], text)

    argv = [substitute(part) for part in [*container.get("command", []),
                                          *container.get("args", [])]]
    leftovers = [part for part in argv if "{{$" in part and not part.startswith("{")]
    assert not leftovers, f"unresolved placeholders in task {task_name}: {leftovers}"
    # the container's python is this interpreter: the command's, or the one a shell execs
    argv = [sys.executable if part in ("python", "python3") and argv[i + 1:i + 2] == ["-m"]
            else part for i, part in enumerate(argv)]
    env = {item["name"]: item.get("value", "") for item in container.get("env", [])}
    return argv, env, container


@dataclass
class TaskResult:
    """One task's outcome (``returncode`` None: not run, an upstream task failed)."""

    task: str
    returncode: int | None
    stderr: str = ""
    argv: list[str] = field(default_factory=list)


def execute_pipeline(source: Path | str | dict[str, Any] | pipeline_spec_pb2.PipelineSpec, *,
                     run_id: str, run_name: str, env: dict[str, str] | None = None,
                     cwd: Path | None = None, arguments: dict[str, str] | None = None,
                     timeout: float = 120) -> list[TaskResult]:
    """Run every task as a subprocess in dependency order; skip dependants of failures."""
    spec = (source if isinstance(source, pipeline_spec_pb2.PipelineSpec)
            else load_pipeline_spec(source))
    failed: set[str] = set()
    results = []
    for name in task_order(spec):
        task = spec.root.dag.tasks[name]
        if set(task.dependent_tasks) & failed:
            failed.add(name)
            results.append(TaskResult(name, None))
            continue
        argv, task_env, _ = task_command(spec, name, run_id=run_id, run_name=run_name,
                                         arguments=arguments)
        done = subprocess.run(argv, env={**os.environ, **(env or {}), **task_env}, cwd=cwd,
                              capture_output=True, text=True, timeout=timeout)
        results.append(TaskResult(name, done.returncode, done.stderr, argv))
        if done.returncode != 0:
            failed.add(name)
    return results
