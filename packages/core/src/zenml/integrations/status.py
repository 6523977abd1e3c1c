"""What is installed: the catalog merged with what the installed packages report.

An installed integration speaks for itself through its plugin (version,
requirements, description, the flavors it registers); the catalog fills in
for the ones that are not installed. Reads only package metadata and the
plugins' hooks: no pip.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

from zenml.integrations.catalog import CATALOG
from zenml.stack.component_type import StackComponentType

__all__ = ["IntegrationStatus", "installed_version", "integration_statuses"]

logger = logging.getLogger(__name__)


@dataclass
class IntegrationStatus:
    """One integration as ``zenml integration list`` shows it.

    ``version`` is None when it is not installed; ``problem`` says why an
    installed one does not work (its plugin failed to load, or is disabled).
    """

    name: str
    distribution: str
    version: str | None
    description: str
    requirements: list[str]
    flavors: list[tuple[StackComponentType, str]] = field(default_factory=list)
    in_catalog: bool = True
    problem: str = ""
    kind: str = "integration"  # or "tool": adds ``commands``, no flavors (the dashboard)
    commands: list[str] = field(default_factory=list)

    @property
    def installed(self) -> bool:
        """Whether its distribution is installed."""
        return self.version is not None


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def integration_statuses() -> list[IntegrationStatus]:
    """Every catalog integration, then every other installed one, by name."""
    from zenml.plugins.info import IntegrationInfo
    from zenml.plugins.manager import call_each, get_flavor_registry, plugin_records

    records = {record.name: record for record in plugin_records()}
    infos = {name: info for name, info in call_each("zenml_integration")
             if isinstance(info, IntegrationInfo)}
    statuses: list[IntegrationStatus] = []
    for entry in CATALOG:
        status = IntegrationStatus(
            name=entry.name, distribution=entry.distribution,
            version=installed_version(entry.distribution), description=entry.description,
            requirements=list(entry.requirements), flavors=list(entry.flavors),
            kind=entry.kind, commands=list(entry.commands))
        statuses.append(status)
    by_name = {status.name: status for status in statuses}
    for plugin_name, info in sorted(infos.items()):
        record = records.get(plugin_name)
        if plugin_name in by_name:
            status = by_name[plugin_name]
        else:
            status = IntegrationStatus(
                name=plugin_name, distribution=record.distribution if record else "?",
                version=None, description="", requirements=[], in_catalog=False)
            statuses.append(status)
        status.version = info.version
        status.requirements = list(info.requirements)
        status.description = info.description or status.description
    installed = {status.name: status for status in statuses if status.installed}
    for status in installed.values():
        record = records.get(status.name)
        if record is None:
            status.problem = "no 'zenml' entry point of that name"
        elif record.status != "loaded":
            status.problem = f"plugin {record.status}" + (f": {record.error}" if record.error
                                                          else "")
        if status.name in infos:
            status.flavors = []  # the package's own flavors replace the catalog's
    if any(status.name in infos for status in installed.values()):
        for flavor in get_flavor_registry().list():
            owner = installed.get(flavor.integration or "")
            if owner is not None:
                owner.flavors.append((flavor.type, flavor.name))
        for status in installed.values():  # a failing flavor hook shows up now
            record = records.get(status.name)
            if record is not None and record.status == "failed" and not status.problem:
                status.problem = f"plugin failed: {record.error}"
    return sorted(statuses, key=lambda s: (not s.in_catalog, s.name))
