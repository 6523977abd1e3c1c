"""Write the core's integration catalog from the integrations' ``pyproject.toml`` files.

    python packages/core/scripts/integration_catalog.py          # rewrite catalog.json
    python packages/core/scripts/integration_catalog.py --check  # exit 1 if it is stale

(with a Python 3.11+ that has zenml-core installed, e.g. editable from this checkout).

Each ``packages/integrations/<name>/pyproject.toml`` (and that of each plugin
package beside them, ``packages/<name>/`` other than the core: the dashboard)
is the one source of its integration's metadata: the entry point in
``[project.entry-points.zenml]`` names it, ``[project] description`` describes
it, ``[project] dependencies`` are its requirements, ``[tool.zenml] flavors``
lists what it provides; ``[tool.zenml] kind = "tool"`` marks a package that is
installable with ``zenml integration install`` but brings no stack component
(``commands`` names the ``zenml`` commands it adds instead). The
catalog (``zenml/integrations/catalog.json``, checked in and shipped in the
core wheel) is what zenml knows of integrations that are not installed; a core
test (tests/test_meta_catalog.py) fails when it is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import tomllib

from zenml.integrations.metadata import (
    SUMMARY_PREFIX,
    description_from_summary,
    integration_requirements,
)
from zenml.stack.component_type import StackComponentType

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ROOT / "packages"
INTEGRATIONS = PACKAGES / "integrations"
#: What ``[tool.zenml] kind`` may say: a stack integration (the default) or a tool.
KINDS = ("integration", "tool")
CATALOG = ROOT / "packages" / "core" / "src" / "zenml" / "integrations" / "catalog.json"


class CatalogError(ValueError):
    """A pyproject.toml lacks what the catalog needs."""


def entry_from_pyproject(path: Path) -> dict[str, Any]:
    """The catalog entry of the integration whose ``pyproject.toml`` is ``path``."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    project = data.get("project", {})
    points = project.get("entry-points", {}).get("zenml", {})
    if len(points) != 1:
        raise CatalogError(f"{path}: [project.entry-points.zenml] must hold one entry point")
    name, module = next(iter(points.items()))
    if project.get("name") != f"zenml-{name}" or module != f"zenml_{name}.plugin":
        raise CatalogError(f"{path}: expected name = \"zenml-{name}\" and entry point "
                           f"{name} = \"zenml_{name}.plugin\"")
    summary = project.get("description", "")
    if not summary.startswith(SUMMARY_PREFIX):
        raise CatalogError(f"{path}: [project] description must start with {SUMMARY_PREFIX!r}")
    flavors = []
    for flavor in data.get("tool", {}).get("zenml", {}).get("flavors", []):
        try:
            type_ = StackComponentType(flavor["type"])
            flavors.append({"type": type_.value, "name": str(flavor["name"])})
        except (KeyError, TypeError, ValueError):
            raise CatalogError(f"{path}: [tool.zenml] flavors: {flavor!r} is not "
                               f"{{type = \"<component type>\", name = \"<flavor>\"}}") from None
    tool = data.get("tool", {}).get("zenml", {})
    kind = tool.get("kind", "integration")
    if kind not in KINDS:
        raise CatalogError(f"{path}: [tool.zenml] kind must be one of {', '.join(KINDS)}")
    commands = tool.get("commands", [])
    if not (isinstance(commands, list) and all(isinstance(c, str) for c in commands)):
        raise CatalogError(f"{path}: [tool.zenml] commands must be a list of command names")
    entry: dict[str, Any] = {
        "name": name,
        "description": description_from_summary(summary),
        "flavors": flavors,
        "requirements": integration_requirements(project.get("dependencies", [])),
    }
    if kind != "integration":  # the integrations' entries stay as they were
        entry["kind"] = kind
    if commands:
        entry["commands"] = list(commands)
    try:
        folder = path.resolve().parent.relative_to(ROOT.resolve())
    except ValueError:  # a pyproject outside the checkout (tests)
        return entry
    if folder.as_posix() != f"packages/integrations/{name}":
        entry["folder"] = folder.as_posix()
    return entry


def package_pyprojects(root: Path = ROOT) -> list[Path]:
    """The pyproject of every integration and of every plugin package beside them."""
    packages = root / "packages"
    found = [path for path in sorted((packages / "integrations").glob("*/pyproject.toml"))
             if not path.parent.name.startswith("_")]
    found += [path for path in sorted(packages.glob("*/pyproject.toml"))
              if path.parent.name not in ("core", "integrations")
              and not path.parent.name.startswith("_")]
    return found


def build_catalog(root: Path = ROOT) -> str:
    """The catalog's JSON text for every package folder (``_template`` left out)."""
    entries = [entry_from_pyproject(path) for path in package_pyprojects(root)]
    document = {
        "generated_by": "packages/core/scripts/integration_catalog.py (do not edit by hand)",
        "integrations": sorted(entries, key=lambda entry: entry["name"]),
    }
    return json.dumps(document, indent=2) + "\n"


def main(argv: list[str]) -> int:
    """Write the catalog, or with ``--check`` say whether it is up to date."""
    try:
        text = build_catalog()
    except CatalogError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    current = CATALOG.read_text(encoding="utf-8") if CATALOG.is_file() else ""
    if "--check" in argv:
        if current != text:
            print(f"Error: {CATALOG} is stale; run 'python {Path(__file__).relative_to(ROOT)}'",
                  file=sys.stderr)
            return 1
        return 0
    if current != text:
        CATALOG.write_text(text, encoding="utf-8")
        print(f"wrote {CATALOG}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
