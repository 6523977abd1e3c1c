"""``zenml kubeflow``: helpers for stacks with a Kubeflow orchestrator.

Light at import (click only): the plugin adds the group to every ``zenml``
start. The commands import zenml's repository and this package's modules
inside their callbacks.
"""

from __future__ import annotations

import click

__all__ = ["kubeflow"]


@click.group("kubeflow", help="Helpers for stacks with a Kubeflow Pipelines orchestrator.")
def kubeflow() -> None:
    pass


@kubeflow.command("ui", help="Print the Kubeflow Pipelines UI address of a kubeflow "
                             "orchestrator (default: the active stack's) and check it answers.")
@click.argument("orchestrator_name", required=False)
def ui(orchestrator_name: str | None) -> None:
    from zenml.errors import ZenMLError
    from zenml.repository import Repository
    from zenml.stack.component_type import StackComponentType
    from zenml_kubeflow.client import port_forward_hint, probe
    from zenml_kubeflow.flavors import KUBEFLOW_ORCHESTRATOR_FLAVOR, KubeflowOrchestratorConfig

    repo = Repository()
    model = repo.find_component(StackComponentType.ORCHESTRATOR, orchestrator_name)
    if model.flavor != KUBEFLOW_ORCHESTRATOR_FLAVOR:
        raise ZenMLError(f"Orchestrator '{model.name}' is of flavor '{model.flavor}', not "
                         f"kubeflow; name a kubeflow orchestrator (see 'zenml orchestrator "
                         f"list')")
    _, config = repo.build_config(StackComponentType.ORCHESTRATOR, model.flavor, model.config)
    assert isinstance(config, KubeflowOrchestratorConfig)
    endpoint = probe(config)  # one line naming the problem when KFP does not answer
    if endpoint.ui_url:
        click.echo(f"Kubeflow Pipelines UI of orchestrator '{model.name}': {endpoint.ui_url}")
    else:
        click.echo(f"Kubeflow Pipelines of orchestrator '{model.name}' answers through the "
                   f"Kubernetes API ({endpoint.via}); for its UI run "
                   f"'{port_forward_hint(config)}' and open http://localhost:8080")
