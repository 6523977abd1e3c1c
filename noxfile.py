"""Every check of the monorepo: ``nox`` runs them all (this is what CI runs).

Sessions:
- ``tests(<package>)``: one per package, each in its own virtual environment
  with the core installed from source (``nox -s "tests(s3)"``).
- ``examples``: the quickstart pipeline, and the example plugin installed into a
  fresh environment.
- ``e2e``: the core with every integration installed (CLI import budget).
- ``era``: programs written for the original framework (0.8-0.10), unchanged, on
  MariaDB + S3, W&B offline, Seldon local and Kubeflow (tests(core) runs them on the
  default stack); ``nox -s era -- seldon`` runs one stack.
- ``lint`` (ruff and the import contract, tests/contracts) and ``typecheck`` (mypy).
- ``build``: ``hatch build`` of every package into ``dist/``, then the core
  wheel in a fresh environment installs integrations from there (tests/packaging).
- ``bench``: the benchmarks under bench/ (not run by default).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import nox

# uv does not write bytecode by default; without it every `zenml` subprocess
# recompiles its imports (SQLAlchemy alone costs ~0.35 s), which skews both the
# tests' run time and the start-up benchmark.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")

nox.needs_version = ">=2024.3"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = False
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
CORE = ROOT / "packages" / "core"
INTEGRATIONS = sorted(
    path.parent for path in (ROOT / "packages" / "integrations").glob("*/pyproject.toml")
    if not path.parent.name.startswith("_")
)
# The dashboard is a plugin package beside the integrations (not a stack integration).
DASHBOARD = ROOT / "packages" / "dashboard"
PACKAGES: dict[str, Path] = {"core": CORE, **{path.name: path for path in INTEGRATIONS},
                             "dashboard": DASHBOARD}
PYTHON = "3.11"
DIST = ROOT / "dist"
TEST_REQUIREMENTS = ["pytest>=8"]
# What a package's tests exercise beyond its own dependencies is its PEP 735
# dependency group `test` (see _test_requirements): the core's numpy / pandas /
# scikit-learn materializers and Hypothesis; wandb's pinned version; s3's pinned S3
# servers (pinned so that the resolver never backtracks through botocore releases);
# seldon's MLServer models and Kubernetes API emulator.

# The quickstart's own requirements (scikit-learn), and what the benchmarks import.
QUICKSTART_REQUIREMENTS = ROOT / "examples" / "quickstart" / "requirements.txt"
BENCH_REQUIREMENTS = ["numpy>=1.24"]


def _install_editable(session: nox.Session, *paths: Path) -> None:
    args: list[str] = []
    for path in paths:
        args += ["-e", str(path)]
    session.install(*args, *TEST_REQUIREMENTS)


def _test_requirements(path: Path, group: str = "test") -> list[str]:
    """A package's PEP 735 dependency group (``[dependency-groups]`` of its pyproject.toml)."""
    groups = nox.project.load_toml(path / "pyproject.toml").get("dependency-groups", {})
    requirements: list[str] = []
    for item in groups.get(group, []):
        if isinstance(item, dict):  # {include-group = "name"}
            requirements += _test_requirements(path, item["include-group"])
        else:
            requirements.append(item)
    return requirements


def _basetemp(session: nox.Session, name: str) -> str:
    """A short pytest basetemp: unix socket paths (MySQL) must stay under 108 chars."""
    return f"--basetemp={tempfile.mkdtemp(prefix='zt-')}/{name}"


# Local packages a package's tests use beyond itself, installed editable from here (the
# dashboard's API tests run on a MariaDB metadata store and an S3 artifact store).
TEST_PACKAGES: dict[str, list[Path]] = {
    "dashboard": [ROOT / "packages" / "integrations" / "mysql",
                  ROOT / "packages" / "integrations" / "s3"],
}


@nox.session(python=PYTHON)
@nox.parametrize(
    "package",
    [nox.param(name, id=name, tags=[{"core": "core", "dashboard": "dashboard"}.get(
        name, "integration"), name]) for name in PACKAGES],
)
def tests(session: nox.Session, package: str) -> None:
    """Run one package's tests with the core installed from source."""
    path = PACKAGES[package]
    _install_editable(session, *dict.fromkeys([CORE, path, *TEST_PACKAGES.get(package, [])]))
    if requirements := _test_requirements(path):
        session.install(*requirements)
    session.run("pytest", str(path / "tests"), "-q", _basetemp(session, package),
                *session.posargs)


