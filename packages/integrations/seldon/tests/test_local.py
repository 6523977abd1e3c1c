"""Local mode with the real MLServer: deploy, predict over HTTP, list, stop, start, delete.

Every test checks that no server process outlives it (``no_orphans``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from zenml.model_deployers.local import http_get, process_group_alive
from zenml.model_deployers.service import ServiceError, ServiceState, ServiceTimeoutError
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import BaseStepConfig, step

from conftest import IRIS, Zen, need, run_zenml, server_processes

try:
    from sklearn.base import BaseEstimator
except ImportError:  # the tests skip (or fail under CI=true) through need()
    BaseEstimator = object

pytestmark = pytest.mark.usefixtures("no_orphans")


@pytest.fixture(autouse=True)
def _mlserver() -> None:
    need("mlserver", "mlserver_sklearn", "sklearn")


def make_deployer(deployer_id: str | None = None) -> Any:
    from zenml_seldon.flavors import SeldonModelDeployerConfig
    from zenml_seldon.model_deployer import SeldonModelDeployer

    return SeldonModelDeployer(name="local", id=deployer_id or str(uuid.uuid4()), flavor="seldon",
                               config=SeldonModelDeployerConfig(mode="local"))


def config(model_uri: Path | str, **values: Any) -> Any:
    from zenml_seldon import SeldonDeploymentConfig

    return SeldonDeploymentConfig(**{"model_name": "iris", "model_uri": str(model_uri),
                                     "pipeline_name": "p", "pipeline_step_name": "deploy",
                                     **values})


@pytest.fixture
def deployer() -> Any:
    deployer = make_deployer()
    yield deployer
    for service in deployer.list_services():
        deployer.delete_model_server(service.uuid, timeout=20, force=True)


# -- the service API against MLServer --------------------------------------------------------

def test_deploy_predict_stop_start_delete(deployer: Any, iris_model: Path) -> None:
    started = time.monotonic()
    service = deployer.deploy_model(config(iris_model), timeout=60)
    startup = time.monotonic() - started
    assert startup < 30
    assert service.status.state is ServiceState.RUNNING
    url = service.prediction_url
    assert url.startswith("http://127.0.0.1:") and url.endswith("/v2/models/iris/infer")
    assert service.predict(IRIS).argmax(axis=-1).tolist() == [0, 1, 2]

    # the raw V2 protocol works too, with another output of the model
    answer = service.predict({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP64",
                                          "data": IRIS[0]}],
                              "outputs": [{"name": "predict_proba"}]})
    assert answer["outputs"][0]["shape"] == [1, 3]

    files = sorted(p.name for p in (service.folder / "gen-1" / "models" / "iris").iterdir())
    assert files == ["model-settings.json", "model.joblib"]
    settings = json.loads((service.folder / "gen-1" / "models" / "settings.json").read_text())
    assert settings["host"] == "127.0.0.1" and settings["metrics_endpoint"] is None

    pid, port = service.pid, service.ports[0]
    deployer.stop_model_server(service.uuid, timeout=30)
    assert not process_group_alive(pid) and http_get(url) == 0
    stopped = deployer.get_model_server(service.uuid)
    assert stopped.status.state is ServiceState.STOPPED and stopped.prediction_url is None
    with pytest.raises(ServiceError, match="is stopped; start it with 'zenml served-models start"):
        stopped.predict(IRIS)

    again = deployer.start_model_server(service.uuid, timeout=60)
    assert again.ports[0] == port  # the same address as before, when it is free
    assert again.predict(IRIS).argmax(axis=-1).tolist() == [0, 1, 2]
    folder, pid = again.folder, again.pid
    deployer.delete_model_server(service.uuid, timeout=30)
    assert not process_group_alive(pid) and not folder.exists()
    assert deployer.list_services() == []


def test_update_starts_the_new_server_before_stopping_the_old(deployer: Any,
                                                              iris_model: Path,
                                                              tmp_path: Path) -> None:
    import joblib
    from sklearn.dummy import DummyClassifier

    service = deployer.deploy_model(config(iris_model, pipeline_run_id="r1"), timeout=60)
    old_pid = service.pid
    constant = tmp_path / "constant"
    constant.mkdir()
    joblib.dump(DummyClassifier(strategy="constant", constant=2).fit([[0] * 4] * 3, [0, 1, 2]),
                constant / "model.joblib")
    updated = deployer.deploy_model(config(constant, pipeline_run_id="r2"), timeout=60)
    assert updated.uuid == service.uuid and updated.pid != old_pid
    assert not process_group_alive(old_pid)
    assert updated.predict(IRIS).argmax(axis=-1).tolist() == [2, 2, 2]
    assert sorted(p.name for p in updated.folder.iterdir() if p.name.startswith("gen-")) == [
        "gen-2"]

    # a broken replacement leaves the current server serving
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.joblib").write_bytes(b"not a model")
    with pytest.raises(ServiceError, match="exited while starting"):
        deployer.deploy_model(config(broken, pipeline_run_id="r3"), timeout=60)
    current = deployer.get_model_server(service.uuid)
    assert current.pid == updated.pid and current.config.pipeline_run_id == "r2"
    assert current.predict(IRIS).argmax(axis=-1).tolist() == [2, 2, 2]
    assert current.attrs.get("pending") is None
    assert not (current.folder / "gen-3").exists()


def test_a_model_that_fails_to_load_is_one_error_and_leaves_nothing(
        deployer: Any, tmp_path: Path, no_orphans: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.joblib").write_bytes(b"not a model")
    with pytest.raises(ServiceError, match=r"exited while starting: .*log: ") as error:
        deployer.deploy_model(config(broken), timeout=60)
    assert "\n" not in str(error.value)
    assert deployer.list_services() == []
    assert server_processes(no_orphans) == []


def test_a_server_that_never_gets_ready_is_stopped_after_the_timeout(
        deployer: Any, iris_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        no_orphans: Path) -> None:
    runtime = tmp_path / "runtimes"
    runtime.mkdir()
    (runtime / "slow_runtime.py").write_text(textwrap.dedent("""
        import asyncio
        from mlserver import MLModel

        class NeverReady(MLModel):
            async def load(self) -> bool:
                await asyncio.sleep(3600)
                return True
    """))
    monkeypatch.setenv("PYTHONPATH", str(runtime))
    started = time.monotonic()
    with pytest.raises(ServiceTimeoutError, match="did not become ready in time; it was stopped"):
        deployer.deploy_model(config(iris_model, implementation="custom",
                                     mlserver_implementation="slow_runtime.NeverReady"),
                              timeout=4)
    assert time.monotonic() - started < 20
    assert deployer.list_services() == []
    assert server_processes(no_orphans) == []


def test_what_mlserver_cannot_serve_is_refused_before_starting(deployer: Any,
                                                               iris_model: Path) -> None:
    with pytest.raises(ServiceError, match="TENSORFLOW_SERVER cannot be served locally"):
        deployer.deploy_model(config(iris_model, implementation="TENSORFLOW_SERVER"))
    with pytest.raises(ServiceError, match="set mlserver_implementation"):
        deployer.deploy_model(config(iris_model, implementation="custom"))
    with pytest.raises(ServiceError, match=r"'mlserver-xgboost' is not installed|holds none of "
                                           r"model\.bst"):
        deployer.deploy_model(config(iris_model, implementation="XGBOOST_SERVER"))
    with pytest.raises(ServiceError, match="does not exist"):
        deployer.deploy_model(config(iris_model / "nope"))
    assert deployer.list_services() == []


# -- the train-and-deploy pipeline, the CLI, other processes, stack up/down -----------------

class Trigger(BaseStepConfig):
    min_accuracy: float = 0.9
    C: float = 1.0


@step
def train(config: Trigger) -> BaseEstimator:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    return LogisticRegression(C=config.C, max_iter=1000).fit(X, y)


@step
def decide(config: Trigger, model: object) -> bool:
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return bool(model.score(X, y) >= config.min_accuracy)  # type: ignore[attr-defined]


@pipeline
def train_and_deploy(train, decide, deployer):
    model = train()
    deployer(decide(model), model)


def run_pipeline(min_accuracy: float = 0.9, C: float = 1.0) -> Any:
    from zenml_seldon import (
        SeldonDeployerStepConfig,
        SeldonDeploymentConfig,
        seldon_model_deployer_step,
    )

    settings = Trigger(min_accuracy=min_accuracy, C=C)
    return train_and_deploy(
        train=train(config=settings), decide=decide(config=settings),
        deployer=seldon_model_deployer_step(config=SeldonDeployerStepConfig(
            service_config=SeldonDeploymentConfig(model_name="iris", replicas=1,
                                                  implementation="SKLEARN_SERVER"),
            timeout=60)),
    ).run(enable_cache=False)


def test_train_and_deploy_pipeline_with_the_cli_and_other_processes(
        zen: Zen, no_orphans: Path) -> None:
    zen("model-deployer", "register", "seldon_deployer", "--flavor=seldon", "--mode=local")
    zen("stack", "register", "local_seldon", "-o", "default", "-a", "default", "-m", "default",
        "-d", "seldon_deployer", "--set")
    deployer = Repository().active_stack.model_deployer
    try:
        run = run_pipeline()
        service = run.get_step("deployer").output.read()
        assert service.is_running and service.predict(IRIS).argmax(axis=-1).tolist() == [0, 1, 2]
        assert service.config.pipeline_name == "train_and_deploy"
        assert service.config.pipeline_step_name == "deployer"
        assert service.config.pipeline_run_id
        deployer_step = run.get_step("deployer")
        assert service.config.model_uri == f"{deployer_step.output.uri}/model"
        assert service.config.model_uri.endswith(f"/deployer/{deployer_step.id[:8]}/output/model")

        listing = zen("served-models", "list").output
        row = next(line for line in listing.splitlines() if service.uuid in line)
        for cell in ("running", "iris", "train_and_deploy", "deployer",
                     service.prediction_url):
            assert cell in row
        described = zen("served-models", "describe", service.uuid[:8]).output
        assert "PREDICTION_URL" in described and "SKLEARN_SERVER" in described
        assert zen("served-models", "get-url", service.uuid).output.strip() == \
            service.prediction_url

        # another process (the real CLI, then plain Python) sees and uses the same server
        done = run_zenml("served-models", "list", "--running", "-m", "iris")
        assert done.returncode == 0 and service.uuid in done.stdout, done.stderr
        code = (f"from zenml.repository import Repository\n"
                f"d = Repository().active_stack.model_deployer\n"
                f"s = d.get_model_server({service.uuid!r})\n"
                f"print(s.predict({IRIS!r}).argmax(axis=-1).tolist())\n")
        child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=120, env=os.environ.copy())
        assert child.returncode == 0, child.stderr
        assert child.stdout.strip() == "[0, 1, 2]"

        # continuous deployment: a new run replaces the model; a "no" keeps it serving
        second = run_pipeline(C=0.5).get_step("deployer").output.read()
        assert second.uuid == service.uuid and second.pid != service.pid
        kept = run_pipeline(min_accuracy=1.1).get_step("deployer").output.read()
        assert kept.uuid == service.uuid and kept.pid == second.pid
        assert len(deployer.list_services()) == 1

        # stack down stops it (and pipelines wait for stack up); stack up starts it again
        assert "model deployer 'seldon_deployer' (seldon): suspended" in zen(
            "stack", "down").output
        assert zen("served-models", "list").output.count("stopped") == 1
        from zenml.errors import ZenMLError

        with pytest.raises(ZenMLError, match="run 'zenml stack up' first"):
            run_pipeline()
        assert "model deployer 'seldon_deployer' (seldon): running" in zen("stack", "up").output
        assert deployer.get_model_server(service.uuid).predict(IRIS).argmax(axis=-1).tolist() == [
            0, 1, 2]

        # stop / start / delete through the CLI
        zen("served-models", "stop", service.uuid)
        assert "stopped" in zen("served-models", "list").output
        line = zen.error("served-models", "get-url", service.uuid)
        assert "has no prediction URL (stopped)" in line
        assert "is running: http://127.0.0.1:" in zen("served-models", "start",
                                                      service.uuid).output
        assert zen.error("served-models", "delete", service.uuid, input="n\n") == \
            "Error: aborted"
        pid = deployer.get_model_server(service.uuid).pid
        assert "Deleted served model" in zen("served-models", "delete", service.uuid,
                                             "-y").output
        assert not process_group_alive(pid)
        assert "No served models found" in zen("served-models", "list").stderr
        assert zen.error("served-models", "describe", service.uuid).startswith(
            "Error: Model deployer 'seldon_deployer' has no model server with uuid")
    finally:
        for leftover in deployer.list_services():
            deployer.delete_model_server(leftover.uuid, timeout=20, force=True)
    assert server_processes(no_orphans) == []
