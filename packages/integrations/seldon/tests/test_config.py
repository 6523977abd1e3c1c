"""The flavor's config (modes, validation, stack rules) and the deployment config."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from zenml_seldon.deployment_config import SeldonDeploymentConfig
from zenml_seldon.flavors import SeldonModelDeployerConfig

from conftest import Zen


def test_kubernetes_is_the_default_mode_and_needs_the_ingress_url() -> None:
    config = SeldonModelDeployerConfig(base_url="http://ingress.example:80/")
    assert (config.mode, config.base_url, config.is_local) == (
        "kubernetes", "http://ingress.example:80", False)
    with pytest.raises(ValidationError, match="required in kubernetes mode"):
        SeldonModelDeployerConfig()
    local = SeldonModelDeployerConfig(mode="local")
    assert local.is_local and local.base_url is None
    with pytest.raises(ValidationError, match="not an http"):
        SeldonModelDeployerConfig(base_url="ingress:80")
    with pytest.raises(ValidationError, match="not a Kubernetes name"):
        SeldonModelDeployerConfig(mode="local", kubernetes_namespace="Bad_NS")


def test_register_errors_are_one_line(zen: Zen) -> None:
    line = zen.error("model-deployer", "register", "k8s", "--flavor=seldon")
    assert line.startswith("Error: Invalid value for --base_url (model deployer flavor "
                           "'seldon')") and "--mode=local" in line
    line = zen.error("model-deployer", "register", "x", "--flavor=seldon", "--mode=cloud")
    assert "--mode" in line and "'kubernetes' or 'local'" in line
    zen("model-deployer", "register", "seldon_deployer", "--flavor=seldon", "--mode=local")
    zen("model-deployer", "register", "k8s", "--flavor=seldon", "--base_url=http://ingress",
        "--kubernetes_namespace=models", "--secret=s3-creds")
    out = zen("model-deployer", "describe", "k8s").output
    assert "http://ingress" in out and "s3-creds" in out


def test_kubernetes_mode_refuses_a_local_artifact_store_and_local_mode_accepts_it(
        zen: Zen) -> None:
    zen("model-deployer", "register", "k8s", "--flavor=seldon", "--base_url=http://ingress")
    zen("model-deployer", "register", "here", "--flavor=seldon", "--mode=local")
    line = zen.error("stack", "register", "s", "-o", "default", "-a", "default", "-m",
                     "default", "-d", "k8s")
    assert "cannot serve models from the local artifact store 'default'" in line
    assert "--mode=local" in line
    zen("stack", "register", "s", "-o", "default", "-a", "default", "-m", "default", "-d",
        "here", "--set")


def test_deployment_config_checks_names_and_implementations() -> None:
    config = SeldonDeploymentConfig(model_name="iris-v2")
    assert (config.implementation, config.replicas, config.protocol) == (
        "SKLEARN_SERVER", 1, "v2")
    with pytest.raises(ValidationError, match="lower-case letters, digits and '-'"):
        SeldonDeploymentConfig(model_name="Iris_Model")
    with pytest.raises(ValidationError, match="is not one of SKLEARN_SERVER"):
        SeldonDeploymentConfig(model_name="iris", implementation="SKLEARN")
    with pytest.raises(ValidationError):
        SeldonDeploymentConfig(model_name="iris", replicas=0)
    with pytest.raises(ValidationError):
        SeldonDeploymentConfig(model_name="iris", unknown=1)  # type: ignore[call-arg]
    typed = SeldonDeploymentConfig(model_name="m", parameters={"a": True, "b": 2, "c": 0.5,
                                                               "d": "x"})
    assert typed.parameters == {"a": True, "b": 2, "c": 0.5, "d": "x"}