@nox.session(python=PYTHON)
def examples(session: nox.Session) -> None:
    """Run the quickstart twice; install the example flavor plugin into a fresh environment."""
    _install_editable(session, CORE)
    session.install("uv", "-r", str(QUICKSTART_REQUIREMENTS))
    session.run("pytest", str(ROOT / "examples"), "-q", _basetemp(session, "examples"),
                *session.posargs)


@nox.session(python=PYTHON)
def e2e(session: nox.Session) -> None:
    """The CLI with every integration installed: import budget and plugin listing."""
    _install_editable(session, CORE, *INTEGRATIONS)
    session.run("pytest", str(ROOT / "tests" / "e2e"), "-q", _basetemp(session, "e2e"),
                *session.posargs)


ERA_STACKS = ["mysql-s3", "wandb", "seldon", "kubeflow"]
ERA_INTEGRATIONS = ["mysql", "s3", "wandb", "seldon", "kubeflow"]


@nox.session(python=PYTHON)
def era(session: nox.Session) -> None:
    """The original framework's (0.8-0.10) programs (packages/core/tests/era) on every
    stack beyond the default one (tests(core) runs that): MariaDB + S3, W&B offline,
    Seldon local, Kubeflow compiled and its tasks executed. ``nox -s era -- wandb``
    runs the named stacks only."""
    paths = [PACKAGES[name] for name in ERA_INTEGRATIONS]
    _install_editable(session, CORE, *paths)
    session.install(*dict.fromkeys(requirement for path in (CORE, *paths)
                                   for requirement in _test_requirements(path)))
    stacks = [arg for arg in session.posargs if arg in ERA_STACKS] or ERA_STACKS
    options = [arg for arg in session.posargs if arg not in ERA_STACKS]
    failed = []
    for stack in stacks:
        try:
            session.run("pytest", str(CORE / "tests" / "era"), "-q", "-p", "no:cacheprovider",
                        "-o", "asyncio_default_fixture_loop_scope=function",
                        _basetemp(session, f"era-{stack}"), *options,
                        env={"ZENML_ERA_STACK": stack})
        except nox.command.CommandFailed:  # run the other stacks too
            failed.append(stack)
    if failed:
        session.error(f"era programs failed on: {', '.join(failed)}")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over every package, the examples, benchmarks and this file; the import contract
    (tests/contracts: the layers of the dependency rules, read from the sources)."""
    session.install("ruff>=0.6", *TEST_REQUIREMENTS)
    session.run("ruff", "check", "packages", "examples", "bench", "tests", "noxfile.py")
    session.run("pytest", str(ROOT / "tests" / "contracts"), "-q", "-p", "no:cacheprovider",
                _basetemp(session, "lint"), *session.posargs)


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy (strict) over the core's, every integration's and the dashboard's sources."""
    session.install("mypy>=1.10", "types-PyYAML", *TEST_REQUIREMENTS, "-e", str(CORE),
                    *[arg for path in (*INTEGRATIONS, DASHBOARD) for arg in ("-e", str(path))])
    session.run("mypy", str(CORE / "src"),
                *[str(path / "src") for path in (*INTEGRATIONS, DASHBOARD)])


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """hatch build of every package into dist/, then install from it as a new user would."""
    session.install("hatch>=1.12", "uv", *TEST_REQUIREMENTS)
    shutil.rmtree(DIST, ignore_errors=True)
    for path in PACKAGES.values():
        with session.chdir(path):
            # nox's UV_PYTHON would make hatch install hatchling into this session's
            # environment instead of hatch's own build environment.
            session.run("hatch", "build", str(DIST), env={"UV_PYTHON": None})
    session.run("pytest", str(ROOT / "tests" / "packaging"), "-q", _basetemp(session, "build"),
                *session.posargs, env={"ZENML_DIST": str(DIST)})


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Run every benchmark and print its figures against its targets; fail if one missed."""
    session.install("-e", str(CORE), *[arg for path in INTEGRATIONS for arg in ("-e", str(path))],
                    *BENCH_REQUIREMENTS)
    # bench_side_by_side.py: all five integrations (above); SeaweedFS, s3fs and boto3 pinned as
    # zenml-s3's test group (its tests' server helper is imported); Kedro installs itself
    # into its own cached venv.
    session.install(*_test_requirements(ROOT / "packages" / "integrations" / "s3"))
    # bench_dashboard.py: the dashboard, its TestClient (httpx) and Playwright (test group),
    # driving the system's /usr/bin/chromium.
    session.install("-e", str(DASHBOARD), *_test_requirements(DASHBOARD))
    missed = []
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        try:
            session.run("python", str(script), *session.posargs)
        except nox.command.CommandFailed:  # print the other benchmarks' figures too
            missed.append(script.name)
    if missed:
        session.error(f"missed a target: {', '.join(missed)}")
