"""The same model answers the same in local mode (real MLServer) and on Kubernetes.

Seldon Core 1.x's SKLEARN_SERVER answers ``predict_proba`` unless its ``method``
parameter says otherwise, and code written for the original framework takes the
``argmax`` of that answer. Local mode must answer the same, and the manifest
carries the method explicitly so both agree whatever a server's default. The
cluster cannot really serve here (kmock emulates the API server only): its side
is proven by the manifest's parameters and by the stub ingress of
``test_kubernetes`` playing Seldon's servers (SKLEARN_SERVER's ``method``,
MLServer's requested ``outputs``, XGBOOST_SERVER's booster) at the paths
Seldon's ingress serves.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_kubernetes import Cluster, Ingress, Operator
from test_kubernetes import config as k8s_config
from test_kubernetes import make_deployer as make_k8s_deployer
from test_local import config as local_config
from test_local import make_deployer as make_local_deployer
from zenml_seldon.cluster import SeldonDeploymentService

from zenml.errors import RunFailedError
from zenml.model_deployers.local import http_post_json
from zenml.model_deployers.service import ServiceError
from zenml.pipelines import pipeline
from zenml.steps import BaseStepConfig, Output, step

from conftest import IRIS, Zen, need

try:
    from sklearn.base import ClassifierMixin
    from sklearn.svm import SVC
except ImportError:  # the tests skip (or fail under CI=true) through need()
    ClassifierMixin = SVC = object

pytestmark = pytest.mark.usefixtures("no_orphans")


@pytest.fixture(autouse=True)
def _needs() -> None:
    need("mlserver", "mlserver_sklearn", "sklearn", "kmock", "kubernetes", "jsonschema")


@pytest.fixture
def k8s(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    """kmock's Kubernetes API emulator, with a kubeconfig for it."""
    kubeconfig = tmp_path / "kubeconfig"
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    with Cluster(kubeconfig) as running:
        yield running


@pytest.fixture
def local() -> Any:
    deployer = make_local_deployer()
    yield deployer
    for service in deployer.list_services():
        deployer.delete_model_server(service.uuid, timeout=20, force=True)


def _method_parameter(sdep: dict[str, Any]) -> dict[str, Any]:
    graph = sdep["spec"]["predictors"][0]["graph"]
    return {p["name"]: p for p in graph.get("parameters", [])}.get("method", {})


# -- SKLEARN_SERVER: predict_proba by default, in both modes, with both protocols -----------

@pytest.mark.parametrize("protocol", ["v2", "seldon"])
def test_sklearn_server_answers_predict_proba_in_both_modes(
        protocol: str, local: Any, k8s: Cluster, iris_model: Path) -> None:
    import joblib

    model = joblib.load(iris_model / "model.joblib")
    expected = model.predict_proba(np.asarray(IRIS))

    served = local.deploy_model(local_config(iris_model, protocol=protocol), timeout=60)
    here = served.predict(IRIS)
    assert here.shape == expected.shape == (3, 3)
    np.testing.assert_allclose(here, expected, rtol=1e-6)
    assert here.argmax(axis=-1).tolist() == model.predict(np.asarray(IRIS)).tolist() == [0, 1, 2]
    # the server itself is set up that way: a plain V2 request naming no output gets it too
    raw = http_post_json(served.prediction_url, {"inputs": [
        {"name": "x", "shape": [1, 4], "datatype": "FP64", "data": IRIS[2]}]})
    assert raw["outputs"][0]["name"] == "predict_proba" and raw["outputs"][0]["shape"] == [1, 3]
    settings = json.loads((served.folder / "gen-1" / "models" / "iris" /
                           "model-settings.json").read_text())
    assert settings["parameters"]["extra"] == {"predict_fn": "predict_proba"}

    ingress = Ingress(k8s)
    try:
        with Operator(k8s):
            remote = make_k8s_deployer(ingress.url).deploy_model(
                k8s_config(iris_model, protocol=protocol), timeout=20)
            (sdep,) = k8s.deployments()
            assert _method_parameter(sdep) == {"name": "method", "type": "STRING",
                                               "value": "predict_proba"}
            there = remote.predict(IRIS)
    finally:
        ingress.shutdown()
    assert there.shape == here.shape
    np.testing.assert_allclose(there, here, rtol=1e-6)


