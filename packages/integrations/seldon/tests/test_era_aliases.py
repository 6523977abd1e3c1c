"""The original framework's import paths of the seldon integration (issue 15, item 3):
thin aliases whose names are the very objects of zenml_seldon."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from zenml.integrations.aliases import ALIASES
from zenml.integrations.constants import SELDON
from zenml.utils.imports import import_object

CASES = [
    ('zenml.integrations.seldon.steps',
     'seldon_model_deployer_step', 'zenml_seldon.steps:seldon_model_deployer_step'),
    ('zenml.integrations.seldon.steps',
     'SeldonDeployerStepConfig', 'zenml_seldon.steps:SeldonDeployerStepConfig'),
    ('zenml.integrations.seldon.steps.seldon_deployer',
     'seldon_model_deployer_step', 'zenml_seldon.steps:seldon_model_deployer_step'),
    ('zenml.integrations.seldon.services',
     'SeldonDeploymentConfig', 'zenml_seldon.deployment_config:SeldonDeploymentConfig'),
    ('zenml.integrations.seldon.services',
     'SeldonDeploymentService', 'zenml_seldon.cluster:SeldonDeploymentService'),
    ('zenml.integrations.seldon.services.seldon_deployment',
     'SeldonDeploymentService', 'zenml_seldon.cluster:SeldonDeploymentService'),
    ('zenml.integrations.seldon.services.seldon_deployment',
     'SeldonDeploymentConfig', 'zenml_seldon.deployment_config:SeldonDeploymentConfig'),
    ('zenml.integrations.seldon.model_deployers',
     'SeldonModelDeployer', 'zenml_seldon.model_deployer:SeldonModelDeployer'),
    ('zenml.integrations.seldon.model_deployers.seldon_model_deployer',
     'SeldonModelDeployer', 'zenml_seldon.model_deployer:SeldonModelDeployer'),
    ('zenml.integrations.seldon',
     'SELDON_MODEL_DEPLOYER_FLAVOR', 'zenml_seldon.flavors:SELDON_MODEL_DEPLOYER_FLAVOR'),
]


@pytest.mark.parametrize(("era_path", "name", "ours"), CASES,
                         ids=[f"{p}:{n}" for p, n, _ in CASES])
def test_the_era_path_names_our_object(era_path: str, name: str, ours: str) -> None:
    module = importlib.import_module(era_path)
    assert getattr(module, name) is import_object(ours)
    assert name in module.__all__ and name in dir(module)


def test_every_era_path_of_the_integration_imports_and_star_imports() -> None:
    paths = [p for p, alias in ALIASES.items() if alias.requires == "zenml_seldon"]
    assert len(paths) >= 3
    for path in paths:
        namespace: dict[str, object] = {}
        exec(f"from {path} import *", namespace)
        names = [n for n in namespace if not n.startswith("__")]
        assert names, path
        module = importlib.import_module(path)
        assert all(namespace[n] is getattr(module, n) for n in names)


def test_the_eras_integration_class_and_name() -> None:
    from zenml.integrations.seldon import SeldonIntegration

    assert SELDON == "seldon" == SeldonIntegration.NAME
    assert SeldonIntegration.check_installation()
    assert SeldonIntegration.get_requirements()[0] == "zenml-seldon"
    SeldonIntegration.activate()


def test_an_unknown_name_of_an_era_module_is_an_attribute_error() -> None:
    module = importlib.import_module("zenml.integrations.seldon.steps")
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchThing'"):
        _ = module.NoSuchThing  # type: ignore[attr-defined]


def test_a_fresh_process_imports_the_era_path_without_zenml_first() -> None:
    code = ("from zenml.integrations.seldon.steps import seldon_model_deployer_step; "
            "print(seldon_model_deployer_step.__module__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("zenml_seldon")
