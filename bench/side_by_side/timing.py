"""Whole-process timing (wall time and peak RSS of one child) and the verdict lines."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


class BenchError(Exception):
    """A measured process failed or a part cannot run; the message says why."""


@dataclass(frozen=True)
class Sample:
    """One whole process: wall seconds, peak resident set size in bytes, CPU seconds
    (user + system, the process and the children it waited for)."""

    wall: float
    max_rss: int
    cpu: float

    @property
    def seconds(self) -> float:
        """The figure ratios are made of: wall time, or CPU time under ``--clock cpu``."""
        return self.cpu if CLOCK["name"] == "cpu" else self.wall


CLOCK = {"name": "wall", "stat": "median"}  # set once by the command line


def run_once(argv: Sequence[str], *, env: Mapping[str, str], cwd: Path | None = None,
             capture: bool = False) -> tuple[Sample, str]:
    """Run ``argv`` to its end; its wall time, its own peak RSS (``wait4``), and its stdout.

    stdout and stderr go to files (no pipe to drain while timing); a non-zero exit
    raises :class:`BenchError` with the tail of stderr.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(argv), env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL,
                                   stdout=out if capture else subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()[-12:]
            raise BenchError(f"{' '.join(argv)} exited {process.returncode}:\n  "
                             + "\n  ".join(tail))
        out.seek(0)
        text = out.read().decode(errors="replace") if capture else ""
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(seconds, usage.ru_maxrss * 1024, cpu), text


@dataclass
class Series:
    """Samples of one command; medians of wall time and peak RSS."""

    label: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """The median (the goals' figure), or the best under ``--stat best``."""
        values = [s.seconds for s in self.samples]
        return min(values) if CLOCK["stat"] == "best" else statistics.median(values)

    @property
    def max_rss(self) -> int:
        return int(statistics.median(s.max_rss for s in self.samples))

    def describe(self) -> str:
        wall = statistics.median(s.wall for s in self.samples)
        best = min(s.wall for s in self.samples)
        cpu = statistics.median(s.cpu for s in self.samples)
        return (f"{self.label:<44} wall median {wall * 1000:7.1f} ms best {best * 1000:7.1f} ms"
                f"  cpu {cpu * 1000:7.1f} ms  peak RSS {self.max_rss / 2**20:6.1f} MB"
                f"  (n={len(self.samples)})")


def extra(small: Series, big: Series) -> float:
    """What ``big`` costs beyond ``small``: the median of the differences within each round
    (the two ran next to each other, so a change of the machine's load between rounds
    cancels out); under ``--stat best`` the difference of the best runs."""
    if CLOCK["stat"] == "best":
        return big.seconds - small.seconds
    return statistics.median(b.seconds - a.seconds
                             for a, b in zip(small.samples, big.samples, strict=True))


@dataclass(frozen=True)
class Command:
    """A process to time; ``before`` runs outside the timing before every run."""

    label: str
    argv: Sequence[str]
    env: Mapping[str, str]
    cwd: Path | None = None
    before: Callable[[], None] | None = None


def measure(commands: Sequence[Command], runs: int, *, warmup: int = 1,
            sync: bool = False) -> dict[str, Series]:
    """Median of ``runs`` rounds after ``warmup`` rounds; the commands alternate in each round.

    Alternating spreads the machine's noise over every command alike. With ``sync``
    dirty pages are written back (``os.sync``) before each run, outside the timing.
    """
    series = {c.label: Series(c.label) for c in commands}
    for index in range(warmup + runs):
        for command in commands:
            if command.before is not None:
                command.before()
            if sync:
                os.sync()
            sample, _ = run_once(command.argv, env=command.env, cwd=command.cwd)
            if index >= warmup:
                series[command.label].samples.append(sample)
    for item in series.values():
        print(f"  {item.describe()}")
    return series


@dataclass(frozen=True)
class Verdict:
    """One goal's figure against its baseline: ratio and target."""

    goal: str
    name: str
    value: str
    baseline: str
    ratio: float | None  # None: not measured (counted OVER)
    target: float
    note: str = ""
    at_most: bool = True  # ratio <= target; False: ratio < target (absolute limits)

    @property
    def ok(self) -> bool:
        if self.ratio is None:
            return False
        return self.ratio <= self.target if self.at_most else self.ratio < self.target

    @property
    def target_text(self) -> str:
        return f"{'<=' if self.at_most else '<'} {self.target:g}x" if self.target else "n/a"

    def line(self) -> str:
        ratio = "n/a" if self.ratio is None else f"{self.ratio:.2f}x"
        return (f"[{self.goal}] {self.name}: {self.value} vs {self.baseline} -> {ratio} "
                f"(target {self.target_text}) {'ok' if self.ok else 'OVER'}"
                + (f"  [{self.note}]" if self.note else ""))


def ms(seconds: float) -> str:
    """Seconds as milliseconds, for figures."""
    return f"{seconds * 1000:.1f} ms"
