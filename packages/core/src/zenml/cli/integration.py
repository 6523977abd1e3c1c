"""``zenml integration``: list, install and uninstall the ``zenml-<name>`` packages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from zenml.cli.output import declare, print_table, warning

if TYPE_CHECKING:
    from zenml.integrations.requirements import LibraryIntegration
    from zenml.integrations.status import IntegrationStatus
    from zenml.stack.component_type import StackComponentType
    from zenml.stack.models import ComponentModel

__all__ = ["integration"]


def _flavors(flavors: Sequence[tuple[StackComponentType, str]]) -> str:
    return ", ".join(f"{name} ({type_.display_name})" for type_, name in flavors)


def _statuses() -> dict[str, IntegrationStatus]:
    from zenml.integrations.status import integration_statuses

    return {status.name: status for status in integration_statuses()}


def _find(statuses: dict[str, IntegrationStatus], name: str) -> IntegrationStatus:
    """The integration called ``name``; the catalog's one-line error otherwise."""
    from zenml.integrations.catalog import get_known

    status = statuses.get(name) or statuses.get(name.strip().lower())
    return status if status is not None else statuses[get_known(name).name]


def _components_using(flavors: Sequence[tuple[StackComponentType, str]]
                      ) -> list[ComponentModel]:
    """The registered components of these flavors (none when no store exists yet)."""
    from zenml.config.global_config import store_path

    if not flavors or not store_path().exists():
        return []
    from zenml.repository import Repository

    wanted = set(flavors)
    return [model for model in Repository().store.list_components()
            if (model.type, model.flavor) in wanted]


@click.group(short_help="Install and uninstall integrations (zenml-<name> packages).",
             help="List, install and uninstall integrations: the zenml-<name> packages "
                  "that bring flavors for third-party tools.")
def integration() -> None:
    pass


@integration.command("list", short_help="List the integrations.",
                     help="List the integrations: installed version, flavors, description.")
def list_integrations() -> None:
    rows = []
    for status in _statuses().values():
        installed = status.version or "not installed"
        if status.problem:
            installed = f"{installed} ({status.problem})"
        if status.kind == "tool":  # not a stack integration: what it adds instead
            flavors = "no flavors; adds " + ", ".join(f"'zenml {c}'" for c in status.commands)
        else:
            flavors = _flavors(status.flavors) or ("(none yet)" if status.installed else "")
        rows.append((status.name, installed, flavors, status.description))
    print_table(["INTEGRATION", "INSTALLED", "FLAVORS", "DESCRIPTION"], rows)


@integration.command("requirements", short_help="Print an integration's requirements.",
                     help="Print the third-party requirements of an integration, one per "
                          "line (without NAME: a table of all).")
@click.argument("name", required=False)
def requirements(name: str | None) -> None:
    statuses = _statuses()
    if name is not None:
        from zenml.integrations.requirements import library_integration

        library = library_integration(name)
        if library is not None:  # the original framework's library integrations
            for requirement in library.requirements:
                declare(requirement)
            return
        for requirement in _find(statuses, name).requirements:
            declare(requirement)
        return
    print_table(["INTEGRATION", "REQUIREMENTS"],
                [(s.name, " ".join(s.requirements)) for s in statuses.values()])


@integration.command("install", short_help="Install integrations with pip.",
                     help="Install integrations and their third-party requirements with pip, "
                          "for this Python (in a source checkout of zenml: from "
                          "packages/integrations/).")
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--find-links", type=click.Path(exists=True, file_okay=False, path_type=Path),
              metavar="DIR", help="A folder of wheels for pip to install from (passed on to "
                                  "pip; for machines without a package index).")
@click.option("--force", is_flag=True, help="Reinstall integrations that are installed "
                                            "already.")
