"""The plugin is found through its real entry point, registers the flavor and the
``zenml kubeflow`` commands, and stays light to import (no kfp, no kubernetes)."""

from __future__ import annotations

import zenml_kubeflow

from zenml.integrations.catalog import get_known
from zenml.orchestrators.base import BaseOrchestrator
from zenml.orchestrators.config import BaseOrchestratorConfig
from zenml.plugins.manager import call_each, get_flavor_registry
from zenml.stack.component_type import StackComponentType as T
from zenml.testing import IntegrationPluginChecks, imported_modules_after
from zenml.testing.plugins import HEAVY_MODULES

from conftest import Zen

EXPECTED_REQUIREMENTS = ["kfp>=2.15,<3", "kubernetes>=28", "pathspec>=0.12,<2"]


class TestPlugin(IntegrationPluginChecks):
    name = "kubeflow"
    distribution = "zenml-kubeflow"
    module = "zenml_kubeflow.plugin"
    version = zenml_kubeflow.__version__
    requirements = EXPECTED_REQUIREMENTS


def test_requirements_match_the_catalog_and_the_distribution() -> None:
    from importlib.metadata import requires

    from packaging.requirements import Requirement  # pytest's own dependency

    assert list(get_known("kubeflow").requirements) == EXPECTED_REQUIREMENTS
    declared = [Requirement(r) for r in requires("zenml-kubeflow") or []]
    for requirement in EXPECTED_REQUIREMENTS:
        assert Requirement(requirement) in declared, declared


def test_the_kubeflow_orchestrator_flavor_is_registered() -> None:
    flavors = dict(call_each("zenml_flavors"))["kubeflow"]
    assert [(f.name, f.type) for f in flavors] == [("kubeflow", T.ORCHESTRATOR),
                                                   ("kubernetes", T.SECRETS_MANAGER)]
    flavor = get_flavor_registry().get(T.ORCHESTRATOR, "kubeflow")
    assert flavor.integration == "kubeflow"
    assert issubclass(flavor.config_class, BaseOrchestratorConfig)
    assert issubclass(flavor.load_implementation(), BaseOrchestrator)
    assert flavor.description.startswith("Runs every step as a pod on Kubeflow Pipelines")


def test_flavor_listing_and_the_orchestrator_module_import_no_sdk() -> None:
    """Flavors and configs are read by the CLI; the orchestrator module by every pod."""
    for code in ("import zenml_kubeflow.flavors", "import zenml_kubeflow.cli",
                 "import zenml_kubeflow.orchestrator"):
        modules = imported_modules_after(code=code)
        heavy = {name.partition(".")[0] for name in modules} & set(HEAVY_MODULES)
        assert heavy == set(), (code, heavy)
    modules = imported_modules_after(["orchestrator", "flavor", "list"])
    assert {name.partition(".")[0] for name in modules} & set(HEAVY_MODULES) == set()


def test_cli_commands_have_help(zen: Zen) -> None:
    assert "kubeflow" in zen("--help").output
    assert "ui" in zen("kubeflow", "--help").output
    assert "Kubeflow Pipelines UI" in zen("kubeflow", "ui", "--help").output
    help_text = zen("orchestrator", "register", "--help").output
    assert "--flavor=kubeflow" in help_text and "--compile_only" in help_text


def test_the_kubernetes_secrets_manager_flavor_is_registered_and_light() -> None:
    from zenml.secrets_managers.base import BaseSecretsManager
    from zenml.secrets_managers.config import BaseSecretsManagerConfig

    flavor = get_flavor_registry().get(T.SECRETS_MANAGER, "kubernetes")
    assert flavor.integration == "kubeflow"
    assert issubclass(flavor.config_class, BaseSecretsManagerConfig)
    assert flavor.build_config({}).model_dump() == {"kubernetes_context": None,
                                                   "namespace": "kubeflow"}
    assert issubclass(flavor.load_implementation(), BaseSecretsManager)
    modules = imported_modules_after(code="import zenml_kubeflow.secrets_manager")
    assert {name.partition(".")[0] for name in modules} & set(HEAVY_MODULES) == set()