@pytest.mark.parametrize("protocol", ["v2", "seldon"])
def test_method_predict_gives_labels_in_both_modes(protocol: str, local: Any, k8s: Cluster,
                                                   iris_model: Path) -> None:
    parameters = {"method": "predict"}
    here = local.deploy_model(local_config(iris_model, protocol=protocol, parameters=parameters),
                              timeout=60).predict(IRIS)
    ingress = Ingress(k8s)
    try:
        with Operator(k8s):
            there = make_k8s_deployer(ingress.url).deploy_model(
                k8s_config(iris_model, protocol=protocol, parameters=parameters),
                timeout=20).predict(IRIS)
            assert _method_parameter(k8s.deployments()[0])["value"] == "predict"
    finally:
        ingress.shutdown()
    assert np.ravel(here).tolist() == np.ravel(there).tolist() == [0, 1, 2]
    assert here.size == there.size == 3


def test_methods_a_server_cannot_answer_are_refused_with_one_line(local: Any,
                                                                  iris_model: Path) -> None:
    from pydantic import ValidationError
    from zenml_seldon import SeldonDeploymentConfig

    cases = [
        ({"implementation": "MLFLOW_SERVER", "parameters": {"method": "predict_proba"}},
         "MLFLOW_SERVER takes no 'method' parameter"),
        ({"parameters": {"method": "predict_log_proba"}},
         "'predict_log_proba' of SKLEARN_SERVER is not one of predict, predict_proba, "
         "decision_function"),
        ({"parameters": {"method": "decision_function"}},
         "'decision_function' needs protocol 'seldon'"),
    ]
    for values, message in cases:
        with pytest.raises(ValidationError, match=message):
            SeldonDeploymentConfig(model_name="iris", **values)
    # Seldon's own server answers decision_function; MLServer cannot: refused, not answered
    with pytest.raises(ServiceError, match="method 'decision_function' cannot be served "
                                           "locally"):
        local.deploy_model(local_config(iris_model, protocol="seldon",
                                        parameters={"method": "decision_function"}), timeout=60)
    assert local.list_services() == []
    # TENSORFLOW_SERVER has no MLServer runtime: refused in local mode
    with pytest.raises(ServiceError, match="TENSORFLOW_SERVER cannot be served locally"):
        local.deploy_model(local_config(iris_model, implementation="TENSORFLOW_SERVER"),
                           timeout=60)


# -- XGBOOST_SERVER (Seldon protocol): the booster's predict, in both modes -----------------

@pytest.mark.filterwarnings("ignore:.*UBJSON format:UserWarning")
def test_xgboost_server_answers_the_booster_predict_in_both_modes(
        local: Any, k8s: Cluster, tmp_path: Path) -> None:
    need("xgboost")
    import xgboost
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    folder = tmp_path / "xgb"
    folder.mkdir()
    booster = xgboost.train({"objective": "multi:softprob", "num_class": 3, "max_depth": 2},
                            xgboost.DMatrix(X, label=y), num_boost_round=5)
    booster.save_model(str(folder / "model.bst"))
    expected = booster.predict(xgboost.DMatrix(np.asarray(IRIS)))

    cfg = {"implementation": "XGBOOST_SERVER", "protocol": "seldon"}
    here = local.deploy_model(local_config(folder, **cfg), timeout=60).predict(IRIS)
    assert here.shape == expected.shape == (3, 3)
    np.testing.assert_allclose(here, expected, rtol=1e-5)
    ingress = Ingress(k8s)
    try:
        with Operator(k8s):
            there = make_k8s_deployer(ingress.url).deploy_model(k8s_config(folder, **cfg),
                                                                timeout=20).predict(IRIS)
            assert _method_parameter(k8s.deployments()[0]) == {}  # it takes no method
    finally:
        ingress.shutdown()
    np.testing.assert_allclose(there, here, rtol=1e-5)
    assert here.argmax(axis=-1).tolist() == [0, 1, 2]


# -- the original framework's seldon example, as it was written -----------------------------

class DeploymentTriggerConfig(BaseStepConfig):
    min_accuracy: float


class SeldonDeploymentLoaderStepConfig(BaseStepConfig):
    pipeline_name: str
    step_name: str
    model_name: str


@step
def importer_digits() -> Output(x_train=np.ndarray, y_train=np.ndarray, x_test=np.ndarray,
                                y_test=np.ndarray):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.2,
                                                        random_state=0, shuffle=True)
    return x_train, y_train, x_test, y_test


