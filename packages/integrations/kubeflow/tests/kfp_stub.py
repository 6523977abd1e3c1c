"""A small stub of the Kubeflow Pipelines v2beta1 REST API, on 127.0.0.1 (port 0).

It answers what ``kfp.Client`` calls for a submission (healthz, experiments,
runs) and, in ``execute`` mode, runs a submitted run the way KFP would, task by
task as subprocesses on this machine (:mod:`kfp_harness`), reporting
``PENDING`` -> ``RUNNING`` -> ``SUCCEEDED``/``FAILED``. Other modes script the
states (``scripted``) or never finish (``hang``). Requests through the
Kubernetes API server's service proxy path are answered too, so a kubeconfig
pointing here stands in for a cluster.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

__all__ = ["KfpStub", "Request", "silent_server"]

_PROXY = re.compile(r"^/api/v1/namespaces/(?P<ns>[^/]+)/services/ml-pipeline:http/proxy")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Request:
    """One request the stub answered."""

    method: str
    path: str
    body: Any
    headers: dict[str, str]
    namespace: str | None = None


@dataclass
class _Run:
    data: dict[str, Any]
    script: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    results: list[Any] = field(default_factory=list)


class KfpStub:
    """The stub server; ``url`` once started."""

    def __init__(self) -> None:
        self.mode = "execute"
        self.namespace = "kubeflow"  # where "KFP is installed", for the service proxy
        self.stall: set[str] = set()  # paths answered only once the stub stops
        self._released = threading.Event()
        self.script: list[str] = ["PENDING", "RUNNING", "SUCCEEDED"]
        self.script_error = ""
        self.env: dict[str, str] = {}
        self.requests: list[Request] = []
        self.experiments: dict[str, dict[str, Any]] = {}
        self.runs: dict[str, _Run] = {}
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except json.JSONDecodeError:
                    body = raw.decode(errors="replace")
                parsed = urlparse(self.path)
                path = re.sub("/+", "/", parsed.path)
                namespace = None
                match = _PROXY.match(path)
                if match:
                    namespace = match.group("ns")
                    path = path[match.end():] or "/"
                headers = {k.lower(): v for k, v in self.headers.items()}
                stub.requests.append(Request(method, path, body, headers,
                                             namespace))
                if namespace is not None and namespace != stub.namespace:
                    self._answer(404, {"kind": "Status", "status": "Failure", "code": 404,
                                       "message": f'services "ml-pipeline" not found in '
                                                  f'namespace {namespace}'})
                    return
                if path in stub.stall:
                    stub._released.wait(60)
                status, answer = stub.route(method, path, parse_qs(parsed.query), body)
                self._answer(status, answer)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=120)

    # -- the API ------------------------------------------------------------------
    def route(self, method: str, path: str, query: dict[str, list[str]],
              body: Any) -> tuple[int, Any]:
        if path == "/apis/v2beta1/healthz" and method == "GET":
            return 200, {"multi_user": False, "pipeline_store": "stub"}
        if path == "/apis/v2beta1/experiments" and method == "GET":
            wanted = None
            if query.get("filter"):
                predicates = json.loads(query["filter"][0]).get("predicates", [])
                wanted = next((p.get("stringValue") or p.get("string_value")
                               for p in predicates if p.get("key") == "display_name"), None)
            found = [e for e in self.experiments.values()
                     if wanted is None or e["display_name"] == wanted]
            return 200, {"experiments": found, "total_size": len(found)}
        if path == "/apis/v2beta1/experiments" and method == "POST":
            experiment = {"experiment_id": str(uuid.uuid4()),
                          "display_name": body["display_name"],
                          "namespace": body.get("namespace") or "", "created_at": _now(),
                          "storage_state": "AVAILABLE"}
            self.experiments[experiment["experiment_id"]] = experiment
            return 200, experiment
        if path == "/apis/v2beta1/runs" and method == "POST":
            return 200, self._create_run(body)
        match = re.fullmatch(r"/apis/v2beta1/runs/([^/:]+)", path)
        if match and method == "GET":
            run = self.runs.get(match.group(1))
            if run is None:
                return 404, {"error": "run not found", "code": 5,
                             "message": f"run {match.group(1)} not found"}
            with self._lock:
                if run.script:
                    run.data["state"] = run.script.pop(0)
                    if run.data["state"] == "FAILED" and self.script_error:
                        run.data["error"] = {"code": 2, "message": self.script_error}
                return 200, dict(run.data)
        return 404, {"error": f"no route for {method} {path}", "code": 5,
                     "message": f"no route for {method} {path}"}

    def _create_run(self, body: dict[str, Any]) -> dict[str, Any]:
        assert body["experiment_id"] in self.experiments, body["experiment_id"]
        run_id = str(uuid.uuid4())
        data = {"run_id": run_id, "display_name": body["display_name"],
                "experiment_id": body["experiment_id"], "state": "PENDING",
                "created_at": _now(), "pipeline_spec": body.get("pipeline_spec"),
                "runtime_config": body.get("runtime_config") or {},
                "storage_state": "AVAILABLE"}
        run = _Run(data)
        self.runs[run_id] = run
        if self.mode == "scripted":
            run.script = list(self.script)
        elif self.mode == "execute":
            thread = threading.Thread(target=self._execute, args=(run,), daemon=True)
            self._threads.append(thread)
            thread.start()
        elif self.mode != "hang":  # pragma: no cover
            raise AssertionError(self.mode)
        return dict(data)

    def _execute(self, run: _Run) -> None:
        from kfp_harness import execute_pipeline

        with self._lock:
            run.data["state"] = "RUNNING"
        parameters = (run.data["runtime_config"] or {}).get("parameters") or {}
        try:
            results = execute_pipeline(run.data["pipeline_spec"], run_id=run.data["run_id"],
                                       run_name=run.data["display_name"], env=self.env,
                                       arguments={k: str(v) for k, v in parameters.items()})
        except Exception as error:  # report, as KFP would
            results = []
            failure = f"{type(error).__name__}: {error}"
        else:
            bad = [r for r in results if r.returncode not in (0, None)]
            failure = (f"task {bad[0].task} exited {bad[0].returncode}" if bad else "")
        with self._lock:
            run.results = results
            run.data["state"] = "FAILED" if failure else "SUCCEEDED"
            run.data["finished_at"] = _now()
            if failure:
                run.data["error"] = {"code": 2, "message": failure}
        run.done.set()

    def submitted(self) -> list[dict[str, Any]]:
        """The bodies of the runs created so far."""
        return [r.body for r in self.requests
                if r.method == "POST" and r.path == "/apis/v2beta1/runs"]


@contextmanager
def silent_server() -> Iterator[str]:
    """A TCP endpoint that accepts connections and never answers (a hung server)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()
