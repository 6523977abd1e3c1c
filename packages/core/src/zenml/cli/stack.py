"""``zenml stack``: register, inspect, activate and provision stacks."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from zenml.cli.output import active_mark, declare, print_table, warning
from zenml.stack.component_type import MANDATORY_COMPONENT_TYPES, StackComponentType

if TYPE_CHECKING:
    from zenml.repository import Repository
    from zenml.stack.models import ComponentModel, StackModel

__all__ = ["stack"]

T = StackComponentType
# (type, short flag) for every component; long flags are --artifact-store and
# --artifact_store alike.
COMPONENT_FLAGS: list[tuple[StackComponentType, str]] = [
    (T.ORCHESTRATOR, "-o"), (T.ARTIFACT_STORE, "-a"), (T.METADATA_STORE, "-m"),
    (T.CONTAINER_REGISTRY, "-c"), (T.STEP_OPERATOR, "-s"), (T.SECRETS_MANAGER, "-x"),
    (T.FEATURE_STORE, "-f"), (T.MODEL_DEPLOYER, "-d"), (T.EXPERIMENT_TRACKER, "-e"),
    (T.ALERTER, "-al"),
]


def _long_flags(type_: StackComponentType) -> list[str]:
    flags = [f"--{type_.cli_name}"]
    if "_" in type_.value:
        flags.append(f"--{type_.value}")
    return flags


def component_options(optional_only: bool = False, as_flags: bool = False
                      ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add one option per component type (names, or booleans with ``as_flags``)."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        for type_, short in reversed(COMPONENT_FLAGS):
            if optional_only and type_ in MANDATORY_COMPONENT_TYPES:
                continue
            names = [short, *_long_flags(type_), type_.value]
            if as_flags:
                function = click.option(*names, is_flag=True,
                                        help=f"Remove the {type_.display_name}.")(function)
            else:
                function = click.option(*names, metavar="NAME", default=None,
                                        help=f"Name of the {type_.display_name}.")(function)
        return function

    return decorate


decouple_option = click.option(
    "--decouple_stores", "--decouple-stores", "decouple_stores", is_flag=True,
    help="Reset the coupling of the artifact store and metadata store to this pairing.")


def _repo() -> Repository:
    from zenml.repository import Repository

    return Repository()


def _picked(options: dict[str, Any]) -> dict[StackComponentType, str]:
    return {t: options[t.value] for t, _ in COMPONENT_FLAGS if options.get(t.value) is not None}


@click.group(help="Register, inspect, activate and provision stacks.")
def stack() -> None:
    pass


@stack.command("register", help="Register a stack from registered components "
                                "(orchestrator, artifact store and metadata store needed).")
@click.argument("stack_name")
@component_options()
@click.option("--set", "activate", is_flag=True, help="Activate the stack right away.")
@decouple_option
def register_stack(stack_name: str, activate: bool, decouple_stores: bool,
                   **components: str | None) -> None:
    _repo().register_stack(stack_name, _picked(components), decouple_stores=decouple_stores,
                           activate=activate)
    declare(f"Stack '{stack_name}' successfully registered!")
    if activate:
        declare(f"Active stack set to: '{stack_name}'")


@stack.command("update", help="Replace components of a stack (default: the active one).")
@click.argument("stack_name", required=False)
@component_options()
@decouple_option
def update_stack(stack_name: str | None, decouple_stores: bool, **components: str | None) -> None:
    repo = _repo()
    name = stack_name if stack_name is not None else repo.active_stack_name
    changes = _picked(components)
    if not changes:
        raise click.UsageError("Nothing to update; pass components, e.g. -a ARTIFACT_STORE")
    repo.update_stack(name, dict(changes), decouple_stores=decouple_stores)
    declare(f"Stack `{name}` successfully updated!")


@stack.command("remove-component", help="Remove optional components from a stack "
                                        "(default: the active one).")
@click.argument("stack_name", required=False)
@component_options(optional_only=True, as_flags=True)
def remove_component(stack_name: str | None, **flags: bool) -> None:
    repo = _repo()
    name = stack_name if stack_name is not None else repo.active_stack_name
    changes: dict[StackComponentType, str | None] = {
        t: None for t, _ in COMPONENT_FLAGS if flags.get(t.value)}
    if not changes:
        raise click.UsageError("Name what to remove, e.g. --experiment-tracker")
    current = repo.store.get_stack(name)
    absent = [t.display_name for t in changes if t not in current.components]
    if absent:
        raise click.ClickException(f"Stack '{name}' has no {' or '.join(absent)} to remove; "
                                   f"see 'zenml stack describe {name}'")
    repo.update_stack(name, changes)
    declare(f"Stack `{name}` successfully updated!")


@stack.command("list", help="List the registered stacks; the active one is marked.")
def list_stacks() -> None:
    repo = _repo()
    stacks = repo.store.list_stacks()
    if not stacks:
        declare("No stacks registered!")
        return
    active = repo.active_stack_name
    used = [t for t, _ in COMPONENT_FLAGS if any(t in s.components for s in stacks)]
    rows = []
    for s in stacks:
        rows.append([active_mark() if s.name == active else "", s.name,
                     *(s.components[t].name if t in s.components else "" for t in used)])
    print_table(["ACTIVE", "STACK NAME", *(t.value.upper() for t in used)], rows)
    _warn_missing_flavors(stacks)


def _warn_missing_flavors(stacks: list[StackModel]) -> None:
    """A warning per component whose integration's flavor is not installed.

    Only flavors of catalog integrations whose package is missing are checked
    against the plugins, so that a healthy ``stack list`` loads none.
    """
    from zenml.integrations.catalog import not_installed_note, provider_of
    from zenml.integrations.status import installed_version

    suspects: dict[str, ComponentModel] = {}
    for model in (c for s in stacks for c in s.components.values()):
        provider = provider_of(model.type, model.flavor)
        if provider is not None and installed_version(provider.distribution) is None:
            suspects[model.id] = model
    if not suspects:
        return
    from zenml.plugins.manager import get_flavor_registry

    registry = get_flavor_registry()
    for model in suspects.values():
        if registry.find(model.type, model.flavor) is None:
            warning(f"{model.type.display_name.capitalize()} '{model.name}' ({model.flavor}): "
                    f"{not_installed_note(model.type, model.flavor)}")


@stack.command("describe", help="Show a stack's components (default: the active one).")
@click.argument("stack_name", required=False)
def describe_stack(stack_name: str | None) -> None:
    repo = _repo()
    active = repo.active_stack_name
    model = repo.store.get_stack(stack_name if stack_name is not None else active)
    states = repo.component_states()
    from zenml.cli.component import flavor_cell

    rows = [(t.value.upper(), c.name, flavor_cell(c),
             states[c.id].label if c.id in states else "")
            for t, _ in COMPONENT_FLAGS if (c := model.components.get(t)) is not None]
    caption = f"'{model.name}' stack" + (" (ACTIVE)" if model.name == active else "")
    print_table(["COMPONENT_TYPE", "COMPONENT_NAME", "FLAVOR", "STATE"], rows,
                title="Stack Configuration", caption=caption)
    _warn_clear_secrets(model, "are stored in clear")


def _warn_clear_secrets(model: StackModel, where: str) -> None:
    """One warning per component of ``model`` holding secret values typed in clear."""
    from zenml.secrets_managers.migration import clear_secret_fields

    for type_, _ in COMPONENT_FLAGS:
        component = model.components.get(type_)
        fields = clear_secret_fields(component) if component is not None else []
        if component is not None and fields:
            warning(f"{type_.display_name.capitalize()} '{component.name}': "
                    f"{', '.join(fields)} {where}; move them into the secrets manager with "
                    f"'zenml secret migrate {type_.cli_name} {component.name}'")


@stack.command("get", help="Print the active stack's name.")
def get_stack() -> None:
    declare(f"The active stack is: '{_repo().active_stack_name}'")


@stack.command("set", help="Activate a stack (for this repository, or globally).")
@click.argument("stack_name")
@click.option("--global", "-g", "globally", is_flag=True,
              help="Set the global active stack even inside a repository.")
def set_stack(stack_name: str, globally: bool) -> None:
    is_global = _repo().set_active_stack(stack_name, globally=globally)
    declare(f"Active {'global ' if is_global and globally else ''}stack set to: "
            f"'{stack_name}'")


@stack.command("delete", help="Delete a stack; --components also deletes its components "
                              "that no other stack uses.")
@click.argument("stack_name")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--components", "with_components", is_flag=True,
              help="Also delete the stack's components that no other stack uses.")
def delete_stack(stack_name: str, yes: bool, with_components: bool) -> None:
    repo = _repo()
    repo.store.get_stack(stack_name)  # a missing stack fails before the prompt
    if not yes and sys.stdin.isatty():
        click.confirm(f"Delete stack '{stack_name}'?", abort=True)
    deleted = repo.delete_stack(stack_name, delete_components=with_components)
    declare(f"Deleted stack '{stack_name}'.")
    for component in deleted:
        declare(f"Deleted {component.type.display_name}: {component.name}")


@stack.command("rename", help="Rename a stack.")
@click.argument("stack_name")
@click.argument("new_name")
def rename_stack(stack_name: str, new_name: str) -> None:
    _repo().rename_stack(stack_name, new_name)
    declare(f"Stack `{stack_name}` successfully renamed as `{new_name}`!")


def _drive_active_stack(up: bool, force: bool = False) -> None:
    repo = _repo()
    model = repo.active_stack_model
    verb = ("Provisioning" if up else "Deprovisioning" if force else "Suspending")
    declare(f"{verb} resources for active stack '{model.name}'.")
    for type_, _ in COMPONENT_FLAGS:
        component = model.components.get(type_)
        if component is None:
            continue
        state = repo.set_component_state(type_, component.name, up=up, force=force)
        note = " (nothing to stop for this flavor)" if not up and state.running else ""
        declare(f"  {type_.display_name} '{component.name}' ({component.flavor}): "
                f"{state.label}{note}")


@stack.command("up", help="Provision and start every component of the active stack.")
def stack_up() -> None:
    _drive_active_stack(up=True)


@stack.command("down", help="Suspend every component of the active stack; --force "
                            "deprovisions them.")
@click.option("--force", "-f", is_flag=True, help="Deprovision (delete) the resources.")
@click.option("--yes", "-y", "yes", is_flag=True, hidden=True)
def stack_down(force: bool, yes: bool) -> None:
    if yes and not force:
        warning("-y/--yes is deprecated here; use --force to deprovision")
    _drive_active_stack(up=False, force=force or yes)


@stack.command("export", help="Write a stack and its components' configuration to a YAML "
                              "file: references to secrets stay references and the secrets "
                              "the stack needs are listed (names and keys, never values); "
                              "values typed in clear are included (keep it private, or run "
                              "'zenml secret migrate' first).")
@click.argument("stack_name")
@click.argument("filename", required=False)
def export_stack(stack_name: str, filename: str | None) -> None:
    from zenml.cli.stack_files import export_stack_file
    from zenml.utils.paths import encode_segment

    # a name is data: the default file is in this folder whatever the stack is called
    repo = _repo()
    path = export_stack_file(repo, stack_name, filename or f"{encode_segment(stack_name)}.yaml")
    declare(f"Exported stack '{stack_name}' to file '{path}'.")
    _warn_clear_secrets(repo.store.get_stack(stack_name), "are in the file in clear")


@stack.command("import", help="Register a stack (and its missing components) from a file "
                              "written by 'zenml stack export'.")
@click.argument("stack_name")
@click.argument("filename", required=False)
@decouple_option
@click.option("-i", "--interactive", is_flag=True,
              help="Ask (without echo) for the secrets the stack needs that its secrets "
                   "manager lacks, and create them.")
def import_stack(stack_name: str, filename: str | None, decouple_stores: bool,
                 interactive: bool) -> None:
    from zenml.cli.stack_files import import_stack_file
    from zenml.utils.paths import encode_segment

    if filename is None and stack_name.endswith((".yaml", ".yml")):
        filename, stack_name = stack_name, ""
    name, renamed = import_stack_file(
        _repo(), stack_name, filename or f"{encode_segment(stack_name)}.yaml",
        decouple_stores=decouple_stores, interactive=interactive)
    for type_, new_name in renamed.items():
        warning(f"The file's {type_.display_name} is registered here as '{new_name}' (its "
                f"name was taken by a different {type_.display_name})")
    declare(f"Imported stack '{name}'.")