@step
def sklearn_trainer(x_train: np.ndarray, y_train: np.ndarray) -> ClassifierMixin:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=500).fit(x_train, y_train)


@step
def sklearn_evaluator(x_test: np.ndarray, y_test: np.ndarray,
                      model: ClassifierMixin) -> float:
    return float(model.score(x_test, y_test))


@step
def deployment_trigger(accuracy: float, config: DeploymentTriggerConfig) -> bool:
    return accuracy > config.min_accuracy


@step(enable_cache=False)
def prediction_service_loader(config: SeldonDeploymentLoaderStepConfig
                              ) -> SeldonDeploymentService:
    from zenml.integrations.seldon.model_deployers import SeldonModelDeployer

    model_deployer = SeldonModelDeployer.get_active_model_deployer()
    services = model_deployer.find_model_server(pipeline_name=config.pipeline_name,
                                                pipeline_step_name=config.step_name,
                                                model_name=config.model_name)
    if not services:
        raise RuntimeError(f"No Seldon prediction server for '{config.model_name}'")
    if not services[0].is_running:
        raise RuntimeError("The Seldon prediction server is not running")
    return services[0]


@step
def predictor(service: SeldonDeploymentService,
              data: np.ndarray) -> Output(predictions=np.ndarray):
    service.start(timeout=120)  # a no-op when it runs
    prediction = service.predict(data)
    return prediction.argmax(axis=-1)


@pipeline
def continuous_deployment_pipeline(importer, trainer, evaluator, deployment_trigger,
                                   model_deployer):
    x_train, y_train, x_test, y_test = importer()
    model = trainer(x_train=x_train, y_train=y_train)
    accuracy = evaluator(x_test=x_test, y_test=y_test, model=model)
    deployment_decision = deployment_trigger(accuracy=accuracy)
    model_deployer(deployment_decision, model)


@pipeline
def inference_pipeline(importer, prediction_service_loader, predictor):
    _, _, x_test, _ = importer()
    service = prediction_service_loader()
    predictor(service, x_test)


def test_the_era_seldon_example_flow(zen: Zen) -> None:
    """The era's import paths, config and service API (its example ran on Kubernetes;
    here the same code runs on a local seldon deployer and must predict the same)."""
    from zenml.integrations.seldon.model_deployers import SeldonModelDeployer
    from zenml.integrations.seldon.services import (
        SeldonDeploymentConfig,
        SeldonDeploymentService,
    )
    from zenml.integrations.seldon.steps import (
        SeldonDeployerStepConfig,
        seldon_model_deployer_step,
    )

    zen("model-deployer", "register", "seldon_deployer", "--flavor=seldon", "--mode=local")
    zen("stack", "register", "local_seldon", "-o", "default", "-a", "default", "-m", "default",
        "-d", "seldon_deployer", "--set")
    model_deployer = SeldonModelDeployer.get_active_model_deployer()
    try:
        deployment = continuous_deployment_pipeline(
            importer=importer_digits(),
            trainer=sklearn_trainer(),
            evaluator=sklearn_evaluator(),
            deployment_trigger=deployment_trigger(
                config=DeploymentTriggerConfig(min_accuracy=0.9)),
            model_deployer=seldon_model_deployer_step(config=SeldonDeployerStepConfig(
                service_config=SeldonDeploymentConfig(model_name="mnist", replicas=1,
                                                      implementation="SKLEARN_SERVER"),
                timeout=120)),
        ).run()
        inference = inference_pipeline(
            importer=importer_digits(),
            prediction_service_loader=prediction_service_loader(
                SeldonDeploymentLoaderStepConfig(
                    pipeline_name="continuous_deployment_pipeline",
                    step_name="seldon_model_deployer_step", model_name="mnist")),
            predictor=predictor(),
        ).run()

        model = deployment.get_step("trainer").output.read()
        x_test = deployment.get_step("importer").outputs["x_test"].read()
        predictions = inference.get_step("predictor").output.read()
        assert predictions.shape == (len(x_test),)
        assert predictions.tolist() == model.predict(x_test).tolist()
        assert len(set(predictions.tolist())) == 10  # not all zeros: every digit appears

        # run.py's closing report, as the era wrote it
        services = model_deployer.find_model_server(
            pipeline_name="continuous_deployment_pipeline",
            pipeline_step_name="seldon_model_deployer_step", model_name="mnist")
        assert len(services) == 1
        service = services[0]
        assert isinstance(service, SeldonDeploymentService)
        assert service.is_running and not service.is_failed
        assert service.status.last_error == ""
        assert service.prediction_url.endswith("/v2/models/mnist/infer")
        # our name for the step (its pipeline parameter) finds it too, and nothing else does
        assert [s.uuid for s in model_deployer.find_model_server(
            pipeline_step_name="model_deployer")] == [service.uuid]
        assert model_deployer.find_model_server(pipeline_step_name="trainer") == []
        service.stop(timeout=30)
        assert service.is_stopped and not service.is_running
    finally:
        for served in model_deployer.list_services():
            model_deployer.delete_model_server(served.uuid, timeout=20, force=True)


