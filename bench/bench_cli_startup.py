"""CLI start-up: whole-process wall time of ``zenml --help`` and ``zenml stack list``.

Targets (issue: core): ``zenml --help`` under 0.15 s and ``zenml stack list``
under 0.4 s with every integration installed, on a 2-core machine. Prints the
median and the best of N runs of each; exits 1 if a median misses its target.

    python bench/bench_cli_startup.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {("--help",): 0.15, ("stack", "list"): 0.40}


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    zenml = str(Path(sys.executable).with_name("zenml"))
    failed = False
    with tempfile.TemporaryDirectory() as config:
        env = {**os.environ, "ZENML_CONFIG_PATH": config}
        subprocess.run([zenml, "stack", "list"], env=env, check=True, capture_output=True)
        plugins = subprocess.run([zenml, "plugins"], env=env, check=True, capture_output=True,
                                 text=True).stdout.count("loaded")
        print(f"plugins loaded: {plugins} (core included); runs per command: {runs}")
        for args, target in TARGETS.items():
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                subprocess.run([zenml, *args], env=env, check=True, capture_output=True)
                times.append(time.perf_counter() - start)
            median = statistics.median(times)
            verdict = "ok" if median < target else "OVER"
            failed |= median >= target
            print(f"zenml {' '.join(args):<12} median {median * 1000:6.1f} ms  "
                  f"best {min(times) * 1000:6.1f} ms  target {target * 1000:.0f} ms  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
