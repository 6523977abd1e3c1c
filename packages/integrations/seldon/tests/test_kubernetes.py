"""Kubernetes mode, driven against kmock's in-process Kubernetes API emulator.

No cluster can run here (see the research notes), so kmock's
``KubernetesEmulator`` plays the API server on a loopback port: the real
``kubernetes`` client loads a real kubeconfig pointing at it and creates,
reads, lists, patches, replaces and deletes SeldonDeployments there. A small
thread plays the Seldon Core operator (it sets ``status.state``), and a stub
ingress answers predictions at the paths Seldon's ingress serves.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from zenml.artifact_stores.base import BaseArtifactStore
from zenml.artifact_stores.config import BaseArtifactStoreConfig
from zenml.model_deployers.service import ServiceError, ServiceState, ServiceTimeoutError
from zenml.plugins import hookimpl
from zenml.stack.component_type import StackComponentType as T
from zenml.stack.flavor import Flavor
from zenml.testing import plugin_registered

from conftest import IRIS, Zen, need

GROUP, VERSION, PLURAL = "machinelearning.seldon.io", "v1", "seldondeployments"
NAMESPACE = "models"


@pytest.fixture(autouse=True)
def _kmock() -> None:
    need("kmock", "kubernetes", "jsonschema", "sklearn")


class Cluster:
    """kmock's emulator on a background event loop, with a kubeconfig for it."""

    def __init__(self, kubeconfig: Path, with_seldon: bool = True) -> None:
        self.with_seldon = with_seldon
        self.kubeconfig = kubeconfig
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, daemon=True)
        self.url = ""

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        import kmock

        async with kmock.KubernetesEmulator() as k8s, kmock.Server(k8s) as server:
            if self.with_seldon:
                k8s.resources[f"{GROUP}/{VERSION}/{PLURAL}"] = {
                    "kind": "SeldonDeployment", "namespaced": True}
            k8s.resources["v1/secrets"] = {"kind": "Secret", "namespaced": True}
            self.url = str(server.url).rstrip("/")
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> Cluster:
        self._thread.start()
        assert self._ready.wait(10)
        self.kubeconfig.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "kmock",
            "clusters": [{"name": "kmock", "cluster": {"server": self.url}}],
            "users": [{"name": "tester", "user": {"token": "t0ken"}}],
            "contexts": [{"name": "kmock", "context": {"cluster": "kmock", "user": "tester",
                                                       "namespace": NAMESPACE}}],
        }))
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    # -- seen through the real client, as kubectl would -----------------------------------

    def api(self) -> Any:
        from kubernetes import client, config

        return client.CustomObjectsApi(config.new_client_from_config(
            config_file=str(self.kubeconfig)))

    def deployments(self) -> list[dict[str, Any]]:
        return self.api().list_namespaced_custom_object(GROUP, VERSION, NAMESPACE,
                                                        PLURAL)["items"]

    def set_state(self, name: str, state: str, description: str = "") -> None:
        self.api().patch_namespaced_custom_object(
            GROUP, VERSION, NAMESPACE, PLURAL, name,
            {"status": {"state": state, "description": description}})

    def create_secret(self, name: str) -> None:
        from kubernetes import client, config

        api = client.CoreV1Api(config.new_client_from_config(config_file=str(self.kubeconfig)))
        api.create_namespaced_secret(NAMESPACE, {"apiVersion": "v1", "kind": "Secret",
                                                 "metadata": {"name": name},
                                                 "stringData": {"AWS_ACCESS_KEY_ID": "x"}})


class Operator(threading.Thread):
    """Plays Seldon Core's operator: marks new SeldonDeployments ``state``."""

    def __init__(self, cluster: Cluster, state: str = "Available", delay: float = 0.3) -> None:
        super().__init__(daemon=True)
        self.cluster, self.state, self.delay = cluster, state, delay
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(0.1):
            for item in self.cluster.deployments():
                status = item.get("status") or {}
                if not status.get("state") and self.state:
                    time.sleep(self.delay)
                    self.cluster.set_state(item["metadata"]["name"], self.state,
                                           "the model initializer failed"
                                           if self.state == "Failed" else "")

    def __enter__(self) -> Operator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.halt.set()
        self.join(5)


