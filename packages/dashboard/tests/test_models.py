"""Served models: the active stack's model deployer and its real services.

The deployer under test serves its "model" with ``python -m http.server`` in a
real background process (the core's :class:`LocalDaemonService`), deployed by a
real pipeline step, so status and prediction URLs are observed, not made up.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from zenml.model_deployers import (
    BaseModelDeployer,
    BaseModelDeployerConfig,
    BaseService,
    ServiceConfig,
)
from zenml.model_deployers.local import LocalDaemonService, http_get
from zenml.pipelines import pipeline
from zenml.plugins import hookimpl
from zenml.repository import Repository
from zenml.stack.component_type import StackComponentType
from zenml.stack.flavor import Flavor
from zenml.steps import StepContext, step
from zenml.testing import plugin_registered


class TextModelService(LocalDaemonService):
    """Serves the model URI as ``model.txt`` over HTTP on loopback."""

    CONFIG_CLASS: ClassVar[type[ServiceConfig]] = ServiceConfig
    SERVICE_TYPE: ClassVar[str] = "text-model"

    def _command(self, ports: list[int]) -> list[str]:
        www = self.folder / "www"
        www.mkdir(parents=True, exist_ok=True)
        (www / "model.txt").write_text(self.config.model_uri)
        return [sys.executable, "-m", "http.server", str(ports[0]), "--bind", "127.0.0.1",
                "--directory", str(www)]

    def _ready_url(self) -> str:
        return f"http://127.0.0.1:{self.ports[0] if self.ports else 0}/model.txt"

    @property
    def prediction_url(self) -> str | None:
        return self._ready_url() if self.pid else None

    def predict(self, data: Any) -> Any:
        raise NotImplementedError("the dashboard never predicts")


class TextModelDeployer(BaseModelDeployer):
    def _create_service(self, config: ServiceConfig) -> BaseService:
        return TextModelService(config, deployer_id=self.id)


class TextDeployerPlugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [Flavor(name="text", type=StackComponentType.MODEL_DEPLOYER,
                       config_class=BaseModelDeployerConfig,
                       implementation="test_models:TextModelDeployer")]


@step(enable_cache=False)
def deploy(context: StepContext) -> str:
    service = context.stack.model_deployer.deploy_model(ServiceConfig(
        model_name=f"model-{context.run_name}", model_uri=f"weights of {context.run_name}",
        pipeline_name=context.pipeline_name, pipeline_run_id=context.run_name,
        pipeline_step_name=context.step_name), replace=False, timeout=30)
    return service.uuid


@pipeline
def serving_pipeline(deploy):  # type: ignore[no-untyped-def]
    deploy()


@pytest.fixture
def serving(zen: Any) -> Iterator[BaseModelDeployer]:
    """A stack with the text model deployer, active; every service deleted afterwards."""
    with plugin_registered(TextDeployerPlugin(), "text-deployer-test"):
        zen("model-deployer", "register", "texts", "--flavor=text")
        zen("stack", "register", "serving", "-o", "default", "-a", "default", "-m", "default",
            "-d", "texts", "--set")
        deployer = Repository().active_stack.model_deployer
        assert isinstance(deployer, BaseModelDeployer)
        try:
            yield deployer
        finally:
            for service in deployer.list_services():
                deployer.delete_model_server(service.uuid, timeout=10, force=True)


def test_no_model_deployer_in_the_active_stack(client: Any) -> None:
    answer = client.get("/api/v1/models").json()
    assert answer["deployer"] is None and answer["services"] == []
    assert answer["stack"] == "default"
    assert "No model deployer in the active stack 'default'" in answer["message"]
    page = client.get("/models")
    assert page.status_code == 200 and "No model deployer in the active stack" in page.text
    assert 'href="/models"' in client.get("/").text  # in the nav


def test_served_models_with_status_run_and_url(serving: BaseModelDeployer,
                                               client: Any) -> None:
    serving_pipeline(deploy=deploy()).run(run_name="deploy-1")
    serving_pipeline(deploy=deploy()).run(run_name="deploy-2")
    first, second = serving.list_services()
    serving.stop_model_server(first.uuid, timeout=10)
    answer = client.get("/api/v1/models").json()
    assert answer["deployer"] == {"name": "texts", "flavor": "text"} and answer["message"] is None
    services = {s["model"]: s for s in answer["services"]}
    assert list(services) == ["model-deploy-1", "model-deploy-2"]
    stopped, running = services["model-deploy-1"], services["model-deploy-2"]
    assert (stopped["status"], stopped["prediction_url"]) == ("stopped", None)
    assert running["status"] == "running" and running["uuid"] == second.uuid
    assert http_get(running["prediction_url"]) == 200  # the real server answers
    assert (running["pipeline"], running["run"], running["step"]) == (
        "serving_pipeline", "deploy-2", "deploy")
    assert running["type"] == "text-model" and running["model_uri"] == "weights of deploy-2"
    # read-only: the stopped service is still stopped, nothing was started or recorded anew
    assert not serving.get_model_server(first.uuid).is_running
    assert len(serving.list_services()) == 2
    page = client.get("/models").text
    assert 'href="/runs/deploy-2/steps/deploy"' in page and running["prediction_url"] in page
    assert f'data-uuid="{first.uuid}"' in page and "texts" in page


def test_a_deployer_whose_flavor_is_not_installed_is_a_message(zen: Any,
                                                               client: Any) -> None:
    with plugin_registered(TextDeployerPlugin(), "text-deployer-test"):
        zen("model-deployer", "register", "texts", "--flavor=text")
        zen("stack", "register", "serving", "-o", "default", "-a", "default", "-m", "default",
            "-d", "texts", "--set")
    response = client.get("/api/v1/models")
    assert response.status_code == 200
    answer = response.json()
    assert answer["deployer"] == {"name": "texts", "flavor": "text"}
    assert answer["services"] == []
    assert answer["message"].startswith("Model deployer 'texts' cannot be loaded")
    assert client.get("/models").status_code == 200