@step
def svc_trainer(x_train: np.ndarray, y_train: np.ndarray) -> SVC:
    return SVC(gamma=0.001).fit(x_train, y_train)  # no predict_proba without probability


@step
def svc_evaluator(x_test: np.ndarray, y_test: np.ndarray, model: SVC) -> float:
    return float(model.score(x_test, y_test))


@pipeline
def svc_pipeline(importer, trainer, evaluator, deployment_trigger, model_deployer):
    x_train, y_train, x_test, y_test = importer()
    model = trainer(x_train=x_train, y_train=y_train)
    model_deployer(deployment_trigger(accuracy=evaluator(x_test, y_test, model)), model)


def test_a_model_without_the_servers_method_is_refused_before_deploying(zen: Zen) -> None:
    from zenml_seldon.steps import (
        SeldonDeployerStepConfig,
        SeldonDeploymentConfig,
        seldon_model_deployer_step,
    )

    zen("model-deployer", "register", "seldon_deployer", "--flavor=seldon", "--mode=local")
    zen("stack", "register", "local_seldon", "-o", "default", "-a", "default", "-m", "default",
        "-d", "seldon_deployer", "--set")
    with pytest.raises(RunFailedError, match=r"ServiceError: The SVC model given to "
                                             r"'model_deployer' has no predict_proba\(\).*"
                                             r"parameters=\{'method': 'predict'\}"):
        svc_pipeline(importer=importer_digits(), trainer=svc_trainer(),
                     evaluator=svc_evaluator(),
                     deployment_trigger=deployment_trigger(
                         config=DeploymentTriggerConfig(min_accuracy=0.0)),
                     model_deployer=seldon_model_deployer_step(config=SeldonDeployerStepConfig(
                         service_config=SeldonDeploymentConfig(model_name="svc"),
                         timeout=60))).run()
    from zenml_seldon.model_deployer import SeldonModelDeployer

    assert SeldonModelDeployer.get_active_model_deployer().list_services() == []


def test_secret_name_of_the_service_config_overrides_the_deployers(k8s: Cluster,
                                                                    iris_model: Path) -> None:
    deployer = make_k8s_deployer(secret="deployer-creds")
    with pytest.raises(ServiceError, match=r"Secret 'model-creds' does not exist in namespace "
                                           r"'models'.* or change the service config's "
                                           r"secret_name"):
        deployer.deploy_model(k8s_config(iris_model, secret_name="model-creds"), timeout=20)
    assert k8s.deployments() == []
    k8s.create_secret("model-creds")
    with Operator(k8s):
        deployer.deploy_model(k8s_config(iris_model, secret_name="model-creds"), timeout=20)
    (sdep,) = k8s.deployments()
    assert sdep["spec"]["predictors"][0]["graph"]["envSecretRefName"] == "model-creds"


def test_get_active_model_deployer_names_the_fix(zen: Zen) -> None:
    from zenml_seldon.model_deployer import SeldonModelDeployer

    from zenml.errors import StackValidationError

    with pytest.raises(StackValidationError, match="The active stack 'default' has no model "
                                                   "deployer; register one"):
        SeldonModelDeployer.get_active_model_deployer()
    zen("model-deployer", "register", "seldon_deployer", "--flavor=seldon", "--mode=local")
    zen("stack", "update", "default", "-d", "seldon_deployer")
    deployer = SeldonModelDeployer.get_active_model_deployer()
    assert isinstance(deployer, SeldonModelDeployer) and deployer.name == "seldon_deployer"
