"""``zenml served-models``: the active stack's model deployer and its services.

Imported whenever zenml lists its commands, so only click and light zenml
modules are imported at module level; the deployer (and whatever its flavor
needs) is loaded inside the commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from zenml.cli.output import declare, print_table, warning

if TYPE_CHECKING:
    from zenml.model_deployers.base import BaseModelDeployer

__all__ = ["served_models"]

_TIMEOUT_HELP = "Seconds to wait for the model server."


def _deployer() -> BaseModelDeployer:
    from zenml.model_deployers.base import BaseModelDeployer
    from zenml.repository import Repository
    from zenml.stack.component_type import StackComponentType

    repo = Repository()
    stack = repo.active_stack_model
    model = stack.components.get(StackComponentType.MODEL_DEPLOYER)
    if model is None:
        raise click.ClickException(
            f"The active stack '{stack.name}' has no model deployer; add one with 'zenml stack "
            f"update -d NAME' (see 'zenml model-deployer list')")
    deployer = repo.instantiate(model)
    if not isinstance(deployer, BaseModelDeployer):
        raise click.ClickException(f"Component '{model.name}' is not a model deployer")
    return deployer


@click.group("served-models", help="List, inspect, start, stop and delete the models served by "
                                   "the active stack's model deployer.")
def served_models() -> None:
    """The ``served-models`` group."""


@served_models.command("list", help="List the served models (newest last).")
@click.option("--pipeline", "-p", "pipeline_name", help="Only those this pipeline deployed.")
@click.option("--step", "-s", "step_name", help="Only those this pipeline step deployed.")
@click.option("--pipeline-run", "-r", "run_id", help="Only those this run (id) deployed.")
@click.option("--model", "-m", "model_name", help="Only those serving this model name.")
@click.option("--running", is_flag=True, help="Only those answering predictions now.")
def list_served_models(pipeline_name: str | None, step_name: str | None, run_id: str | None,
                       model_name: str | None, running: bool) -> None:
    deployer = _deployer()
    services = deployer.find_model_server(pipeline_name=pipeline_name, pipeline_run_id=run_id,
                                          pipeline_step_name=step_name, model_name=model_name,
                                          running=running)
    if not services:
        warning(f"No served models found (model deployer '{deployer.name}').")
        return
    rows = []
    for service in services:
        status = service.check_status()
        rows.append((status.state.value, service.uuid, service.config.model_name,
                     service.config.pipeline_name, service.config.pipeline_step_name,
                     service.prediction_url if status.is_running else ""))
    print_table(["STATUS", "UUID", "MODEL", "PIPELINE", "STEP", "PREDICTION URL"], rows,
                caption=f"model deployer '{deployer.name}' ({deployer.flavor})")


@served_models.command("describe", help="Show everything about one served model (UUID or a "
                                        "unique start of it).")
@click.argument("uuid")
def describe_served_model(uuid: str) -> None:
    service = _deployer().get_model_server(uuid)
    info = service.describe()
    print_table(["PROPERTY", "VALUE"], sorted(info.items()),
                title=f"Served model '{service.config.model_name}'")


@served_models.command("get-url", help="Print the prediction URL of a served model.")
@click.argument("uuid")
def get_url(uuid: str) -> None:
    service = _deployer().get_model_server(uuid)
    url = service.prediction_url
    if not url:
        raise click.ClickException(f"Served model {service.uuid} has no prediction URL "
                                   f"({service.check_status().state.value}); start it with "
                                   f"'zenml served-models start {service.uuid}'")
    declare(url)


@served_models.command("start", help="Start a stopped served model and wait until it answers.")
@click.argument("uuid")
@click.option("--timeout", "-t", type=float, default=120.0, show_default=True, help=_TIMEOUT_HELP)
def start_served_model(uuid: str, timeout: float) -> None:
    service = _deployer().start_model_server(uuid, timeout=timeout)
    declare(f"Served model {service.uuid} ('{service.config.model_name}') is running: "
            f"{service.prediction_url}")


@served_models.command("stop", help="Stop a served model (it can be started again).")
@click.argument("uuid")
@click.option("--timeout", "-t", type=float, default=120.0, show_default=True, help=_TIMEOUT_HELP)
@click.option("--force", "-f", is_flag=True, help="Kill the server instead of asking it to stop.")
def stop_served_model(uuid: str, timeout: float, force: bool) -> None:
    service = _deployer().stop_model_server(uuid, timeout=timeout, force=force)
    declare(f"Stopped served model {service.uuid} ('{service.config.model_name}').")


@served_models.command("delete", help="Stop a served model and delete it.")
@click.argument("uuid")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--timeout", "-t", type=float, default=120.0, show_default=True, help=_TIMEOUT_HELP)
@click.option("--force", "-f", is_flag=True, help="Kill the server instead of asking it to stop.")
def delete_served_model(uuid: str, yes: bool, timeout: float, force: bool) -> None:
    deployer = _deployer()
    service = deployer.get_model_server(uuid)
    if not yes:
        click.confirm(f"Delete served model {service.uuid} ('{service.config.model_name}')?",
                      abort=True)
    deployer.delete_model_server(service.uuid, timeout=timeout, force=force)
    declare(f"Deleted served model {service.uuid} ('{service.config.model_name}').")
