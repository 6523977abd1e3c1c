"""SeldonDeployment manifests, checked against the CRD schema kept in the package."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from zenml_seldon.deployment_config import SeldonDeploymentConfig
from zenml_seldon.manifest import build_manifest, label_value, schema, validate_manifest

from zenml.model_deployers.service import ServiceError

from conftest import need

UUID = "0b7a1e8e-54a4-4b3e-9d0a-2d3c4e5f6a7b"


@pytest.fixture(autouse=True)
def _jsonschema() -> None:
    need("jsonschema")


def manifest(**config: Any) -> dict[str, Any]:
    values = {"model_name": "iris", "model_uri": "s3://bucket/run/deployer/output/model",
              "pipeline_name": "train_and_deploy", "pipeline_step_name": "deployer", **config}
    return build_manifest(uuid=UUID, deployer_id="4f0c", namespace="models",
                          config=SeldonDeploymentConfig(**values), secret="s3-creds",
                          record={"uuid": UUID, "config": values})


def test_the_schema_is_the_crd_subset_for_seldondeployment_v1() -> None:
    data = schema()
    assert data["properties"]["apiVersion"] == {"const": "machinelearning.seldon.io/v1"}
    assert data["properties"]["spec"]["properties"]["protocol"]["enum"] == [
        "seldon", "tensorflow", "kfserving", "v2"]
    assert data["definitions"]["predictiveUnit"]["required"] == ["name"]


@pytest.mark.parametrize("implementation", ["SKLEARN_SERVER", "XGBOOST_SERVER",
                                            "TENSORFLOW_SERVER", "MLFLOW_SERVER"])
def test_prepackaged_servers_give_valid_manifests(implementation: str) -> None:
    sdep = manifest(implementation=implementation, replicas=3)
    assert sdep["metadata"]["name"] == f"zenml-{UUID}"
    assert sdep["metadata"]["namespace"] == "models"
    predictor = sdep["spec"]["predictors"][0]
    assert predictor["replicas"] == 3 and "componentSpecs" not in predictor
    assert predictor["graph"] == {
        "name": "iris", "type": "MODEL", "implementation": implementation,
        "modelUri": "s3://bucket/run/deployer/output/model", "envSecretRefName": "s3-creds",
        # the method SKLEARN_SERVER answers is always explicit (Seldon's default: predict_proba)
        **({"parameters": [{"name": "method", "type": "STRING", "value": "predict_proba"}]}
           if implementation == "SKLEARN_SERVER" else {})}
    assert sdep["spec"]["protocol"] == "v2"
    labels = sdep["metadata"]["labels"]
    assert labels["app.kubernetes.io/managed-by"] == "zenml"
    assert labels["zenml.io/service-uuid"] == UUID
    assert labels["zenml.io/pipeline-step-name"] == "deployer"
    record = json.loads(sdep["metadata"]["annotations"]["zenml.io/service"])
    assert record["uuid"] == UUID and record["config"]["model_name"] == "iris"


def test_custom_images_resources_and_parameters() -> None:
    sdep = manifest(implementation="custom", image="registry.example/iris:1",
                    resources={"limits": {"cpu": "500m", "memory": "1Gi"}},
                    parameters={"threshold": 0.5, "debug": True, "top": 3, "label": "x"},
                    protocol="seldon")
    predictor = sdep["spec"]["predictors"][0]
    assert "implementation" not in predictor["graph"]
    assert predictor["componentSpecs"] == [{"spec": {"containers": [{
        "name": "iris", "image": "registry.example/iris:1",
        "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}}}]}}]
    assert predictor["graph"]["parameters"] == [
        {"name": "debug", "type": "BOOL", "value": "true"},
        {"name": "label", "type": "STRING", "value": "x"},
        {"name": "threshold", "type": "DOUBLE", "value": "0.5"},
        {"name": "top", "type": "INT", "value": "3"}]
    assert sdep["spec"]["protocol"] == "seldon"
    with pytest.raises(ServiceError, match="set image to the container image"):
        manifest(implementation="custom")


def test_stopped_manifests_have_no_replicas() -> None:
    sdep = build_manifest(uuid=UUID, deployer_id="d", namespace="default",
                          config=SeldonDeploymentConfig(model_name="iris"), secret=None,
                          record={}, stopped=True)
    assert sdep["spec"]["predictors"][0]["replicas"] == 0
    assert sdep["metadata"]["annotations"]["zenml.io/stopped"] == "true"
    assert "envSecretRefName" not in sdep["spec"]["predictors"][0]["graph"]


@pytest.mark.parametrize("path, value, message", [
    (("spec", "predictors", 0, "replicas"), -1, "spec.predictors[0].replicas': -1 is less than"),
    (("spec", "protocol"), "grpc", "spec.protocol': 'grpc' is not one of"),
    (("spec", "predictors", 0, "graph", "type"), "PREDICTOR", "graph.type'"),
    (("spec", "predictors", 0, "graph", "modelUrl"), "s3://x", "Additional properties"),
    (("metadata", "name"), "Zenml_Model", "metadata.name': 'Zenml_Model' does not match"),
    (("spec", "predictors", 0, "graph", "parameters"), [{"name": "a", "value": "1"}],
     "'type' is a required property"),
    (("spec", "predictors", 0, "componentSpecs"),
     [{"spec": {"containers": [{"name": "iris", "resources": {"limits": {"cpu": "lots"}}}]}}],
     "componentSpecs[0].spec.containers[0].resources.limits.cpu'"),
])
def test_manifests_breaking_the_crd_schema_are_refused_naming_the_field(
        path: tuple[Any, ...], value: Any, message: str) -> None:
    sdep = copy.deepcopy(manifest())
    target = sdep
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ServiceError, match="does not match the CRD schema") as error:
        validate_manifest(sdep)
    assert message in str(error.value)


def test_missing_predictors_are_refused() -> None:
    sdep = manifest()
    del sdep["spec"]["predictors"]
    with pytest.raises(ServiceError, match="'predictors' is a required property"):
        validate_manifest(sdep)


def test_label_values_are_made_valid() -> None:
    assert label_value("my pipeline/v2 (final)") == "my-pipeline-v2--final"
    assert len(label_value("x" * 100)) == 63
    sdep = manifest(pipeline_name="Train & Deploy!")
    assert sdep["metadata"]["labels"]["zenml.io/pipeline-name"] == "Train---Deploy"
