"""CLI start-up against the floor of its libraries (issue 18, goal 2): whole processes.

Targets, as ratios of wall time to a baseline timed in turns with the command
(bench/cli_timing.py), with every integration installed:

- ``zenml --help``     at most 1.5x  ``python -c "import click"``;
- ``zenml stack list`` at most 1.05x ``python -c "import click, rich.table, sqlalchemy,
  pydantic"`` (the issue's floor).

Also printed, without a target: the same commands against the import of what
they really load (``rich.console``, ``sqlite3`` and SQLAlchemy's sqlite dialect
too; ``pydantic`` is lazy: ``import pydantic`` does not import ``BaseModel``),
and how many plugins were loaded. Bytecode is cached in a temp folder
(``PYTHONPYCACHEPREFIX``), as after the first run of an installed zenml.
Exits 1 if a ratio misses its target.

    python bench/bench_cli_startup.py [RUNS]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from cli_timing import compare, python_floor, verdict

CLICK = "click"
FLOOR = "click, rich.table, sqlalchemy, pydantic"
#: What ``zenml stack list`` imports of its libraries (checked with -X importtime).
STACK_LIST_NEEDS = "click, rich.console, rich.table, sqlalchemy, sqlite3, " \
                   "sqlalchemy.dialects.sqlite"


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    zenml = str(Path(sys.executable).with_name("zenml"))
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "ZENML_CONFIG_PATH": f"{folder}/config",
               "PYTHONPYCACHEPREFIX": f"{folder}/pycache", "COLUMNS": "200"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([zenml, "stack", "list"], env=env, check=True, capture_output=True)
        listing = subprocess.run([zenml, "plugins"], env=env, check=True, capture_output=True,
                                 text=True).stdout
        plugins = listing.count("loaded")
        print(f"plugins loaded: {plugins} (core included; 6 with all five integrations); "
              f"rounds per figure: {runs}")
        help_ = compare(python_floor(CLICK), [zenml, "--help"], env, runs)
        failed |= verdict("zenml --help", help_, 1.5, "import click")
        stacks = compare(python_floor(FLOOR), [zenml, "stack", "list"], env, runs)
        failed |= verdict("zenml stack list", stacks, 1.05, "floor")
        needs = compare(python_floor(STACK_LIST_NEEDS), [zenml, "stack", "list"], env, runs)
        verdict("zenml stack list", needs, None, "what it loads")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