class Ingress(ThreadingHTTPServer):
    """Answers ``/seldon/<ns>/<name>/v2/models/<model>/infer`` with the model at its modelUri."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.paths: list[str] = []
        super().__init__(("127.0.0.1", 0), _IngressHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _IngressHandler(BaseHTTPRequestHandler):
    server: Ingress

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        import joblib
        import numpy as np

        self.server.paths.append(self.path)
        parts = self.path.strip("/").split("/")
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        sdep = next((d for d in self.server.cluster.deployments()
                     if parts[:3] == ["seldon", NAMESPACE, d["metadata"]["name"]]), None)
        if sdep is None:
            self.send_response(404)
            self.end_headers()
            return
        graph = sdep["spec"]["predictors"][0]["graph"]
        if graph.get("implementation") == "XGBOOST_SERVER":  # Seldon's: the booster's predict
            import xgboost

            booster = xgboost.Booster(model_file=str(Path(graph["modelUri"]) / "model.bst"))
            answer: Any = {"data": {"ndarray": booster.predict(xgboost.DMatrix(
                np.asarray(body["data"]["ndarray"]))).tolist()}}
            self._answer(answer)
            return
        model = joblib.load(Path(graph["modelUri"]) / "model.joblib")
        if parts[3:] == ["api", "v1.0", "predictions"]:
            # Seldon's SKLEARN_SERVER: its ``method`` parameter, predict_proba by default
            parameters = {p["name"]: p["value"] for p in graph.get("parameters", [])}
            method = parameters.get("method", "predict_proba")
            answer = {"data": {"ndarray": getattr(model, method)(
                np.asarray(body["data"]["ndarray"])).tolist()}}
        else:
            # MLServer's sklearn runtime (V2): the requested output, predict by default
            tensor = body["inputs"][0]
            data = np.asarray(tensor["data"]).reshape(tensor["shape"])
            name = (body.get("outputs") or [{"name": "predict"}])[0]["name"]
            result = getattr(model, name)(data)
            shape = list(result.shape) if result.ndim > 1 else [len(result), 1]
            answer = {"model_name": graph["name"], "outputs": [
                {"name": name, "shape": shape,
                 "datatype": "FP64" if result.dtype.kind == "f" else "INT64",
                 "data": result.ravel().tolist()}]}
        self._answer(answer)

    def _answer(self, answer: Any) -> None:
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class MemoryConfig(BaseArtifactStoreConfig):
    """fsspec's memory filesystem: an artifact store that is not local."""


class MemoryArtifactStore(BaseArtifactStore):
    def get_filesystem(self) -> Any:
        import fsspec

        return fsspec.filesystem("memory")


class MemoryStorePlugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [Flavor(name="memory", type=T.ARTIFACT_STORE, config_class=MemoryConfig,
                       implementation="test_kubernetes:MemoryArtifactStore")]


@pytest.fixture
def k8s_stack(zen: Zen) -> Iterator[Any]:
    """Registers a stack with a seldon deployer in kubernetes mode (and a memory store)."""

    def register(*deployer_args: str) -> None:
        zen("model-deployer", "register", "seldon_k8s", "--flavor=seldon", *deployer_args)
        zen("stack", "register", "k8s", "-o", "default", "-a", "mem", "-m", "default",
            "-d", "seldon_k8s", "--set", "--decouple_stores")

    with plugin_registered(MemoryStorePlugin(), "memory-store"):
        zen("artifact-store", "register", "mem", "--flavor=memory", "--path=memory://models")
        yield register


@pytest.fixture
def kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "kubeconfig"
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path


@pytest.fixture
def cluster(kubeconfig: Path) -> Iterator[Cluster]:
    with Cluster(kubeconfig) as running:
        yield running


def make_deployer(base_url: str = "http://ingress.invalid", **config: Any) -> Any:
    from zenml_seldon.flavors import SeldonModelDeployerConfig
    from zenml_seldon.model_deployer import SeldonModelDeployer

    return SeldonModelDeployer(
        name="k8s", id=str(uuid.uuid4()), flavor="seldon",
        config=SeldonModelDeployerConfig(kubernetes_context="kmock", base_url=base_url,
                                         kubernetes_namespace=NAMESPACE, **config))


def config(model_uri: Path | str, **values: Any) -> Any:
    from zenml_seldon import SeldonDeploymentConfig

    return SeldonDeploymentConfig(**{"model_name": "iris", "model_uri": str(model_uri),
                                     "pipeline_name": "p", "pipeline_step_name": "deploy",
                                     **values})


