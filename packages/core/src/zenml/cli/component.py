"""One command group per component type: ``zenml artifact-store register ...``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from zenml.cli.base import component_group_help
from zenml.cli.output import active_mark, declare, print_table
from zenml.stack.component_type import StackComponentType

if TYPE_CHECKING:
    from zenml.repository import Repository
    from zenml.stack.models import ComponentModel

__all__ = ["flavor_cell", "make_component_group"]


def _repo() -> Repository:
    from zenml.repository import Repository

    return Repository()


def _flavor_help(type_: StackComponentType) -> str:
    from zenml.plugins.manager import get_flavor_registry

    lines = []
    for flavor in get_flavor_registry().list(type_):
        lines.append(f"\b\n--flavor={flavor.name}: {flavor.description}")
        for name, field in flavor.config_class.model_fields.items():
            need = "required" if field.is_required() else "optional"
            lines.append(f"  --{name} ({need}): {field.description or ''}")
    if not lines:
        return (f"No {type_.display_name} flavors are installed; integrations bring them "
                f"(see 'zenml integration list').")
    return "\n".join(lines)


class _RegisterCommand(click.Command):
    """``register``, whose --help lists the installed flavors and their fields."""

    type_: StackComponentType

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_paragraph()
        formatter.write_text("Installed flavors and their fields:")
        for paragraph in _flavor_help(self.type_).split("\b\n"):
            if paragraph:
                formatter.write_paragraph()
                with formatter.indentation():
                    for line in paragraph.splitlines():
                        formatter.write(f"{formatter.current_indent * ' '}{line}\n")


def _config_rows(model: ComponentModel) -> list[tuple[str, Any]]:
    from zenml.plugins.manager import get_flavor_registry
    flavor = get_flavor_registry().find(model.type, model.flavor)
    if flavor is None:
        return [(k.upper(), v) for k, v in model.masked_config().items()]
    data = flavor.build_config(model.config).to_display()
    masked = model.masked_config()
    return [(k.upper(), masked.get(k, v)) for k, v in data.items()]


def _offer_secret(repo: Repository, type_: StackComponentType, name: str, flavor: str,
                  values: dict[str, Any]) -> bool:
    """``register -i``: offer to keep the secret fields in the active stack's secrets
    manager and reference them; True when the component was registered that way."""
    from zenml.secrets_managers.migration import (
        default_secret_name,
        plan_secret,
        store_as_secret,
    )
    from zenml.secrets_managers.references import parse_reference

    stack = repo.active_stack_model
    if StackComponentType.SECRETS_MANAGER not in stack.components:
        return False
    flavor_obj, config = repo.build_config(type_, flavor, values)  # refused before asking
    fields = [field for field in config.secret_field_names()
              if values.get(field) is not None and parse_reference(values[field]) is None]
    if not fields:
        return False
    manager_name = stack.components[StackComponentType.SECRETS_MANAGER].name
    secret_name = default_secret_name(type_, name)
    if not click.confirm(f"Store {', '.join(fields)} in secrets manager '{manager_name}' as "
                         f"secret '{secret_name}' (recommended)?", default=True):
        return False
    manager = repo.active_stack.secrets_manager
    assert manager is not None  # the stack has one
    secret, references = plan_secret(flavor_obj.config_class, secret_name, values, fields)
    stored = {**values, **{field: str(ref) for field, ref in references.items()}}
    store_as_secret(manager, secret,
                    lambda: repo.register_component(type_, name, flavor, stored))
    declare(f"Successfully registered {type_.display_name} `{name}`; {', '.join(fields)} "
            f"kept in secret '{secret_name}' of secrets manager '{manager_name}'.")
    return True


def flavor_cell(model: ComponentModel) -> str:
    """The flavor's name, with a note when it is not installed."""
    from zenml.integrations.catalog import not_installed_note
    from zenml.plugins.manager import get_flavor_lookup

    if get_flavor_lookup().find(model.type, model.flavor) is not None:
        return model.flavor
    return f"{model.flavor}: {not_installed_note(model.type, model.flavor)}"


def _not_installed_flavors(type_: StackComponentType) -> str:
    """The catalog's flavors of ``type_`` whose integration is not installed, and how to."""
    from zenml.integrations.catalog import CATALOG, install_hint
    from zenml.integrations.status import installed_version
    from zenml.plugins.manager import get_flavor_registry

    registry = get_flavor_registry()
    return ", ".join(f"{name} ({install_hint(type_, name)})" for entry in CATALOG
                     for t, name in entry.flavors
                     if t == type_ and registry.find(t, name) is None
                     and installed_version(entry.distribution) is None)


