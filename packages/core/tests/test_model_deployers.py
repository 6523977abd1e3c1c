"""The model deployer base: services, their registry, the service materializer.

The deployer under test serves "models" with ``python -m http.server``: a real
background process per service, so persistence across processes, start /
stop / delete, timeouts and clean-up are checked against real processes.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from zenml.model_deployers import (
    BaseModelDeployer,
    BaseModelDeployerConfig,
    BaseService,
    ServiceConfig,
    ServiceError,
    ServiceNotFoundError,
    ServiceRegistry,
    ServiceState,
    ServiceTimeoutError,
)
from zenml.model_deployers.local import LocalDaemonService, http_get, process_group_alive
from zenml.pipelines import pipeline
from zenml.plugins import hookimpl
from zenml.repository import Repository
from zenml.stack.component_type import StackComponentType as T
from zenml.stack.flavor import Flavor
from zenml.steps import StepContext, step
from zenml.testing import plugin_registered

DEPLOYER_ID = "6d1f1c2e-0000-4000-8000-000000000001"
TESTS = Path(__file__).resolve().parent


class FileServerConfig(ServiceConfig):
    """The "model" is the text served at /model.txt."""

    broken: bool = False  # serve nothing: the ready URL never answers 200


class FileServerService(LocalDaemonService):
    """``python -m http.server`` serving ``model.txt`` (the config's model_uri)."""

    CONFIG_CLASS: ClassVar[type[ServiceConfig]] = FileServerConfig
    config: FileServerConfig

    def _command(self, ports: list[int]) -> list[str]:
        www = self.folder / "www"
        www.mkdir(parents=True, exist_ok=True)
        model = www / "model.txt"
        if self.config.broken:
            model.unlink(missing_ok=True)
        else:
            model.write_text(self.config.model_uri)
        return [sys.executable, "-m", "http.server", str(ports[0]), "--bind", "127.0.0.1",
                "--directory", str(www)]

    def _ready_url(self) -> str:
        return f"http://127.0.0.1:{self.ports[0] if self.ports else 0}/model.txt"

    @property
    def prediction_url(self) -> str | None:
        return self._ready_url() if self.pid else None

    def predict(self, data: Any) -> Any:
        import urllib.request

        if not self.is_running:
            raise ServiceError(f"service {self.uuid} is not running")
        with urllib.request.urlopen(self._ready_url(), timeout=5) as response:
            return f"{response.read().decode()}:{data}"


class FileServerDeployer(BaseModelDeployer):
    def _create_service(self, config: ServiceConfig) -> BaseService:
        return FileServerService(FileServerConfig.model_validate(config.model_dump()),
                                 deployer_id=self.id)


def make_deployer(deployer_id: str = DEPLOYER_ID) -> FileServerDeployer:
    return FileServerDeployer(name="files", id=deployer_id, flavor="files",
                              config=BaseModelDeployerConfig())


def config(model: str = "m1", pipeline: str = "p", step: str = "deploy", run: str = "r1",
           **extra: Any) -> FileServerConfig:
    return FileServerConfig(model_name=model, model_uri=f"{model}-weights", pipeline_name=pipeline,
                            pipeline_step_name=step, pipeline_run_id=run, **extra)


def live_pids(service: BaseService) -> list[int]:
    pid = service.attrs.get("pid")
    return [pid] if pid and process_group_alive(pid) else []


@pytest.fixture
def deployer() -> Any:
    deployer = make_deployer()
    yield deployer
    for service in deployer.list_services():  # never leave a server behind
        deployer.delete_model_server(service.uuid, timeout=10, force=True)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    script = f"import sys\nsys.path.insert(0, {str(TESTS)!r})\n" + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env=os.environ.copy())


# -- the registry ------------------------------------------------------------------------

def test_registry_records_round_trip_and_leave_no_temporary_files(config_dir: Path) -> None:
    registry = ServiceRegistry(DEPLOYER_ID)
    assert registry.path.is_relative_to(config_dir)
    assert registry.records() == [] and not registry.path.exists()
    registry.put({"uuid": "b", "created": "2", "x": 1})
    registry.put({"uuid": "a", "created": "1", "x": 2})
    assert [r["uuid"] for r in registry.records()] == ["a", "b"]
    assert registry.get("b") == {"uuid": "b", "created": "2", "x": 1}
    registry.set_suspended(["a"])
    assert registry.remove("a") and not registry.remove("a")
    assert registry.suspended() == []
    assert sorted(p.name for p in registry.folder.iterdir()) == ["services.json",
                                                                  "services.lock"]


