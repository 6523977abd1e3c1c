"""The dashboard with 10,000 runs: server time of its pages, a 200-step graph in Chromium, RSS.

Targets (issue 17): with 10,000 runs in the default stack's sqlite metadata store
(written straight into its tables, as ``bench_runs_list.py`` does) plus one run of
a 200-step pipeline,

- server time of ``/api/v1/runs`` and of the runs page, on the first page, a late
  page, a pipeline filter and a status filter, and of the 200-step run's page and
  API answer: under 200 ms each (median of N requests to the ASGI app in process,
  through Starlette's TestClient). Baseline, same run: the same requests on a
  10-run store, printed beside each figure;
- the 200-step run's page in headless Chromium, from navigation to the graph's
  200 nodes drawn (dagre layout included): under 1 s (median of N page loads,
  served by the real ``zenml dashboard``). Baseline: a 4-step run's page;
- the ``zenml dashboard`` process's RSS after all those requests: under 150 MB.
  Baseline: its RSS right after it started.

Exits 1 on a miss. Needs the dashboard, Playwright and /usr/bin/chromium.

    python bench/bench_dashboard.py [N]
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench_runs_list import STEPS, record_runs
from cli_timing import report

SERVER_TARGET = 0.2
GRAPH_TARGET = 1.0
RSS_TARGET_MB = 150
RUNS = 10_000
BASELINE_RUNS = 10
WIDE_STEPS = 200
WIDE_RUN = "wide-200"
CHROMIUM = "/usr/bin/chromium"
#: (label, path): what the server-time figures request.
REQUESTS = [
    ("/api/v1/runs", "/api/v1/runs"),
    ("runs page", "/"),
    ("/api/v1/runs?page=400", "/api/v1/runs?page=400"),
    ("runs page, page 400", "/?page=400"),
    ("/api/v1/runs?pipeline=training", "/api/v1/runs?pipeline=training"),
    ("runs page, pipeline=training", "/?pipeline=training"),
    ("/api/v1/runs?status=failed", "/api/v1/runs?status=failed"),
    ("runs page, status=failed", "/?status=failed"),
    (f"/api/v1/runs/{WIDE_RUN} (200 steps)", f"/api/v1/runs/{WIDE_RUN}"),
    (f"run page {WIDE_RUN} (200 steps)", f"/runs/{WIDE_RUN}"),
]


def record_wide_run(store: Any, artifact_root: str, steps: int = WIDE_STEPS) -> None:
    """One finished run of a ``steps``-step pipeline: layers, each step reading 1-3 outputs
    of the layer before (some steps cached)."""
    from zenml.metadata_stores import schema

    rng = random.Random(1)
    widths = [1, 4, 10, 20, 25, 30, 30, 30, 25, 15, 6, 3, 1]
    assert sum(widths) == steps
    created = datetime(2027, 1, 1)
    pipeline_id, run_id = str(uuid.uuid4()), str(uuid.uuid4())
    rows: dict[str, list[dict[str, Any]]] = {"step_runs": [], "artifacts": [], "outputs": [],
                                             "inputs": []}
    clock = created
    previous: list[str] = []
    index = 0
    for width in widths:
        layer = []
        for _ in range(width):
            name = f"step_{index:03d}"
            index += 1
            step_run_id, artifact_id = str(uuid.uuid4()), str(uuid.uuid4())
            cached = rng.random() < 0.15
            finished = clock + timedelta(seconds=0 if cached else rng.uniform(0.05, 4))
            rows["step_runs"].append({
                "id": step_run_id, "run_id": run_id, "name": name, "entrypoint_name": name,
                "source": f"wide_steps:{name}", "status": "cached" if cached else "completed",
                "is_cached": cached, "cache_key": uuid.uuid4().hex, "original_step_run_id": None,
                "parameters": "{}", "extra": "{}", "started": clock, "finished": finished,
                "error": None})
            for position, source in enumerate(rng.sample(previous, min(len(previous),
                                                                       rng.randint(1, 3)))):
                rows["inputs"].append({"step_run_id": step_run_id, "name": f"in{position}",
                                       "artifact_id": source})
            rows["artifacts"].append({
                "id": artifact_id, "name": "output", "data_type": "builtins:int",
                "uri": f"{artifact_root}/wide/{WIDE_RUN}/{name}/output",
                "materializer": "zenml.materializers.builtin:BuiltInMaterializer",
                "content_hash": uuid.uuid4().hex, "producer_step_run_id": step_run_id,
                "created": finished})
            rows["outputs"].append({"step_run_id": step_run_id, "name": "output",
                                    "artifact_id": artifact_id})
            layer.append(artifact_id)
        previous = layer
        clock += timedelta(seconds=2)
    with store.engine.begin() as connection:
        connection.execute(schema.pipelines.insert(), [{"id": pipeline_id, "name": "wide",
                                                        "created": created}])
        connection.execute(schema.pipeline_runs.insert(), [{
            "id": run_id, "name": WIDE_RUN, "pipeline_id": pipeline_id, "status": "completed",
            "enable_cache": True, "stack_name": "default", "num_steps": steps,
            "host": "bench-host", "pid": 1, "created": created, "finished": clock,
            "error": None}])
        for table, key in ((schema.step_runs, "step_runs"), (schema.artifacts, "artifacts"),
                           (schema.step_outputs, "outputs"), (schema.step_inputs, "inputs")):
            connection.execute(table.insert(), rows[key])


# -- phases run in a subprocess, each with its own ZENML_CONFIG_PATH --------------------


def seed(count: int) -> dict[str, Any]:
    """Record ``count`` runs and the 200-step run in the active stack's store."""
    from zenml.repository import Repository

    stack = Repository().active_stack
    store = stack.metadata_store
    start = time.perf_counter()
    record_runs(store, stack.artifact_store.path, count)
    record_wide_run(store, stack.artifact_store.path)
    seconds = time.perf_counter() - start
    assert store.count_runs() == count + 1
    small = next(r.name for r in store.get_runs(newest_first=True, limit=5)
                 if r.name != WIDE_RUN)
    store.dispose()
    return {"seconds": seconds, "small_run": small}


