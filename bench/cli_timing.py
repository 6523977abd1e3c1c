"""Shared by the CLI benchmarks: time whole processes, side by side with a baseline.

A command and its baseline (e.g. ``python -c "import click"``) run in turns,
the order swapped every round, so that load from elsewhere on the machine
falls on both; the figure is the median of the per-round ratios of wall time.
CPU time (user + system of the child) is printed beside it: it is less
sensitive to other processes and says whether a wall-time miss is noise.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence

__all__ = ["Comparison", "compare", "python_floor", "report", "run_once", "time_zenml", "verdict"]


def run_once(argv: Sequence[str], env: Mapping[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv``; a failing command stops the benchmark."""
    start = time.perf_counter()
    process = subprocess.Popen(list(argv), env=dict(env), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        failed = subprocess.run(list(argv), env=dict(env), capture_output=True, text=True)
        sys.exit(f"{' '.join(argv)} failed ({process.returncode}): {failed.stderr.strip()}")
    return wall, usage.ru_utime + usage.ru_stime


def time_zenml(zenml: str, args: Sequence[str], env: Mapping[str, str], runs: int) -> list[float]:
    """Wall times, in seconds, of ``runs`` runs of ``zenml ARGS``."""
    return [run_once([zenml, *args], env)[0] for _ in range(runs)]


class Comparison:
    """A command timed in turns with its baseline: medians and the median ratio."""

    def __init__(self, walls: list[tuple[float, float]], cpus: list[tuple[float, float]]) -> None:
        self.walls, self.cpus = walls, cpus

    @property
    def ratio(self) -> float:
        """Median of command / baseline wall time, round by round."""
        return statistics.median(c / b for b, c in self.walls)

    @property
    def cpu_ratio(self) -> float:
        """The same for CPU time."""
        return statistics.median(c / b for b, c in self.cpus)

    def median(self, which: int) -> float:
        """Median wall seconds of the baseline (0) or the command (1)."""
        return statistics.median(pair[which] for pair in self.walls)


def compare(baseline: Sequence[str], command: Sequence[str], env: Mapping[str, str],
            runs: int, warmup: int = 2, command_env: Mapping[str, str] | None = None
            ) -> Comparison:
    """Run ``baseline`` and ``command`` in turns ``runs`` times (after ``warmup`` each)."""
    other = command_env if command_env is not None else env
    for _ in range(warmup):
        run_once(baseline, env)
        run_once(command, other)
    walls, cpus = [], []
    for round_ in range(runs):
        if round_ % 2:
            (cw, cc), (bw, bc) = run_once(command, other), run_once(baseline, env)
        else:
            (bw, bc), (cw, cc) = run_once(baseline, env), run_once(command, other)
        walls.append((bw, cw))
        cpus.append((bc, cc))
    return Comparison(walls, cpus)


def python_floor(modules: str) -> list[str]:
    """``python -c "import MODULES"`` with this interpreter."""
    return [sys.executable, "-c", f"import {modules}"]


def verdict(label: str, comparison: Comparison, target: float | None, baseline: str,
            width: int = 40) -> bool:
    """Print the comparison against ``target`` (a ratio); True when the median misses it."""
    line = (f"{label:<{width}} {comparison.median(1) * 1000:7.1f} ms vs {baseline} "
            f"{comparison.median(0) * 1000:6.1f} ms: {comparison.ratio:5.2f}x "
            f"(cpu {comparison.cpu_ratio:4.2f}x)")
    if target is None:
        print(f"{line}  (no target)")
        return False
    missed = comparison.ratio > target
    print(f"{line}  target {target:.2f}x  {'OVER' if missed else 'ok'}")
    return missed


def report(label: str, times: Sequence[float], target: float | None = None,
           width: int = 44, baseline: Sequence[float] | None = None) -> bool:
    """Print median and best (and ``baseline``'s median with the ratio) against ``target``
    seconds; True when the median misses it."""
    median = statistics.median(times)
    line = f"{label:<{width}} median {median * 1000:6.1f} ms  best {min(times) * 1000:6.1f} ms"
    if baseline is not None:
        base = statistics.median(baseline)
        ratio = f"{median / base:5.1f}x" if base > 0 else "  -  "
        line += f"  | baseline {base * 1000:6.1f} ms ({ratio})"
    if target is None:
        print(f"{line}  (no target)")
        return False
    missed = median >= target
    print(f"{line}  target {target * 1000:.0f} ms  {'OVER' if missed else 'ok'}")
    return missed