def install(names: tuple[str, ...], yes: bool, find_links: Path | None, force: bool) -> None:
    from zenml.integrations import installer
    from zenml.integrations.catalog import get_known
    from zenml.integrations.requirements import library_integration
    from zenml.integrations.status import installed_version

    libraries = [found for name in names if (found := library_integration(name)) is not None]
    if libraries:  # the original framework's library integrations (sklearn, ...)
        _install_libraries(libraries, yes, find_links, force)
        names = tuple(name for name in names if library_integration(name) is None)
        if not names:
            return
    entries = list({entry.name: entry for entry in map(get_known, names)}.values())
    before = {entry.name: installed_version(entry.distribution) for entry in entries}
    if not force:
        for entry in entries:
            if before[entry.name] is not None:
                declare(f"Integration '{entry.name}' is already installed ({entry.distribution} "
                        f"{before[entry.name]}); --force reinstalls it.")
        entries = [entry for entry in entries if before[entry.name] is None]
        if not entries:
            return
    if find_links is not None:
        find_links = find_links.absolute()
    targets = installer.install_targets(entries, find_links)
    for target in targets:
        declare(f"{target.entry.distribution}: from {target.origin}")
    if not yes:
        what = " and ".join(f"{e.distribution} ({', '.join(e.requirements)})" for e in entries)
        click.confirm(f"Install {what}?", abort=True)
    reinstall = [name for name, version in before.items() if version is not None]
    installer.install(targets, find_links, reinstall, click.echo)
    statuses = _statuses()
    for entry in entries:
        status = statuses[entry.name]
        if status.kind == "tool":
            provides = "it adds " + ", ".join(f"'zenml {c}'" for c in status.commands)
        else:
            provides = (f"flavors: {_flavors(status.flavors)}" if status.flavors
                        else "it provides no flavors yet")
        declare(f"Installed integration '{entry.name}' ({entry.distribution} {status.version}); "
                f"{provides}.")


def _install_libraries(libraries: Sequence[LibraryIntegration], yes: bool,
                       find_links: Path | None, force: bool) -> None:
    """Install the era's library integrations: their libraries, with pip."""
    from zenml.integrations import installer

    if not force:
        for library in libraries:
            if library.installed:
                declare(f"Integration '{library.name}' is a library; it is installed already "
                        f"({', '.join(library.requirements)}); --force reinstalls it.")
        libraries = [library for library in libraries if force or not library.installed]
        if not libraries:
            return
    requirements = list(dict.fromkeys(r for library in libraries for r in library.requirements))
    if not yes:
        click.confirm(f"Install {', '.join(requirements)}?", abort=True)
    args = ["install", *requirements]
    if find_links is not None:
        args += ["--find-links", str(find_links.absolute())]
    installer.run_pip(args, click.echo, ", ".join(requirements))
    for library in libraries:
        declare(f"Installed integration '{library.name}' ({', '.join(library.requirements)}); "
                f"it is a library: zenml's materializers for it need nothing more.")


@integration.command("uninstall", short_help="Uninstall integrations with pip.",
                     help="Uninstall integrations with pip (their third-party requirements "
                          "stay installed).")
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def uninstall(names: tuple[str, ...], yes: bool) -> None:
    from zenml.integrations import installer
    from zenml.integrations.catalog import CATALOG

    statuses = _statuses()
    chosen = list({s.name: s for s in (_find(statuses, name) for name in names)}.values())
    for status in chosen:
        if not status.installed:
            declare(f"Integration '{status.name}' is not installed ({status.distribution}); "
                    f"nothing to do.")
    chosen = [status for status in chosen if status.installed]
    if not chosen:
        return
    unknown = [status.name for status in chosen if status.distribution == "?"]
    if unknown:
        raise click.ClickException(f"Cannot tell which distribution provides '{unknown[0]}'; "
                                   f"uninstall it with pip")
    catalog = {entry.name: entry.flavors for entry in CATALOG}
    for status in chosen:
        flavors = list(dict.fromkeys([*status.flavors, *catalog.get(status.name, ())]))
        users = _components_using(flavors)
        if users:
            listed = ", ".join(f"{m.type.display_name} '{m.name}' ({m.flavor})" for m in users)
            warning(f"These components use flavors of '{status.name}' and will show 'flavor "
                    f"not installed' until it is installed again: {listed}")
    if not yes:
        what = " and ".join(f"{s.distribution} {s.version}" for s in chosen)
        click.confirm(f"Uninstall {what}?", abort=True)
    installer.uninstall([status.distribution for status in chosen], click.echo)
    for status in chosen:
        kept = f"; its requirements stay installed ({', '.join(status.requirements)})" \
            if status.requirements else ""
        declare(f"Uninstalled integration '{status.name}' ({status.distribution} "
                f"{status.version}){kept}.")
