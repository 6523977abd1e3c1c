"""Per-step framework overhead of a pipeline run on the default stack.

Target (issue: pipelines): under 5 ms per step. The overhead is the slope
between two chains of trivial ``int`` steps, so the fixed cost of a run
(stack, deployment, run record) cancels out::

    (time of a 50-step chain - time of a 10-step chain) / 40

Both run with ``run(enable_cache=False)`` on the default stack (local
orchestrator, local artifact store, sqlite metadata store) in a throw-away
``ZENML_CONFIG_PATH``; zenml's progress lines are formatted as usual but
written to /dev/null. Prints the median of N runs of each chain, in wall time
(the target) and in this process's CPU time (steadier on a busy machine);
exits 1 if the overhead misses the target. The whole-process figure, beside
Kedro's, is ``bench_side_by_side.py --only step-overhead``.

    python bench/bench_step_overhead.py [RUNS]
"""

from __future__ import annotations

import inspect
import logging
import os
import statistics
import sys
import tempfile
import time
from typing import Any

TARGET = 0.005
SHORT, LONG = 10, 50


def chain_pipeline(length: int) -> Any:
    """A pipeline class whose ``connect`` takes ``length`` steps and chains them."""
    from zenml.pipelines import BasePipeline

    names = [f"s{index:02d}" for index in range(length)]

    def connect(self: BasePipeline, **steps: Any) -> None:
        value = steps[names[0]]()
        for name in names[1:]:
            value = steps[name](value)

    parameters = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                  for n in ["self", *names]]
    connect.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return type(f"chain_{length}", (BasePipeline,), {"connect": connect})


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as config, open(os.devnull, "w") as sink:
        os.environ["ZENML_CONFIG_PATH"] = config
        from zenml.steps import step

        @step
        def first() -> int:
            return 0

        @step
        def add_one(value: int) -> int:
            return value + 1

        logger = logging.getLogger("zenml")  # formatted as usual, written to /dev/null
        handler = logging.StreamHandler(sink)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

        def run_chain(length: int) -> tuple[float, float]:
            steps = {f"s{i:02d}": first() if i == 0 else add_one() for i in range(length)}
            pipeline = chain_pipeline(length)(**steps)
            start, cpu = time.perf_counter(), time.process_time()
            run = pipeline.run(enable_cache=False)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            assert run is not None and run.get_step(f"s{length - 1:02d}").output.read() == (
                length - 1)
            return elapsed, cpu

        run_chain(SHORT)  # warm-up: creates the stack store, the database, imports
        times: dict[int, list[float]] = {SHORT: [], LONG: []}
        cpu_times: dict[int, list[float]] = {SHORT: [], LONG: []}
        for _ in range(runs):
            for length in (SHORT, LONG):
                wall, cpu = run_chain(length)
                times[length].append(wall)
                cpu_times[length].append(cpu)
        logger.removeHandler(handler)
    short, long = (statistics.median(times[n]) for n in (SHORT, LONG))
    overhead = (long - short) / (LONG - SHORT)
    cpu_short, cpu_long = (statistics.median(cpu_times[n]) for n in (SHORT, LONG))
    print(f"runs per chain: {runs} (median); cache off; default stack")
    for length, median in ((SHORT, short), (LONG, long)):
        print(f"{length:2d}-step chain  median {median * 1000:7.1f} ms  "
              f"best {min(times[length]) * 1000:7.1f} ms  "
              f"cpu {statistics.median(cpu_times[length]) * 1000:7.1f} ms  "
              f"({median / length * 1000:.2f} ms per step overall)")
    verdict = "ok" if overhead < TARGET else "OVER"
    print(f"per-step overhead ({LONG} - {SHORT}) / {LONG - SHORT}: {overhead * 1000:.2f} ms  "
          f"(cpu {(cpu_long - cpu_short) / (LONG - SHORT) * 1000:.2f} ms)  "
          f"target {TARGET * 1000:.0f} ms  {verdict}")
    return 0 if overhead < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
