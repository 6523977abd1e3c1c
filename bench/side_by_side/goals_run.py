"""Goals 1-3 of a run: per-step overhead, a run's fixed cost, big numpy hand-offs."""

from __future__ import annotations

import shutil

from side_by_side import scripts
from side_by_side.context import Bench, base_env
from side_by_side.timing import BenchError, Command, Verdict, extra, ms, run_once

SHORT, LONG = 10, 50
HANDOFF_BYTES = 100 * 2**20  # 100 MB of float64
BIG_BYTES = 10**9  # 1 GB of float64
BIG_RSS_LIMIT = 1.5e9


def _kedro_command(bench: Bench, length: int) -> Command:
    folder = bench.scratch / "kedro"
    folder.mkdir(exist_ok=True, mode=0o700)
    script = folder / f"kedro_chain_{length}.py"
    script.write_text(scripts.kedro_chain(length))
    python = bench.kedro()
    check_output([str(python), str(script), "check"], str(length - 1))
    return Command(f"kedro {length}-node chain (in memory)", [str(python), str(script)],
                   base_env(), folder)


def check_output(argv: list[str], expected: str, env: dict[str, str] | None = None) -> None:
    """Run a script once with ``check`` (the warm-up too); it must print its result."""
    _, out = run_once(argv, env=env or base_env(), capture=True)
    if f"result {expected}" not in out:
        raise BenchError(f"{argv[1]} printed {out.strip()[-200:]!r}, not 'result {expected}'")


def zenml_chain_command(bench: Bench, length: int) -> Command:
    """The shared workspace's ``length``-step chain (checked once)."""
    workspace = bench.shared()
    script = workspace.script(f"chain_{length}.py", scripts.zenml_chain(length))
    workspace.check(script, str(length - 1))
    return workspace.command(f"zenml {length}-step chain (cache off)", script)


def step_overhead(bench: Bench) -> list[Verdict]:
    """Goal 1: (t50 - t10) / 40 of zenml against Kedro's, whole processes."""
    print(f"Per-step overhead: (t{LONG} - t{SHORT}) / {LONG - SHORT} of whole processes (the "
          "median of each round's difference). zenml: "
          "default stack, fresh config, distinct step names, enable_cache=False (with the "
          "cache on, every run after the first would be all cached); every step run, "
          "artifact and lineage record persisted. Kedro: SequentialRunner, MemoryDataset, "
          "nothing persisted. Both log their progress as by default (to /dev/null).")
    commands = [zenml_chain_command(bench, SHORT), zenml_chain_command(bench, LONG),
                _kedro_command(bench, SHORT), _kedro_command(bench, LONG)]
    series = bench.measure(commands)
    z_short, z_long, k_short, k_long = (series[c.label] for c in commands)
    zenml = extra(z_short, z_long) / (LONG - SHORT)
    kedro = extra(k_short, k_long) / (LONG - SHORT)
    noise = zenml <= 0 or kedro <= 0
    return [Verdict("1", "per-step overhead", f"zenml {ms(zenml)}", f"kedro {ms(kedro)}",
                    None if noise else zenml / kedro, 0.5,
                    note="a slope is not positive: too noisy, rerun with more --runs"
                    if noise else "")]


#: The libraries every zenml run needs before any of its own work: SQLAlchemy with the
#: default stack's sqlite dialect, and pydantic with one model built (the first model's
#: schema machinery is loaded then).
RUN_LIBRARIES = ("import sqlalchemy, sqlalchemy.dialects.sqlite\n"
                 "from pydantic import BaseModel\n"
                 "class Config(BaseModel):\n    value: int = 0\n"
                 "Config(value=1)")


def run_fixed_cost(bench: Bench) -> list[Verdict]:
    """Goal 2 (runs): a 2-step zenml pipeline against Kedro's 10-node one, whole processes."""
    print("Fixed cost of a run: a 2-step zenml pipeline (cache off) vs a 10-node Kedro "
          "pipeline, whole processes.")
    workspace = bench.shared()
    floor = Command("import sqlalchemy + its sqlite dialect, one pydantic model",
                    [str(workspace.python), "-c", RUN_LIBRARIES], workspace.env, workspace.repo)
    commands = [zenml_chain_command(bench, 2), _kedro_command(bench, SHORT), floor]
    series = bench.measure(commands)
    zenml, kedro, libraries = (series[c.label].seconds for c in commands)
    print(f"  (no target) what zenml's libraries alone cost a run (one SQL layer, pydantic "
          f"configs): {ms(libraries)} = {libraries / kedro:.2f}x Kedro's whole 10-node run; "
          f"zenml's own share of its 2-step run: {ms(zenml - libraries)}")
    return [Verdict("2", "2-step run, whole process", f"zenml {ms(zenml)}",
                    f"kedro 10 nodes {ms(kedro)}", zenml / kedro, 1.0)]