def _short(value: Any, limit: int = 80) -> str:
    import json

    if isinstance(value, str):
        return value
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def make_component_group(type_: StackComponentType) -> click.Group:
    """Build the ``zenml <type>`` group for one component type."""
    display, cli_name, a_display = type_.display_name, type_.cli_name, type_.a_name

    @click.group(name=cli_name, help=component_group_help(cli_name))
    def group() -> None:
        pass

    @group.command(
        "register",
        cls=_RegisterCommand,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        help=f"Register {a_display}: zenml {cli_name} register NAME --flavor=FLAVOR "
             f"--key=value ... Values are parsed by the field's type (JSON for dicts and "
             f"lists, @FILE reads a file).",
    )
    @click.argument("name")
    @click.option("--flavor", "-f", "flavor", required=True, help="The flavor to use.")
    @click.option("-i", "--interactive", is_flag=True,
                  help="Prompt for each configuration field (ENTER skips optional ones).")
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def register(name: str, flavor: str, interactive: bool, args: tuple[str, ...]) -> None:
        from zenml.cli.config_args import parse_extra_args, prompt_for_fields, typed_values
        from zenml.repository import check_name

        check_name(name, display)  # before any prompt: a bad name is refused at once
        repo = _repo()
        flavor_obj = repo.flavors.get(type_, flavor)
        raw = parse_extra_args(args)
        if interactive:
            raw = prompt_for_fields(flavor_obj.config_class, raw)
        values = typed_values(flavor_obj.config_class, raw)
        if interactive and _offer_secret(repo, type_, name, flavor, values):
            return
        repo.register_component(type_, name, flavor, values)
        declare(f"Successfully registered {display} `{name}`.")

    register.type_ = type_  # type: ignore[attr-defined]

    @group.command("list", help=f"List the registered {type_.plural}.")
    def list_() -> None:
        repo = _repo()
        models = repo.store.list_components(type_)
        if not models:
            declare(f"No {type_.plural} registered.")
            return
        active = repo.active_stack_model.components.get(type_)
        rows = [
            (active_mark() if active and active.id == m.id else "", m.name, flavor_cell(m), m.id,
             ", ".join(f"{k}={_short(v)}" for k, v in m.masked_config().items()))
            for m in models
        ]
        print_table(["ACTIVE", "NAME", "FLAVOR", "UUID", "CONFIGURATION"], rows)

    @group.command("describe", help=f"Show {a_display}'s configuration (default: the "
                                     f"active stack's).")
    @click.argument("name", required=False)
    def describe(name: str | None) -> None:
        repo = _repo()
        if name is None:
            model = repo.find_component(type_, None)
            declare(f"No component name given; using `{model.name}` from the active stack.")
        else:
            model = repo.find_component(type_, name)
        active = repo.active_stack_model.components.get(type_)
        state = repo.component_states().get(model.id)
        rows: list[tuple[str, Any]] = [("NAME", model.name), ("UUID", model.id),
                                       ("FLAVOR", flavor_cell(model))]
        rows += _config_rows(model)
        rows += [("STATE", state.label if state else "not brought up yet"),
                 ("CREATED", model.created), ("UPDATED", model.updated)]
        mark = " (ACTIVE)" if active and active.id == model.id else ""
        print_table(["PROPERTY", "VALUE"], rows, title=f"{display.capitalize()} "
                    f"'{model.name}'{mark}")

    @group.command("get", help=f"Print the active stack's {display}.")
    def get() -> None:
        repo = _repo()
        stack = repo.active_stack_model
        model = stack.components.get(type_)
        if model is None:
            declare(f"No {display} set for the active stack ('{stack.name}').")
        else:
            declare(f"Active {display}: '{model.name}'")

    @group.command("update", context_settings={"ignore_unknown_options": True,
                                                "allow_extra_args": True},
                   help=f"Change configuration fields of {a_display}: --key=value ...")
    @click.argument("name")
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def update(name: str, args: tuple[str, ...]) -> None:
        from zenml.cli.config_args import parse_extra_args, typed_values

        repo = _repo()
        raw = parse_extra_args(args)
        if not raw:
            raise click.UsageError("Nothing to update; pass --key=value")
        current = repo.store.get_component(type_, name)
        flavor = repo.flavors.get(type_, current.flavor)
        repo.update_component(type_, name, typed_values(flavor.config_class, raw))
        declare(f"Successfully updated {display} `{name}`.")

    @group.command("rename", help=f"Rename {a_display}.")
    @click.argument("name")
    @click.argument("new_name")
    def rename(name: str, new_name: str) -> None:
        from zenml.repository import check_name

        check_name(new_name, display)
        _repo().rename_component(type_, name, new_name)
        declare(f"Successfully renamed {display} `{name}` to `{new_name}`.")

    @group.command("delete", help=f"Delete {a_display} that no stack uses.")
    @click.argument("name")
    def delete(name: str) -> None:
        _repo().delete_component(type_, name)
        declare(f"Deleted {display}: {name}")

    @group.command("up", help=f"Provision and start {a_display} (default: the active "
                               f"stack's).")
    @click.argument("name", required=False)
    def up(name: str | None) -> None:
        repo = _repo()
        model = repo.find_component(type_, name)
        state = repo.set_component_state(type_, model.name, up=True)
        declare(f"{display.capitalize()} '{model.name}' is {state.label}.")

    @group.command("down", help=f"Suspend {a_display}; --force deprovisions it.")
    @click.argument("name", required=False)
    @click.option("--force", "-f", is_flag=True, help="Deprovision (delete) its resources.")
    def down(name: str | None, force: bool) -> None:
        repo = _repo()
        model = repo.find_component(type_, name)
        state = repo.set_component_state(type_, model.name, up=False, force=force)
        declare(f"{display.capitalize()} '{model.name}' is {state.label}.")

    @group.group("flavor", help=f"The flavors of {type_.plural}.")
    def flavor() -> None:
        pass

    @flavor.command("list", help=f"List the installed {display} flavors.")
    def flavor_list() -> None:
        from zenml.plugins.manager import get_flavor_registry

        flavors = get_flavor_registry().list(type_)
        available = _not_installed_flavors(type_)
        if not flavors:
            declare(f"No {display} flavors are installed; integrations bring them "
                    f"(see 'zenml integration list').")
        else:
            rows = [(f.name, f.integration or "built-in", ", ".join(f.config_class.model_fields),
                     f.description) for f in flavors]
            print_table(["FLAVOR", "INTEGRATION", "FIELDS", "DESCRIPTION"], rows)
        if available:
            declare(f"Not installed: {available}")

    return group
