"""The integrations zenml knows before they are installed: plain data.

Generated from each integration's ``pyproject.toml`` (the one source of its
metadata) into ``catalog.json`` beside this module by
``packages/core/scripts/integration_catalog.py``; a core test fails when it is
stale. Once an integration is installed, its distribution's metadata speaks for
it (its ``zenml_integration()`` hook). This module names what can be installed,
what it provides and how to get it; it never imports an integration package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from zenml.errors import EntityNotFoundError
from zenml.stack.component_type import StackComponentType

__all__ = [
    "CATALOG",
    "KnownIntegration",
    "get_known",
    "install_hint",
    "not_installed_note",
    "provider_of",
]

T = StackComponentType


@dataclass(frozen=True)
class KnownIntegration:
    """One integration of the catalog.

    :param name: the short name: entry point, folder ``packages/integrations/<name>``.
    :param description: one line: its ``[project] description`` after "zenml integration: ".
    :param flavors: the ``(component type, flavor name)`` pairs it provides (``[tool.zenml]``).
    :param requirements: its third-party requirements (its ``[project] dependencies``).
    :param kind: ``integration`` (brings stack component flavors) or ``tool`` (a package
        ``zenml integration install`` manages that adds ``zenml`` commands, no flavors).
    :param commands: the ``zenml`` commands a tool adds (``[tool.zenml] commands``).
    :param folder: its folder in a source checkout, relative to the repository root.
    """

    name: str
    description: str
    flavors: tuple[tuple[StackComponentType, str], ...]
    requirements: tuple[str, ...]
    kind: str = "integration"
    commands: tuple[str, ...] = ()
    folder: str = ""

    @property
    def distribution(self) -> str:
        """The distribution pip installs, ``zenml-<name>``."""
        return f"zenml-{self.name}"

    @property
    def source_folder(self) -> str:
        """Its folder in a source checkout (``packages/integrations/<name>`` by default)."""
        return self.folder or f"packages/integrations/{self.name}"

    @property
    def is_tool(self) -> bool:
        """Whether it adds commands rather than stack component flavors (the dashboard)."""
        return self.kind == "tool"


#: The generated catalog (see the module docstring).
CATALOG_FILE = Path(__file__).with_name("catalog.json")


def _load(path: Path) -> tuple[KnownIntegration, ...]:
    """The entries of the generated catalog file."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        KnownIntegration(
            name=entry["name"], description=entry["description"],
            flavors=tuple((T(flavor["type"]), flavor["name"]) for flavor in entry["flavors"]),
            requirements=tuple(entry["requirements"]),
            kind=entry.get("kind", "integration"), commands=tuple(entry.get("commands", ())),
            folder=entry.get("folder", ""))
        for entry in document["integrations"])


CATALOG: tuple[KnownIntegration, ...] = _load(CATALOG_FILE)

_BY_NAME = {entry.name: entry for entry in CATALOG}


def get_known(name: str) -> KnownIntegration:
    """The catalog entry called ``name`` (``zenml-<name>`` is accepted too)."""
    key = name.strip().lower()
    key = key.removeprefix("zenml-").removeprefix("zenml_")
    entry = _BY_NAME.get(key)
    if entry is None:
        known = ", ".join(_BY_NAME)
        msg = (f"Unknown integration '{name}'; known integrations: {known} "
               f"(see 'zenml integration list')")
        raise EntityNotFoundError(msg)
    return entry


def provider_of(type_: StackComponentType, flavor: str) -> KnownIntegration | None:
    """The catalog integration that provides ``flavor`` of ``type_``, if any."""
    for entry in CATALOG:
        if (type_, flavor) in entry.flavors:
            return entry
    return None


def install_hint(type_: StackComponentType, flavor: str) -> str:
    """How to get a flavor: ``zenml integration install NAME`` when the catalog knows it."""
    entry = provider_of(type_, flavor)
    if entry is None:
        return "install the plugin package that provides it"
    return f"zenml integration install {entry.name}"


def not_installed_note(type_: StackComponentType, flavor: str) -> str:
    """What listings show for a component whose flavor is missing."""
    return f"flavor not installed ({install_hint(type_, flavor)})"
