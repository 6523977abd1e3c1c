"""Installing and uninstalling integrations with pip, for the current interpreter.

pip runs as ``sys.executable -m pip`` with its output streamed line by line;
a failure becomes one :class:`InstallError` line naming the fix. Where the
packages come from, in this order: the ``--find-links`` folder if one is
given; the sibling folder ``packages/integrations/<name>`` (the catalog's
``source_folder``: ``packages/dashboard`` for the dashboard) when zenml runs
from a source checkout of its repository; otherwise the package index.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from zenml.errors import ZenMLError
from zenml.integrations.catalog import KnownIntegration
from zenml.integrations.status import installed_version

__all__ = [
    "InstallError",
    "InstallTarget",
    "explain_pip_failure",
    "install",
    "install_targets",
    "run_pip",
    "source_checkout",
    "uninstall",
]

Echo = Callable[[str], None]

# pip's words for "the package index could not be reached".
_NETWORK = re.compile(
    r"Failed to establish a new connection|Temporary failure in name resolution|"
    r"Name or service not known|Network is unreachable|No route to host|"
    r"ConnectTimeoutError|ReadTimeoutError|ProxyError|Connection refused|"
    r"NameResolutionError|Could not fetch URL|nodename nor servname", re.IGNORECASE)
_NOT_FOUND = re.compile(r"No matching distribution found for (\S+)")


class InstallError(ZenMLError):
    """pip failed, or an integration it installed does not load."""


@dataclass(frozen=True)
class InstallTarget:
    """One integration to install and what pip is given for it."""

    entry: KnownIntegration
    requirement: str  # a distribution name, or the path of a source folder
    origin: str  # where it comes from, for the user

    @property
    def from_folder(self) -> bool:
        """Whether pip builds it from a source folder (always reinstalled)."""
        return self.requirement != self.entry.distribution


def _is_zenml_checkout(root: Path) -> bool:
    """Whether ``root`` is a checkout of this repository holding the running core version."""
    import re

    from zenml.__about__ import __version__

    about = root / "packages" / "core" / "src" / "zenml" / "__about__.py"
    try:
        pyproject = (root / "packages" / "core" / "pyproject.toml").read_text(encoding="utf-8")
        version = re.search(r"__version__\s*=\s*[\"']([^\"']+)", about.read_text(encoding="utf-8"))
    except OSError:
        return False
    return 'name = "zenml-core"' in pyproject and version is not None \
        and version.group(1) == __version__


def source_checkout(cwd: Path | None = None) -> Path | None:
    """The repository checkout to install integrations from, if any.

    The checkout zenml itself runs from (an editable install), else one
    around the current folder whose core is the version running here (a
    user who ran ``pip install ./packages/core`` in a clone).
    """
    import zenml

    package = Path(zenml.__file__).resolve().parent
    for parent in package.parents:
        candidate = parent / "packages" / "core" / "src" / "zenml"
        if candidate.is_dir() and candidate.resolve() == package:
            return parent
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "packages" / "integrations").is_dir() and _is_zenml_checkout(folder):
            return folder
    return None


def install_targets(entries: Sequence[KnownIntegration],
                    find_links: Path | None) -> list[InstallTarget]:
    """What to hand pip for each integration (see the module docstring)."""
    root = None if find_links is not None else source_checkout()
    targets = []
    for entry in entries:
        folder = root / entry.source_folder if root else None
        if folder is not None and (folder / "pyproject.toml").is_file():
            targets.append(InstallTarget(entry, str(folder), f"the source checkout ({folder})"))
        elif find_links is not None:
            targets.append(InstallTarget(entry, entry.distribution,
                                         f"{find_links} (or the package index)"))
        else:
            targets.append(InstallTarget(entry, entry.distribution, "the package index"))
    return targets


def explain_pip_failure(output: Sequence[str], code: int, what: str,
                        find_links: str | None = None) -> str:
    """One line saying why pip failed on ``what`` and what to do about it."""
    text = "\n".join(output)
    if "No module named pip" in text:
        return (f"pip is not installed for {sys.executable}; add it with "
                f"'{sys.executable} -m ensurepip' and try again")
    if "ResolutionImpossible" in text or "conflicting dependencies" in text:
        return (f"pip could not resolve the requirements of {what} (conflicting versions; "
                f"see pip's output above)")
    missing = _NOT_FOUND.search(text)
    wheels = f"the wheels of {what} and of its requirements (see 'zenml integration requirements')"
    if _NETWORK.search(text):
        if find_links:
            return (f"pip could not reach the package index and {find_links} lacks what it "
                    f"needs; put {wheels} there (offline, also set PIP_NO_INDEX=1)")
        return (f"pip could not reach the package index to install {what} (no network?); "
                f"pass --find-links DIR with a folder holding {wheels}")
    if missing:
        if find_links:
            return (f"pip found no distribution for {missing.group(1)}, neither in "
                    f"{find_links} nor on the package index; put its wheel in {find_links}")
        return (f"pip found no distribution for {missing.group(1)}; pass --find-links DIR "
                f"with a folder holding its wheel, or check that the package index is "
                f"reachable")
    if "Permission denied" in text or "[Errno 13]" in text:
        return (f"pip may not write to this Python environment ({sys.prefix}) to handle "
                f"{what}; use a virtual environment you own")
    return f"pip failed (exit code {code}) on {what}; see its output above"


def run_pip(args: Sequence[str], echo: Echo, what: str) -> None:
    """Run ``python -m pip ARGS``, echoing its output; :class:`InstallError` on failure."""
    command = [sys.executable, "-m", "pip", *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    output: list[str] = []
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=env, text=True,
                                   errors="replace", bufsize=1)
    except OSError as error:
        raise InstallError(f"Could not run pip ({error}) to handle {what}") from None
    assert process.stdout is not None
    with process:
        for line in process.stdout:
            line = line.rstrip("\n")
            output.append(line)
            echo(line)
    if process.returncode != 0:
        links = next((args[i + 1] for i, arg in enumerate(args[:-1]) if arg == "--find-links"),
                     None)
        raise InstallError(explain_pip_failure(output, process.returncode, what, links))


def _refresh() -> None:
    """Make this process see what pip changed (metadata caches, loaded plugins)."""
    from zenml.plugins.manager import reset_plugins

    importlib.invalidate_caches()
    reset_plugins()


def _plugin_problems(entries: Sequence[KnownIntegration]) -> dict[str, str]:
    """For each entry whose installed plugin does not work: why."""
    from zenml.plugins.manager import get_flavor_registry, plugin_records

    _refresh()
    quiet = logging.getLogger("zenml.plugins")  # the error below says it once
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        get_flavor_registry()  # runs the flavor hooks: a failing one marks its plugin
        records = {record.name: record for record in plugin_records()}
    finally:
        quiet.setLevel(level)
    problems = {}
    for entry in entries:
        record = records.get(entry.name)
        if installed_version(entry.distribution) is None:
            problems[entry.name] = f"{entry.distribution} is not installed after pip ran"
        elif record is None:
            problems[entry.name] = f"{entry.distribution} has no 'zenml' entry point '{entry.name}'"
        elif record.status == "failed":  # "disabled" (ZENML_DISABLE_PLUGINS) is a choice
            problems[entry.name] = f"its plugin failed: {record.error}"
    return problems


def install(targets: Sequence[InstallTarget], find_links: Path | None,
            reinstall: Sequence[str], echo: Echo) -> None:
    """Install ``targets`` and their requirements, then check their plugins load.

    ``reinstall`` names integrations that were installed already and must be
    reinstalled from scratch. An integration whose plugin fails to load is
    uninstalled again, so nothing half-registered is left.
    """
    entries = [target.entry for target in targets]
    what = ", ".join(entry.distribution for entry in entries)
    links = ["--find-links", str(find_links)] if find_links is not None else []
    requirements = list(dict.fromkeys(r for entry in entries for r in entry.requirements))
    run_pip(["install", *[t.requirement for t in targets], *requirements, *links], echo, what)
    forced = [t.requirement for t in targets if t.entry.name in reinstall and not t.from_folder]
    if forced:
        run_pip(["install", "--force-reinstall", "--no-deps", *forced, *links], echo, what)
    problems = _plugin_problems(entries)
    if problems:
        broken = [entry for entry in entries if entry.name in problems]
        run_pip(["uninstall", "-y", *[e.distribution for e in broken]], echo, what)
        _refresh()
        name, problem = next(iter(problems.items()))
        msg = (f"Integration '{name}' was installed but does not load ({problem}); it was "
               f"uninstalled again")
        raise InstallError(msg)


def uninstall(distributions: Sequence[str], echo: Echo) -> None:
    """Uninstall ``distributions`` (not their requirements)."""
    run_pip(["uninstall", "-y", *distributions], echo, ", ".join(distributions))
    _refresh()
    left = [name for name in distributions if installed_version(name) is not None]
    if left:
        raise InstallError(f"{', '.join(left)} is still installed after pip ran (installed "
                           f"more than once, e.g. in user site-packages?); see 'pip list -v'")