# -- the whole life of a SeldonDeployment ----------------------------------------------------

def test_create_get_list_stop_start_update_delete(cluster: Cluster, iris_model: Path,
                                                  tmp_path: Path) -> None:
    ingress = Ingress(cluster)
    deployer = make_deployer(base_url=ingress.url + "/")
    try:
        with Operator(cluster):
            service = deployer.deploy_model(config(iris_model, pipeline_run_id="r1",
                                                   replicas=2), timeout=20)
        name = f"zenml-{service.uuid}"
        assert service.status.state is ServiceState.RUNNING and not service.is_local

        [sdep] = cluster.deployments()
        assert sdep["metadata"]["name"] == name and sdep["metadata"]["namespace"] == NAMESPACE
        assert sdep["metadata"]["labels"]["zenml.io/model-deployer-id"] == deployer.id
        predictor = sdep["spec"]["predictors"][0]
        assert predictor["replicas"] == 2
        assert predictor["graph"]["implementation"] == "SKLEARN_SERVER"
        assert predictor["graph"]["modelUri"] == str(iris_model)

        # predictions through the ingress, on Seldon's path for the V2 protocol
        assert service.prediction_url == (f"{ingress.url}/seldon/{NAMESPACE}/{name}"
                                          f"/v2/models/iris/infer")
        assert service.predict(IRIS).argmax(axis=-1).tolist() == [0, 1, 2]
        assert ingress.paths == [f"/seldon/{NAMESPACE}/{name}/v2/models/iris/infer"]

        # the cluster is the record: a fresh deployer object finds it, as another process would
        again = make_deployer(base_url=ingress.url)
        again.id = deployer.id
        [found] = again.find_model_server(pipeline_name="p", model_name="iris", running=True)
        assert found.uuid == service.uuid and found.config.pipeline_run_id == "r1"
        assert found.config.replicas == 2
        assert make_deployer().list_services() == []  # another deployer's are not its own

        # stop scales to zero and keeps it; start scales back
        deployer.stop_model_server(service.uuid)
        [sdep] = cluster.deployments()
        assert sdep["spec"]["predictors"][0]["replicas"] == 0
        assert deployer.get_model_server(service.uuid).status.state is ServiceState.STOPPED
        with pytest.raises(ServiceError, match="is stopped"):
            service.predict(IRIS)
        deployer.start_model_server(service.uuid, timeout=10)
        [sdep] = cluster.deployments()
        assert sdep["spec"]["predictors"][0]["replicas"] == 2
        assert "zenml.io/stopped" not in (sdep["metadata"].get("annotations") or {})
        assert deployer.get_model_server(service.uuid).is_running

        # a new model for the same pipeline step replaces the deployment's spec
        newer = tmp_path / "newer"
        newer.mkdir()
        (newer / "model.joblib").write_bytes((iris_model / "model.joblib").read_bytes())
        updated = deployer.deploy_model(config(newer, pipeline_run_id="r2", protocol="seldon"),
                                        timeout=10)
        assert updated.uuid == service.uuid
        [sdep] = cluster.deployments()
        assert sdep["spec"]["predictors"][0]["graph"]["modelUri"] == str(newer)
        assert sdep["spec"]["protocol"] == "seldon"
        assert json.loads(sdep["metadata"]["annotations"]["zenml.io/service"])["config"][
            "pipeline_run_id"] == "r2"
        assert updated.prediction_url.endswith(f"/{name}/api/v1.0/predictions")
        assert updated.predict(IRIS).argmax(axis=-1).tolist() == [0, 1, 2]

        deployer.delete_model_server(service.uuid, timeout=10)
        assert cluster.deployments() == [] and deployer.list_services() == []
    finally:
        ingress.shutdown()