def _writer(args: tuple[str, int]) -> None:
    config_path, index = args
    os.environ["ZENML_CONFIG_PATH"] = config_path
    registry = ServiceRegistry(DEPLOYER_ID)
    for n in range(20):
        registry.put({"uuid": f"w{index}-{n}", "created": str(n)})


def test_registry_loses_no_update_under_concurrent_writers(config_dir: Path) -> None:
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.map(_writer, [(str(config_dir), i) for i in range(4)])
    records = ServiceRegistry(DEPLOYER_ID).records()
    assert len(records) == 80
    json.loads(ServiceRegistry(DEPLOYER_ID).path.read_text())  # one whole JSON document


def test_a_damaged_registry_is_one_clear_error(config_dir: Path) -> None:
    registry = ServiceRegistry(DEPLOYER_ID)
    registry.put({"uuid": "a"})
    registry.path.write_text("{half")
    with pytest.raises(ServiceError, match=r"damaged.*move it away"):
        registry.records()
    with pytest.raises(ServiceError, match="cannot name a folder"):
        ServiceRegistry("../elsewhere")


# -- deploying, finding, persisting --------------------------------------------------------

def test_deploy_predict_find_and_persist_across_processes(deployer: FileServerDeployer) -> None:
    first = deployer.deploy_model(config("m1"), timeout=30)
    second = deployer.deploy_model(config("m2", step="other", run="r2"), timeout=30)
    assert first.is_running and first.status.state is ServiceState.RUNNING
    assert first.predict("x") == "m1-weights:x"
    assert first.is_local and first.prediction_url and first.uuid != second.uuid

    by = deployer.find_model_server
    assert [s.uuid for s in by()] == [first.uuid, second.uuid]
    assert [s.uuid for s in by(model_name="m2")] == [second.uuid]
    assert [s.uuid for s in by(pipeline_name="p", pipeline_step_name="deploy")] == [first.uuid]
    assert [s.uuid for s in by(pipeline_run_id="r2")] == [second.uuid]
    assert by(pipeline_name="nope") == [] and by(model_name="m1", pipeline_run_id="r2") == []
    assert [s.uuid for s in by(service_uuid=first.uuid)] == [first.uuid]

    # another process finds both, predicts with one and stops the other
    done = run_python(f"""
        from test_model_deployers import make_deployer
        deployer = make_deployer()
        services = {{s.uuid: s for s in deployer.find_model_server(running=True)}}
        print(services[{first.uuid!r}].predict("from-child"))
        deployer.stop_model_server({second.uuid!r}, timeout=10)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "m1-weights:from-child"
    assert [s.uuid for s in deployer.find_model_server(running=True)] == [first.uuid]
    stopped = deployer.get_model_server(second.uuid)
    assert stopped.status.state is ServiceState.STOPPED and stopped.prediction_url is None
    assert live_pids(stopped) == []

    restarted = deployer.start_model_server(second.uuid[:8], timeout=30)
    assert restarted.predict(1) == "m2-weights:1"
    folder = restarted.folder  # type: ignore[attr-defined]
    pid = restarted.attrs["pid"]
    deployer.delete_model_server(second.uuid, timeout=10)
    assert not process_group_alive(pid) and not folder.exists()
    assert [s.uuid for s in deployer.list_services()] == [first.uuid]
    with pytest.raises(ServiceNotFoundError, match="no model server with uuid"):
        deployer.get_model_server(second.uuid)


def test_a_server_killed_from_outside_is_reported_and_restartable(
        deployer: FileServerDeployer) -> None:
    service = deployer.deploy_model(config(), timeout=30)
    os.killpg(service.attrs["pid"], 9)
    for _ in range(100):
        if service.status.state is ServiceState.ERROR:
            break
        time.sleep(0.05)
    status = service.status
    assert status.state is ServiceState.ERROR and "is gone" in status.message
    deployer.start_model_server(service.uuid, timeout=30)
    assert deployer.get_model_server(service.uuid).is_running


def test_replace_updates_the_same_service_and_removes_duplicates(
        deployer: FileServerDeployer) -> None:
    service = deployer.deploy_model(config(run="r1"), timeout=30)
    extra = deployer.deploy_model(config(run="r2"), replace=False, timeout=30)
    assert extra.uuid != service.uuid and len(deployer.list_services()) == 2
    updated = deployer.deploy_model(config(run="r3"), timeout=30)
    assert updated.uuid == extra.uuid  # the newest one is kept, the older one deleted
    assert [s.uuid for s in deployer.list_services()] == [extra.uuid]
    assert updated.config.pipeline_run_id == "r3" and updated.is_running
    assert live_pids(service) == []


def test_a_server_that_never_gets_ready_times_out_and_leaves_nothing(
        deployer: FileServerDeployer) -> None:
    started = time.monotonic()
    with pytest.raises(ServiceTimeoutError, match="did not become ready in time"):
        deployer.deploy_model(config(broken=True), timeout=1.5)
    assert time.monotonic() - started < 15
    assert deployer.list_services() == []
    services = deployer.registry.folder / "services"
    assert not services.exists() or list(services.iterdir()) == []
    # nothing listens any more on any port a child could have had
    leftovers = subprocess.run(["pgrep", "-f", "http.server"], capture_output=True, text=True)
    for pid in leftovers.stdout.split():
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        assert str(deployer.registry.folder) not in cmdline


# -- stack up / down -------------------------------------------------------------------------

def test_suspend_stops_local_services_and_resume_restarts_them(
        deployer: FileServerDeployer) -> None:
    running = deployer.deploy_model(config("m1"), timeout=30)
    stopped = deployer.deploy_model(config("m2"), timeout=30)
    deployer.stop_model_server(stopped.uuid, timeout=10)
    assert deployer.is_running
    deployer.suspend()
    assert not deployer.is_running
    assert deployer.registry.suspended() == [running.uuid]
    assert not deployer.get_model_server(running.uuid).is_running
    deployer.resume()
    assert deployer.is_running and deployer.get_model_server(running.uuid).is_running
    assert not deployer.get_model_server(stopped.uuid).is_running  # stopped by hand: stays


# -- the service materializer --------------------------------------------------------------

@step(enable_cache=False)
def deploy_step(context: StepContext) -> BaseService:
    deployer = context.stack.model_deployer
    return deployer.deploy_model(config(pipeline=context.pipeline_name,
                                        step=context.step_name), timeout=30)


@pipeline
def deploy_pipeline(deploy):
    deploy()


class FilesPlugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [Flavor(name="files", type=T.MODEL_DEPLOYER, config_class=BaseModelDeployerConfig,
                       implementation="test_model_deployers:FileServerDeployer")]


def test_a_step_returns_a_service_and_reading_it_gives_a_live_service(zen: Any) -> None:
    with plugin_registered(FilesPlugin(), "files-test"):
        zen("model-deployer", "register", "files", "--flavor=files")
        zen("stack", "register", "serving", "-o", "default", "-a", "default", "-m", "default",
            "-d", "files", "--set")
        deployer = Repository().active_stack.model_deployer
        try:
            run = deploy_pipeline(deploy=deploy_step()).run()
            artifact = run.get_step("deploy").output
            assert artifact.materializer.endswith("ServiceMaterializer")
            record = json.loads((Path(artifact.uri) / "service.json").read_text())
            assert record["config"]["pipeline_name"] == "deploy_pipeline"
            service = artifact.read()
            assert isinstance(service, FileServerService) and service.is_running
            assert service.predict("q") == "m1-weights:q"
            # restarted since the run (maybe on another port): reading it shows the new address
            deployer.stop_model_server(service.uuid, timeout=10)
            deployer.start_model_server(service.uuid, timeout=30)
            current = deployer.get_model_server(service.uuid)
            again = artifact.read()
            assert again.attrs["pid"] == current.attrs["pid"] and again.is_running
            assert http_get(again.prediction_url) == 200
        finally:
            for service in deployer.list_services():
                deployer.delete_model_server(service.uuid, timeout=10, force=True)
