"""Issue 18's side-by-side benchmark: every ratio against its target, measured in one run.

Each figure is a ratio of whole-process wall times (or peak RSS) measured in
this same run against a baseline: Kedro 1.7.0 (pinned, installed once into
its own venv under ``$XDG_CACHE_HOME/zenml-bench``), plain numpy, plain
imports of the CLI's libraries, plain s3fs, or zenml itself on a smaller
store. Medians of ``--runs`` runs after a warm-up; the commands of a part
alternate within each round, so the machine's noise spreads over all alike.
Prints every ratio with its target and ``ok`` / ``OVER``, a summary table at
the end, and exits 1 when any ratio is OVER (a part that cannot run counts
as OVER).

    python bench/bench_side_by_side.py [--only PART[,PART]] [--runs N] [--big]
                                       [--clock wall|cpu] [--stat median|best]

Parts: step-overhead, run-fixed-cost, cli, handoff, handoff-1gb (only with
``--big`` or ``--only``), parallel, scale, mysql, s3.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from side_by_side import goals_cli, goals_run
from side_by_side.context import Bench
from side_by_side.timing import CLOCK, BenchError, Verdict

Part = Callable[[Bench], list[Verdict]]


def _later(goal: str, name: str) -> Part:
    def part(bench: Bench) -> list[Verdict]:
        raise BenchError(f"part {name} (goal {goal}) is not written yet")

    return part


PARTS: dict[str, tuple[str, Part]] = {
    "step-overhead": ("1", goals_run.step_overhead),
    "run-fixed-cost": ("2", goals_run.run_fixed_cost),
    "cli": ("2", goals_cli.cli),
    "handoff": ("3", goals_run.handoff),
    "handoff-1gb": ("3", goals_run.handoff_big),
}
OPTIONAL = {"handoff-1gb"}  # with --big or --only


def _load_later_parts() -> None:
    """Goals 4-6 live in their own modules; a missing one is reported, not hidden."""
    try:
        from side_by_side import goals_more
    except ImportError:
        for name, goal in (("parallel", "4"), ("scale", "5"), ("mysql", "5"), ("s3", "6")):
            PARTS[name] = (goal, _later(goal, name))
        return
    PARTS.update(goals_more.PARTS)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    _load_later_parts()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None,
                        help=f"comma-separated parts: {', '.join(PARTS)}")
    parser.add_argument("runs_positional", nargs="?", type=int, default=None, metavar="RUNS",
                        help="as --runs (the other bench scripts' convention: "
                             "'nox -s bench -- 3')")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (median)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="ratios of wall time (the goals) or of CPU time (user + system: "
                             "steadier on a busy machine, but blind to waits on the disk; "
                             "not for I/O, server or parallel figures)")
    parser.add_argument("--stat", choices=["median", "best"], default="median",
                        help="each command's figure: the median (the goals) or the best run "
                             "(least disturbed by other jobs on a busy machine)")
    parser.add_argument("--big", action="store_true", help="also the 1 GB hand-off")
    parser.add_argument("--dir", type=Path, default=None,
                        help="scratch folder on the disk to measure (default: a temp folder)")
    args = parser.parse_args(argv)
    if args.runs_positional is not None:
        args.runs = args.runs_positional
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in PARTS]
        if unknown:
            parser.exit(1, f"unknown part {', '.join(unknown)}: choose from "
                           f"{', '.join(PARTS)}\n")
        args.parts = names
    else:
        args.parts = [n for n in PARTS if n not in OPTIONAL or (args.big and n == "handoff-1gb")]
    if args.runs < 1:
        parser.exit(1, "--runs must be at least 1\n")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    CLOCK["name"] = args.clock
    CLOCK["stat"] = args.stat
    verdicts: list[Verdict] = []
    print(f"side-by-side benchmark (issue 18): {', '.join(args.parts)}; {args.runs} runs of each "
          f"after a warm-up; {args.stat} of {args.clock} time; python {sys.version.split()[0]} "
          f"at {sys.executable}")
    with tempfile.TemporaryDirectory(prefix="zb-", dir=args.dir) as scratch:
        bench = Bench(runs=args.runs, scratch=Path(scratch), big=args.big)
        for name in args.parts:
            goal, part = PARTS[name]
            print(f"\n== {name} (goal {goal})", flush=True)
            start = time.perf_counter()
            try:
                found = part(bench)
            except Exception as error:  # one part's failure must not hide the others' figures
                if not isinstance(error, BenchError):
                    traceback.print_exc()
                print(f"  could not measure: {error}")
                found = [Verdict(goal, name, "not available", "-", None, 0.0, note=str(error)
                                 .splitlines()[0][:120])]
            for verdict in found:
                print(f"  {verdict.line()}")
            print(f"  ({time.perf_counter() - start:.0f} s)", flush=True)
            verdicts += found
    print("\n== summary")
    width = max(len(v.name) for v in verdicts)
    for v in verdicts:
        ratio = "n/a" if v.ratio is None else f"{v.ratio:.2f}x"
        print(f"  {v.goal:>2}  {v.name:<{width}}  {ratio:>7}  target {v.target_text:<8}  "
              f"{'ok' if v.ok else 'OVER'}")
    over = [v for v in verdicts if not v.ok]
    print(f"{len(verdicts) - len(over)} ok, {len(over)} OVER")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
