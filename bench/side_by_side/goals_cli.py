"""Goal 2 (CLI): ``zenml --help``, ``stack list`` and ``pipeline runs list`` at the floor of
their libraries' import."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from side_by_side import scripts
from side_by_side.context import Bench, Workspace, base_env
from side_by_side.timing import BenchError, Command, Verdict, ms

INTEGRATIONS = ["zenml-kubeflow", "zenml-s3", "zenml-mysql", "zenml-wandb", "zenml-seldon"]
LIBRARIES = "click, rich.table, sqlalchemy, pydantic"  # what zenml's CLI needs (issue 18)
RUNS_LIST_RUNS = 10_000
POPULATE = Path(__file__).with_name("populate.py")


def missing_integrations() -> list[str]:
    missing = []
    for name in INTEGRATIONS:
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
    return missing


def populate(workspace: Workspace, count: int, steps: int | None = None,
             cache_dir: Path | None = None) -> dict[str, Any]:
    """Record ``count`` finished runs in the workspace's sqlite store (untimed)."""
    argv = [str(workspace.python), str(POPULATE), str(count)]
    if steps is not None:
        argv += ["--steps", str(steps)]
    if cache_dir is not None:
        argv += ["--cache-dir", str(cache_dir)]
    result = subprocess.run(argv, env=workspace.env, cwd=workspace.repo, capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise BenchError(f"recording {count} runs failed: {result.stderr.strip()[-600:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def third_party_imports(workspace: Workspace, args: list[str]) -> list[str]:
    """Top-level third-party modules ``zenml ARGS`` imports (``-X importtime``)."""
    result = subprocess.run([str(workspace.python), "-X", "importtime", workspace.zenml_bin,
                             *args], env=workspace.env, cwd=workspace.repo, capture_output=True,
                            text=True)
    names: set[str] = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "imported package" not in line:
            name = line.rsplit("|", 1)[1].strip().split(".")[0]
            if name and not name.startswith("_") and name not in sys.stdlib_module_names \
                    and name not in ("sitecustomize", "usercustomize"):
                names.add(name)
    found = [n for n in names if not n.startswith("zenml")
             and importlib.util.find_spec(n) is not None]  # not the failed ones (org)
    return sorted(found)


def _workspace_python(workspace: Workspace, code: str) -> str:
    """What ``code`` prints, run by the workspace's python in the workspace (untimed)."""
    result = subprocess.run([str(workspace.python), "-c", code], env=workspace.env,
                            cwd=workspace.repo, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"python -c {code!r} failed: {result.stderr.strip()[-600:]}")
    return result.stdout.strip()


def _stack_store(workspace: Workspace) -> Path:
    return Path(_workspace_python(
        workspace, "from zenml.repository import Repository; print(Repository().store.path)"))


def _metadata_db(workspace: Workspace) -> Path:
    return Path(_workspace_python(
        workspace, "from zenml.repository import Repository; "
                   "print(Repository().active_stack.metadata_store.config.uri)"))


def _floor_command(workspace: Workspace, name: str, text: str, expected: str) -> Command:
    """The script doing ``zenml NAME``'s job with zenml's libraries alone (checked once:
    it must print ``expected``, as zenml's output does)."""
    script = workspace.script(f"floor_{name.replace(' ', '_')}.py", text)
    shown = _workspace_python(workspace, f"exec(open({str(script)!r}).read())")
    if expected not in shown:
        raise BenchError(f"the libraries-only '{name}' does not show {expected!r}")
    return workspace.command(f"{name} done with the libraries alone", script)


def python_c(bench: Bench, label: str, code: str) -> Command:
    return Command(label, [str(bench.python), "-c", code], base_env())


def cli(bench: Bench) -> list[Verdict]:
    """``--help`` vs ``import click``; ``stack list`` and ``runs list`` (10,000 runs) vs the
    import of click, rich.table, sqlalchemy and pydantic."""
    missing = missing_integrations()
    note = f"MISSING {', '.join(missing)}" if missing else "all five integrations installed"
    print(f"CLI: whole processes, bytecode cached, {note}; the baseline imports what the CLI "
          f"needs: python -c 'import {LIBRARIES}'.")
    empty = bench.shared()
    full = bench.workspace("runs-list")
    info = populate(full, RUNS_LIST_RUNS)
    newest = str(info["newest"])
    listed = full.zenml(["pipeline", "runs", "list"])
    if newest not in listed:
        raise BenchError(f"'zenml pipeline runs list' does not show the newest run {newest}")
    full.zenml(["stack", "list"])
    empty.zenml(["--help"])
    imported = {"stack list": third_party_imports(empty, ["stack", "list"]),
                "runs list": third_party_imports(full, ["pipeline", "runs", "list"])}
    for name, modules in imported.items():
        print(f"  third-party modules 'zenml {name}' imports: {', '.join(modules)}")
    floors = [_floor_command(empty, "stack list", scripts.floor_stack_list(_stack_store(empty)),
                             "default"),
              _floor_command(full, "runs list", scripts.floor_runs_list(
                  _stack_store(full), _metadata_db(full)), newest)]
    commands = [
        python_c(bench, "python -c 'pass' (bare interpreter)", "pass"),
        python_c(bench, "python -c 'import click'", "import click"),
        python_c(bench, "python -c 'import sqlalchemy'", "import sqlalchemy"),
        python_c(bench, f"python -c 'import {LIBRARIES}'", f"import {LIBRARIES}"),
        Command("zenml --help", [empty.zenml_bin, "--help"], empty.env, empty.repo),
        Command("zenml stack list", [empty.zenml_bin, "stack", "list"], empty.env, empty.repo),
        Command(f"zenml pipeline runs list ({RUNS_LIST_RUNS:,} runs)",
                [full.zenml_bin, "pipeline", "runs", "list"], full.env, full.repo),
        *[python_c(bench, f"python -c 'import <what {name} imports>'",
                   f"import {', '.join(modules)}" if modules else "pass")
          for name, modules in imported.items()],
        *floors,
    ]
    series = bench.measure(commands)
    (bare, click, sqlalchemy, libraries, help_, stacks, runs, own_stacks, own_runs,
     floor_stacks, floor_runs) = (series[c.label].seconds for c in commands)
    print(f"  (no target) against importing exactly what each imports: stack list "
          f"{stacks / own_stacks:.2f}x, runs list {runs / own_runs:.2f}x")
    print(f"  (no target) the same job done directly with the libraries (SQLAlchemy Core "
          f"reads, a pydantic config, a rich table): stack list {ms(floor_stacks)} = "
          f"{floor_stacks / libraries:.2f}x the libraries' import, zenml "
          f"{stacks / floor_stacks:.2f}x that; runs list {ms(floor_runs)} = "
          f"{floor_runs / libraries:.2f}x the import, zenml {runs / floor_runs:.2f}x that")
    print(f"  SQLAlchemy's import alone: {ms(sqlalchemy - bare)} beyond the bare interpreter, "
          f"{(sqlalchemy - bare) / (libraries - bare):.0%} of the libraries' import "
          f"({ms(libraries - bare)})")
    return [
        Verdict("2", "zenml --help", ms(help_), f"import click {ms(click)}", help_ / click, 1.5,
                note=note),
        Verdict("2", "zenml stack list", ms(stacks), f"libraries' import {ms(libraries)}",
                stacks / libraries, 1.05),
        Verdict("2", f"zenml pipeline runs list, {RUNS_LIST_RUNS:,} runs", ms(runs),
                f"libraries' import {ms(libraries)}", runs / libraries, 1.15),
    ]