def serve_in_process(rounds: int) -> dict[str, list[float]]:
    """Seconds per request of each of :data:`REQUESTS`, to the ASGI app in this process."""
    from starlette.testclient import TestClient
    from zenml_dashboard.app import create_app

    times: dict[str, list[float]] = {}
    with TestClient(create_app()) as client:
        for label, path in REQUESTS:
            answer = client.get(path)  # warm-up: database pages, templates
            assert answer.status_code == 200, (path, answer.status_code)
            times[label] = []
            for _ in range(rounds):
                start = time.perf_counter()
                answer = client.get(path)
                times[label].append(time.perf_counter() - start)
                assert answer.status_code == 200
    return times


# -- the driver -------------------------------------------------------------------------------


def phase(config: Path, *args: str) -> Any:
    """Run this script's ``args`` phase with ``config`` as zenml's config; its JSON answer."""
    env = {**os.environ, "ZENML_CONFIG_PATH": str(config)}
    done = subprocess.run([sys.executable, __file__, *args], env=env, cwd=config.parent,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench_dashboard: phase {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rss_mb(pid: int) -> float:
    """The resident set size of process ``pid``, in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(config: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``zenml dashboard`` on ``config``'s store, on a free port, answering."""
    port = free_port()
    zenml = str(Path(sys.executable).with_name("zenml"))
    env = {**os.environ, "ZENML_CONFIG_PATH": str(config)}
    server = subprocess.Popen([zenml, "dashboard", "--port", str(port), "--no-open"],
                              env=env, cwd=config.parent, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            raise SystemExit(f"bench_dashboard: zenml dashboard exited {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/v1/stacks", timeout=2):
                return server, url
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                server.wait()
                raise SystemExit("bench_dashboard: zenml dashboard did not answer in 60 s") \
                    from None
            time.sleep(0.1)


def graph_times(url: str, run: str, nodes: int,
                rounds: int) -> tuple[list[float], list[float]]:
    """Seconds from navigation to ``nodes`` nodes drawn on ``run``'s page (headless Chromium),
    and the seconds dagre's layout took in each (dag.js records it on the graph's box)."""
    from playwright.sync_api import sync_playwright

    times, layouts = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        script = f"() => document.querySelectorAll('svg.dag g.node').length === {nodes}"
        for round_ in range(rounds + 1):
            start = time.perf_counter()
            page.goto(f"{url}/runs/{run}", wait_until="commit")
            page.wait_for_function(script, polling="raf", timeout=30_000)
            if round_:  # the first load warms the server and the browser's cache
                times.append(time.perf_counter() - start)
                layout = page.locator(".dag-graph").get_attribute("data-layout-ms")
                layouts.append(float(layout or "nan") / 1000)
        browser.close()
    return times, layouts


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    if not Path(CHROMIUM).exists():
        print(f"bench_dashboard: {CHROMIUM} is missing (apt-get install chromium)",
              file=sys.stderr)
        return 1
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("bench_dashboard: playwright is missing (pip install playwright)", file=sys.stderr)
        return 1
    missed = False
    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder, "big", "config"), Path(folder, "small", "config")
        for config in (big, small):
            config.parent.mkdir(mode=0o700)
        seeded = phase(big, "--seed", str(RUNS))
        phase(small, "--seed", str(BASELINE_RUNS))
        print(f"recorded {RUNS:,} runs + one {WIDE_STEPS}-step run in {seeded['seconds']:.1f} s; "
              f"requests per figure: {rounds}; baseline: a {BASELINE_RUNS}-run store")

        print("server time, ASGI app in process (Starlette TestClient):")
        measured = phase(big, "--serve", str(rounds))
        baseline = phase(small, "--serve", str(rounds))
        for label, _ in REQUESTS:
            missed |= report(label, measured[label], SERVER_TARGET, 46, baseline[label])

        server, url = start_server(big)
        try:
            started_rss = rss_mb(server.pid)
            print("in headless Chromium, served by zenml dashboard (navigation -> graph drawn):")
            small_times, small_layouts = graph_times(url, seeded["small_run"], len(STEPS), rounds)
            wide_times, wide_layouts = graph_times(url, WIDE_RUN, WIDE_STEPS, rounds)
            missed |= report(f"run page, {WIDE_STEPS}-step graph drawn", wide_times,
                             GRAPH_TARGET, 46, small_times)
            report("  of which dagre's layout", wide_layouts, None, 46, small_layouts)
            for _ in range(3):  # every measured request against the real server too
                for _, path in REQUESTS:
                    with urllib.request.urlopen(url + path, timeout=60) as answer:
                        answer.read()
            rss = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(10)
        over = rss >= RSS_TARGET_MB
        missed |= over
        print(f"{'zenml dashboard RSS after the requests':<46} {rss:7.1f} MB"
              f"  | right after start {started_rss:.1f} MB  target {RSS_TARGET_MB} MB  "
              f"{'OVER' if over else 'ok'}")
    return 1 if missed else 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--seed":
        print(json.dumps(seed(int(sys.argv[2]))))
    elif len(sys.argv) > 2 and sys.argv[1] == "--serve":
        print(json.dumps(serve_in_process(int(sys.argv[2]))))
    else:
        sys.exit(main())
