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

The ``kubernetes`` platform spec (the YAML's second document, or the
``platform_spec`` of a KFP run request) is honoured for what the zenml compiler
writes, ``secretAsEnv``: each variable is read from the Secret of the Kubernetes
API the kubeconfig (``$KUBECONFIG``) points at, in ``namespace`` (the pods'
namespace; default: the context's), as the kubelet would; a missing Secret or key
(unless ``optional``) keeps the task from starting (returncode None, the reason in
``stderr``). Any other platform setting is an error here.
"""

from __future__ import annotations

import base64
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

__all__ = ["TaskResult", "execute_pipeline", "load_documents", "load_pipeline_spec",
           "secret_env_of", "task_command", "task_order"]

_INPUT = re.compile(r"\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}")
_JOB_PLACEHOLDERS = ("{{$.pipeline_job_uuid}}", "{{$.pipeline_job_name}}")


def load_documents(source: Path | str | dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The pipeline spec and the platform spec (empty without one) of a compiled pipeline:
    a YAML file (one or two documents), or a KFP run request's ``pipeline_spec``."""
    if isinstance(source, dict):
        if "pipeline_spec" in source and "root" not in source:  # {pipeline_spec, platform_spec}
            return source["pipeline_spec"], source.get("platform_spec") or {}
        return source, {}
    documents = [d for d in yaml.safe_load_all(Path(source).read_text(encoding="utf-8")) if d]
    assert 1 <= len(documents) <= 2, f"{len(documents)} YAML documents"
    return documents[0], (documents[1] if len(documents) == 2 else {})


def load_pipeline_spec(source: Path | str | dict[str, Any]) -> pipeline_spec_pb2.PipelineSpec:
    """Parse a compiled pipeline strictly (unknown fields raise ParseError)."""
    data, platform = load_documents(source)
    if platform:  # strict too, as KFP reads it
        json_format.ParseDict(platform, pipeline_spec_pb2.PlatformSpec(),
                              ignore_unknown_fields=False)
    spec = pipeline_spec_pb2.PipelineSpec()
    json_format.ParseDict(data, spec, ignore_unknown_fields=False)
    return spec


def secret_env_of(platform: dict[str, Any], executor: str) -> list[dict[str, Any]]:
    """The ``secretAsEnv`` entries of one executor (only those may be set)."""
    executors = (((platform.get("platforms") or {}).get("kubernetes") or {})
                 .get("deploymentSpec") or {}).get("executors") or {}
    config = dict(executors.get(executor) or {})
    entries = list(config.pop("secretAsEnv", []))
    assert not config, f"executor {executor}: platform settings the harness ignores: {config}"
    return entries


def _secret_values(entries: list[dict[str, Any]], namespace: str | None) -> dict[str, str]:
    """The variables of ``secretAsEnv`` entries, read as the kubelet reads them."""
    from kubernetes import client, config
    from kubernetes.client.exceptions import ApiException

    if not entries:
        return {}
    kubeconfig = os.environ.get("KUBECONFIG")
    api = client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))
    if namespace is None:
        _, active = config.list_kube_config_contexts(config_file=kubeconfig)
        namespace = (active.get("context") or {}).get("namespace") or "default"
    env: dict[str, str] = {}
    for entry in entries:
        name = entry["secretName"]
        parameter = entry.get("secretNameParameter")
        if parameter is not None:
            assert parameter == {"runtimeValue": {"constant": name}}, parameter
        optional = bool(entry.get("optional", False))
        try:
            data = api.read_namespaced_secret(name, namespace).data or {}
        except ApiException as error:
            if error.status == 404 and optional:
                continue
            raise LookupError(f'secret "{name}" not found in namespace {namespace}') from None
        for item in entry["keyToEnv"]:
            if item["secretKey"] not in data:
                if optional:
                    continue
                raise LookupError(f"couldn't find key {item['secretKey']} in Secret "
                                  f"{namespace}/{name}")
            env[item["envVar"]] = base64.b64decode(data[item["secretKey"]]).decode("utf-8")
    return env


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
                     timeout: float = 120, namespace: str | None = None) -> list[TaskResult]:
    """Run every task as a subprocess in dependency order; skip dependants of failures.

    ``namespace``: where the pods run (their ``secretAsEnv`` Secrets are read there).
    """
    if isinstance(source, pipeline_spec_pb2.PipelineSpec):
        spec, platform = source, {}
    else:
        spec, platform = load_pipeline_spec(source), load_documents(source)[1]
    executors = {name: spec.components[task.component_ref.name].executor_label
                 for name, task in spec.root.dag.tasks.items()}
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
        try:  # the kubelet: CreateContainerConfigError, the container never starts
            secret_env = _secret_values(secret_env_of(platform, executors[name]), namespace)
        except LookupError as error:
            failed.add(name)
            results.append(TaskResult(name, None, f"CreateContainerConfigError: {error}", argv))
            continue
        done = subprocess.run(argv, env={**os.environ, **(env or {}), **task_env, **secret_env},
                              cwd=cwd, capture_output=True, text=True, timeout=timeout)
        results.append(TaskResult(name, done.returncode, done.stderr, argv))
        if done.returncode != 0:
            failed.add(name)
    return results
