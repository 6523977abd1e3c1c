"""CLI start-up: whole-process wall time of ``zenml --help`` and ``zenml stack list``.

Targets (issue: core): ``zenml --help`` under 0.15 s and ``zenml stack list``
under 0.4 s with every integration installed, on a 2-core machine. Prints the
median and the best of N runs of each; exits 1 if a median misses its target.

    python bench/bench_cli_startup.py [RUNS]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from cli_timing import report, time_zenml

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
            times = time_zenml(zenml, args, env, runs)
            failed |= report(f"zenml {' '.join(args)}", times, target, width=18)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