def test_the_cli_lists_and_deletes_cluster_services(cluster: Cluster, iris_model: Path,
                                                    zen: Zen, k8s_stack: Any) -> None:
    k8s_stack("--kubernetes_context=kmock", f"--kubernetes_namespace={NAMESPACE}",
              "--base_url=http://ingress.example")
    from zenml.repository import Repository

    deployer = Repository().active_stack.model_deployer
    with Operator(cluster):
        service = deployer.deploy_model(config(iris_model), timeout=20)
    row = next(line for line in zen("served-models", "list").output.splitlines()
               if service.uuid in line)
    assert "running" in row and "iris" in row
    assert f"http://ingress.example/seldon/{NAMESPACE}/zenml-{service.uuid}" in row
    described = zen("served-models", "describe", service.uuid).output
    assert "SeldonDeployment" in described and NAMESPACE in described
    zen("served-models", "delete", service.uuid, "-y")
    assert cluster.deployments() == []
    assert "No served models found" in zen("served-models", "list").stderr

    # zenml stack down / up leave the cluster alone
    assert "model deployer 'seldon_k8s' (seldon): running" in zen("stack", "down").output


# -- what goes wrong ends as one line --------------------------------------------------------

def test_a_deployment_that_never_becomes_available_times_out_and_is_deleted(
        cluster: Cluster, iris_model: Path) -> None:
    deployer = make_deployer()
    with Operator(cluster, state=""), pytest.raises(  # the operator never reports anything
            ServiceTimeoutError, match="did not become available within 1s"):
        deployer.deploy_model(config(iris_model), timeout=1)
    assert cluster.deployments() == []


def test_a_failed_deployment_is_reported_with_seldons_reason(cluster: Cluster,
                                                            iris_model: Path) -> None:
    deployer = make_deployer()
    with Operator(cluster, state="Failed"), pytest.raises(
            ServiceError, match="failed while starting: the model initializer failed"):
        deployer.deploy_model(config(iris_model), timeout=10)
    assert cluster.deployments() == []


def test_a_missing_secret_is_named_before_anything_is_created(cluster: Cluster,
                                                              iris_model: Path) -> None:
    deployer = make_deployer(secret="s3-creds")
    with pytest.raises(ServiceError, match="Secret 's3-creds' does not exist in namespace "
                                           "'models'"):
        deployer.deploy_model(config(iris_model), timeout=5)
    assert cluster.deployments() == []
    cluster.create_secret("s3-creds")
    with Operator(cluster):
        service = deployer.deploy_model(config(iris_model), timeout=20)
    [sdep] = cluster.deployments()
    assert sdep["spec"]["predictors"][0]["graph"]["envSecretRefName"] == "s3-creds"
    deployer.delete_model_server(service.uuid)


def test_a_cluster_without_seldon_core_is_one_clear_error(kubeconfig: Path, iris_model: Path,
                                                          zen: Zen) -> None:
    with Cluster(kubeconfig, with_seldon=False):
        deployer = make_deployer()
        with pytest.raises(ServiceError, match=r"has no SeldonDeployment resource .*Seldon Core "
                                               "is not installed there"):
            deployer.deploy_model(config(iris_model), timeout=5)
        with pytest.raises(ServiceError, match="Seldon Core is not installed"):
            deployer.list_services()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_cluster_is_one_clear_error(kubeconfig: Path, iris_model: Path,
                                                   zen: Zen, k8s_stack: Any) -> None:
    port = _closed_port()
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "kmock",
        "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "kmock", "context": {"cluster": "c", "user": "u"}}]}))
    started = time.monotonic()
    with pytest.raises(ServiceError) as error:
        make_deployer().list_services()
    message = str(error.value)
    assert message.startswith(f"Cannot reach the Kubernetes cluster at http://127.0.0.1:{port} "
                              f"while looking for the SeldonDeployment resource")
    assert "kubectl --context kmock get namespaces" in message and "\n" not in message
    assert time.monotonic() - started < 10
    k8s_stack("--kubernetes_context=kmock", "--base_url=http://ingress")
    line = zen.error("served-models", "list")
    assert line.startswith("Error: Cannot reach the Kubernetes cluster at http://127.0.0.1:")


def test_a_missing_kubeconfig_context_is_one_clear_error(kubeconfig: Path, zen: Zen,
                                                        k8s_stack: Any) -> None:
    kubeconfig.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\n")
    with pytest.raises(ServiceError, match="Cannot load the Kubernetes configuration for "
                                           "context 'kmock'"):
        make_deployer().list_services()
    k8s_stack("--kubernetes_context=nowhere", "--base_url=http://ingress")
    line = zen.error("served-models", "list")
    assert line.startswith("Error: Cannot load the Kubernetes configuration for context "
                           "'nowhere': ")
    assert line.endswith("check 'kubectl config get-contexts' (KUBECONFIG) or set the model "
                         "deployer's --kubernetes_context")