def _handoff_commands(bench: Bench, elements: int, name: str) -> tuple[Command, Command]:
    """The zenml pipeline and the numpy baseline for ``elements`` float64s."""
    workspace = bench.shared() if elements < 1000 else bench.workspace(name)
    script = workspace.script(f"handoff_{elements}.py", scripts.zenml_handoff(elements))
    workspace.check(script, f"{elements - 1}.0")

    def clean() -> None:  # cache is off: nothing reads an earlier run's artifacts
        for root in workspace.artifact_roots():
            for folder in root.glob(f"handoff_{elements}"):
                shutil.rmtree(folder)

    clean()
    folder = bench.scratch / "numpy"
    folder.mkdir(exist_ok=True, mode=0o700)
    baseline = folder / f"numpy_{elements}.py"
    array_file = folder / f"array_{elements}.npy"
    baseline.write_text(scripts.numpy_handoff(elements, array_file))
    check_output([str(bench.python), str(baseline), "check"], f"{elements - 1}.0")
    size = ("1 GB" if elements * 8 == BIG_BYTES else f"{elements * 8 / 2**20:,.0f} MB"
            if elements > 1000 else f"{elements} elements")
    return (workspace.command(f"zenml hand-off, {size}", script, before=clean),
            # the earlier run's file is deleted untimed, as zenml's earlier artifacts are:
            # overwriting it would free its blocks inside numpy's timing
            Command(f"np.save + np.load, {size}", [str(bench.python), str(baseline)],
                    base_env(), folder, before=lambda: array_file.unlink(missing_ok=True)))


def handoff(bench: Bench) -> list[Verdict]:
    """Goal 3: 100 MB between two steps beyond the 10-element pipeline, vs numpy's own."""
    print("Big artifacts: a 100 MB float64 array from one step to the next (cache off), "
          "beyond the same pipeline with 10 elements, vs one script doing np.save + np.load "
          "of the same array beyond its 10-element version; os.sync() before each run, "
          "artifacts and arrays of earlier runs deleted (untimed).")
    elements = HANDOFF_BYTES // 8
    z_small, n_small = _handoff_commands(bench, 10, "handoff")
    z_big, n_big = _handoff_commands(bench, elements, "handoff")
    series = bench.measure([z_small, z_big, n_small, n_big], sync=True)
    zs, zb, ns, nb = (series[c.label] for c in (z_small, z_big, n_small, n_big))
    z_extra = extra(zs, zb)
    n_extra = extra(ns, nb)
    z_rss = zb.max_rss - zs.max_rss
    n_rss = nb.max_rss - ns.max_rss
    return [
        Verdict("3", "100 MB hand-off beyond fixed costs", f"zenml {ms(z_extra)}",
                f"numpy {ms(n_extra)}", z_extra / n_extra if n_extra > 0 else None, 1.3),
        Verdict("3", "100 MB hand-off peak RSS beyond the small run's",
                f"zenml {z_rss / 2**20:.0f} MB", "the array 100 MB", z_rss / HANDOFF_BYTES, 1.2,
                note=f"numpy script: {n_rss / 2**20:.0f} MB"),
    ]


def handoff_big(bench: Bench) -> list[Verdict]:
    """Goal 3 (``--big``): a 1 GB array between two steps with peak RSS under 1.5 GB."""
    print("Big artifacts: a 1 GB float64 array from one step to the next; peak RSS of the "
          "whole process against 1.5 GB (and its time against np.save + np.load's).")
    z_big, n_big = _handoff_commands(bench, BIG_BYTES // 8, "handoff-1gb")
    series = bench.measure([z_big, n_big], sync=True, warmup=0, runs=min(bench.runs, 3))
    zb, nb = series[z_big.label], series[n_big.label]
    return [Verdict("3", "1 GB hand-off peak RSS", f"zenml {zb.max_rss / 1e9:.2f} GB",
                    "1.5 GB", zb.max_rss / BIG_RSS_LIMIT, 1.0, at_most=False,
                    note=f"time {ms(zb.seconds)} vs numpy {ms(nb.seconds)}, "
                         f"numpy peak {nb.max_rss / 1e9:.2f} GB")]
