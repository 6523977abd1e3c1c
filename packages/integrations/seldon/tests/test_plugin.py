"""The plugin: found through its real entry point, light to import, its flavor and CLI."""

from __future__ import annotations

import zenml_seldon

from zenml.model_deployers.base import BaseModelDeployer
from zenml.model_deployers.config import BaseModelDeployerConfig
from zenml.plugins.manager import call_each, get_flavor_registry
from zenml.stack.component_type import StackComponentType as T
from zenml.testing import IntegrationPluginChecks, imported_modules_after

from conftest import Zen

REQUIREMENTS = ["jsonschema>=4", "kubernetes>=28", "mlserver>=1.6", "mlserver-sklearn>=1.6",
                "uvloop<0.22; sys_platform != 'win32'"]


class TestPlugin(IntegrationPluginChecks):
    name = "seldon"
    distribution = "zenml-seldon"
    module = "zenml_seldon.plugin"
    version = zenml_seldon.__version__
    requirements = REQUIREMENTS


def test_requirements_match_the_distribution_and_the_catalog() -> None:
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    from zenml.integrations.catalog import get_known

    declared = {str(Requirement(r)) for r in requires("zenml-seldon") or []}
    assert declared == {str(Requirement(r)) for r in ["zenml-core>=0.1,<0.2", *REQUIREMENTS]}
    assert list(get_known("seldon").requirements) == REQUIREMENTS


def test_the_seldon_flavor_is_registered_with_its_config_and_implementation() -> None:
    assert [f.name for f in dict(call_each("zenml_flavors"))["seldon"]] == ["seldon"]
    flavor = get_flavor_registry().get(T.MODEL_DEPLOYER, "seldon")
    assert flavor.integration == "seldon"
    assert issubclass(flavor.config_class, BaseModelDeployerConfig)
    assert issubclass(flavor.load_implementation(), BaseModelDeployer)
    assert set(flavor.config_class.model_fields) == {
        "mode", "kubernetes_context", "kubernetes_namespace", "base_url", "secret"}


def test_public_names_import_lazily() -> None:
    modules = imported_modules_after(code="import zenml_seldon")
    assert not {"zenml_seldon.steps", "zenml_seldon.local", "pydantic"} & modules
    from zenml_seldon import (
        SeldonDeployerStepConfig,
        SeldonDeploymentConfig,
        seldon_model_deployer_step,
    )

    assert SeldonDeployerStepConfig(service_config=SeldonDeploymentConfig(
        model_name="iris")).timeout == 120
    assert seldon_model_deployer_step.interface().inputs == {"deploy_decision": bool,
                                                             "model": object}


def test_cli_paths_import_no_sdk() -> None:
    for args in (["--help"], ["served-models", "--help"], ["model-deployer", "flavor", "list"]):
        modules = imported_modules_after(args)
        top = {m.partition(".")[0] for m in modules}
        assert not {"kubernetes", "mlserver", "jsonschema", "numpy", "sklearn"} & top, args
        assert "zenml_seldon.model_deployer" not in modules


def test_served_models_help_lists_the_commands(zen: Zen) -> None:
    out = zen("served-models", "--help").output
    for command in ("list", "describe", "get-url", "start", "stop", "delete"):
        assert f"  {command} " in out
    assert "served-models" in zen("--help").output


def test_served_models_without_a_model_deployer_is_one_error_line(zen: Zen) -> None:
    line = zen.error("served-models", "list")
    assert line == ("Error: The active stack 'default' has no model deployer; add one with "
                    "'zenml stack update -d NAME' (see 'zenml model-deployer list')")
