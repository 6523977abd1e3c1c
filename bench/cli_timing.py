"""Shared by the CLI benchmarks: time whole ``zenml`` processes and print a verdict."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence


def time_zenml(zenml: str, args: Sequence[str], env: Mapping[str, str], runs: int) -> list[float]:
    """Wall times, in seconds, of ``runs`` runs of ``zenml ARGS``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([zenml, *args], env=dict(env), check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: Sequence[float], target: float | None = None,
           width: int = 44) -> bool:
    """Print median and best against ``target``; True when the median misses it."""
    median = statistics.median(times)
    line = f"{label:<{width}} median {median * 1000:6.1f} ms  best {min(times) * 1000:6.1f} ms"
    if target is None:
        print(f"{line}  (no target)")
        return False
    missed = median >= target
    print(f"{line}  target {target * 1000:.0f} ms  {'OVER' if missed else 'ok'}")
    return missed
