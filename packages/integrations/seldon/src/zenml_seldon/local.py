"""Local mode: each model served by an MLServer process on this machine.

MLServer is the inference server Seldon Core runs for its prepackaged
SKLEARN/XGBOOST/MLFLOW servers (V2 inference protocol). The model files
are copied from the artifact store into the service's folder
(``<local stores>/model_deployers/<deployer id>/services/<uuid>/gen-<n>/models/<model>/``)
next to MLServer's ``settings.json`` and ``model-settings.json``; MLServer
runs detached (its own session), on free loopback ports, with the
interpreter that runs zenml, so it outlives the pipeline that deployed it.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from zenml.model_deployers.local import LocalDaemonService, http_post_json, stop_process_group
from zenml.model_deployers.service import (
    DEFAULT_SERVICE_TIMEOUT,
    ServiceConfig,
    ServiceError,
)
from zenml_seldon.deployment_config import (
    CUSTOM_IMPLEMENTATION,
    LOCAL_METHODS,
    METHOD_PARAMETER,
    PREPACKAGED_SERVERS,
    SeldonDeploymentConfig,
)

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = ["MLServerService", "fetch_model"]

logger = logging.getLogger("zenml.seldon")

#: Model files each MLServer runtime looks for, first match wins (None: the folder).
_MODEL_FILES: dict[str, tuple[str, ...] | None] = {
    "SKLEARN_SERVER": ("model.joblib", "model.pkl", "model.pickle"),
    "XGBOOST_SERVER": ("model.bst", "model.json", "model.ubj"),
    "MLFLOW_SERVER": None,
    CUSTOM_IMPLEMENTATION: None,
}
#: What serves XGBOOST_SERVER with the Seldon protocol: Seldon's server, as an MLServer runtime.
SELDON_XGBOOST_RUNTIME = "zenml_seldon.runtimes.SeldonXGBoostRuntime"
#: The ``extra`` setting naming the output mlserver_sklearn answers by default.
_PREDICT_FN = "predict_fn"
_RUNTIME_PACKAGES = {"mlserver_sklearn": "mlserver-sklearn", "mlserver_xgboost": "mlserver-xgboost",
                     "mlserver_mlflow": "mlserver-mlflow"}


def _filesystem(uri: str) -> tuple[AbstractFileSystem, str]:
    """The filesystem to read ``uri`` with: the running step's artifact store when the
    uri is inside it (its credentials), otherwise fsspec's for the uri's protocol."""
    from zenml.execution.step_info import current_step_run

    info = current_step_run()
    if info is not None:
        store = info.stack.artifact_store
        if uri.rstrip("/").startswith(str(store.path).rstrip("/")):
            return store.filesystem, uri
    import fsspec

    fs, path = fsspec.core.url_to_fs(uri)
    return fs, path


def fetch_model(uri: str, destination: Path) -> None:
    """Copy the model at ``uri`` (a folder or a file) into the folder ``destination``."""
    if not uri:
        raise ServiceError("The service config has no model_uri; deploy through "
                           "seldon_model_deployer_step or set model_uri")
    fs, path = _filesystem(uri)
    try:
        if not fs.exists(path):
            raise ServiceError(f"Model '{uri}' does not exist")
        destination.mkdir(parents=True, exist_ok=True)
        if fs.isfile(path):
            fs.get_file(path, str(destination / Path(path).name))
            return
        root = path.rstrip("/")
        for file in fs.find(root):
            relative = str(file)[len(root):].lstrip("/")
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            fs.get_file(file, str(target))
    except ServiceError:
        raise
    except Exception as error:
        raise ServiceError(f"Could not copy model '{uri}': {type(error).__name__}: "
                           f"{error}") from None


def _mlserver_command() -> list[str]:
    script = Path(sys.executable).with_name("mlserver")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from mlserver.cli import main; sys.exit(main())"]


class MLServerService(LocalDaemonService):
    """A model served by a local MLServer process (V2 inference protocol)."""

    CONFIG_CLASS: ClassVar[type[ServiceConfig]] = SeldonDeploymentConfig
    SERVICE_TYPE: ClassVar[str] = "MLServer (local)"
    PORTS: ClassVar[int] = 2  # HTTP, gRPC (MLServer always opens both)
    DROP_ENV_PREFIXES: ClassVar[tuple[str, ...]] = ("MLSERVER_",)

    config: SeldonDeploymentConfig

    def __init__(self, config: ServiceConfig, **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self._parent: MLServerService | None = None

    # -- files ---------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        """Which copy of the model files is served (an update prepares the next one)."""
        return int(self.attrs.get("generation") or 1)

    def _models_dir(self, generation: int | None = None) -> Path:
        return self.folder / f"gen-{generation or self.generation}" / "models"

    def runtime(self) -> str:
        """The MLServer runtime class that serves ``implementation`` locally."""
        implementation = self.config.implementation
        if implementation == CUSTOM_IMPLEMENTATION:
            if not self.config.mlserver_implementation:
                raise ServiceError(f"Model '{self.config.model_name}' has implementation "
                                   f"'custom': set mlserver_implementation to the import path "
                                   f"of the MLServer runtime class that serves it")
            return self.config.mlserver_implementation
        if implementation == "XGBOOST_SERVER" and self.config.protocol == "seldon":
            # Seldon's own XGBOOST_SERVER answers the booster's predict; with the V2
            # protocol Seldon Core serves it with MLServer's xgboost runtime, as here
            return SELDON_XGBOOST_RUNTIME
        runtime = PREPACKAGED_SERVERS[implementation]
        if runtime is None:
            raise ServiceError(f"{implementation} cannot be served locally (MLServer has no "
                               f"runtime for it); use a seldon model deployer in kubernetes "
                               f"mode, or implementation 'custom' with mlserver_implementation")
        return runtime

    def runtime_extra(self) -> dict[str, Any]:
        """MLServer's ``extra`` settings: the parameters, and what the runtime answers when
        a request names no output (``predict_fn``: the server's ``method``, so that a plain
        request answers here as Seldon Core's server answers in a cluster)."""
        extra: dict[str, Any] = dict(self.config.parameters)
        method = self.config.method
        if method is None:
            return extra
        accepted = LOCAL_METHODS.get(self.config.implementation, ())
        if method not in accepted:
            raise ServiceError(f"{self.config.implementation} with method '{method}' cannot be "
                               f"served locally (MLServer answers only {', '.join(accepted)}); "
                               f"use a seldon model deployer in kubernetes mode")
        extra.pop(METHOD_PARAMETER, None)
        extra[_PREDICT_FN] = method
        return extra

    def check_runtime(self) -> str:
        """The runtime class path, after checking MLServer and the runtime are installed."""
        runtime = self.runtime()
        modules = ["mlserver"]
        if runtime == SELDON_XGBOOST_RUNTIME:
            modules.append("xgboost")
        elif self.config.implementation != CUSTOM_IMPLEMENTATION:  # custom: the server's path
            modules.append(runtime.rpartition(".")[0])
        for module in modules:
            if module and importlib.util.find_spec(module.split(".")[0]) is None:
                package = _RUNTIME_PACKAGES.get(module, module.replace("_", "-"))
                raise ServiceError(f"Cannot serve '{self.config.model_name}' locally: the "
                                   f"Python package '{package}' is not installed in this "
                                   f"environment ({sys.executable}); pip install {package}")
        return runtime

    def prepare(self, generation: int | None = None) -> None:
        """Copy the model and write ``model-settings.json`` for ``generation``."""
        runtime = self.check_runtime()
        generation = generation or self.generation
        model_dir = self._models_dir(generation) / self.config.model_name
        if model_dir.exists():
            shutil.rmtree(model_dir)
        fetch_model(self.config.model_uri, model_dir)
        candidates = _MODEL_FILES.get(self.config.implementation)
        uri = "."
        if candidates:
            found = next((name for name in candidates if (model_dir / name).is_file()), None)
            if found is None:
                raise ServiceError(
                    f"Model '{self.config.model_uri}' holds none of {', '.join(candidates)} "
                    f"(what {self.config.implementation} serves)")
            uri = f"./{found}"
        settings = {
            "name": self.config.model_name,
            "implementation": runtime,
            "parameters": {"uri": uri, "version": "v1", "extra": self.runtime_extra()},
        }
        (model_dir / "model-settings.json").write_text(json.dumps(settings, indent=2))
        self.attrs["generation"] = generation

    # -- LocalDaemonService --------------------------------------------------------------

    def _command(self, ports: list[int]) -> list[str]:
        models = self._models_dir()
        if not (models / self.config.model_name / "model-settings.json").exists():
            raise ServiceError(f"The files of model server {self.uuid} are missing from "
                               f"{models}; deploy the model again")
        settings = {
            "host": "127.0.0.1",
            "http_port": ports[0],
            "grpc_port": ports[1],
            "metrics_endpoint": None,
            "parallel_workers": 0,  # inference in the server process: ~1 s faster start
            "load_models_at_startup": True,
            "debug": False,
            "environments_dir": str(self.folder / "envs"),
            "metrics_dir": str(self.folder / "metrics"),
        }
        (models / "settings.json").write_text(json.dumps(settings, indent=2))
        return [*_mlserver_command(), "start", str(models)]

    def _ready_url(self) -> str:
        port = self.ports[0] if self.ports else 0
        return f"http://127.0.0.1:{port}/v2/models/{self.config.model_name}/ready"

    @property
    def prediction_url(self) -> str | None:
        """``http://127.0.0.1:PORT/v2/models/MODEL/infer`` while the service has a port."""
        if not self.ports or self.pid is None:
            return None
        return f"http://127.0.0.1:{self.ports[0]}/v2/models/{self.config.model_name}/infer"

    def save(self) -> None:
        """Record the service (a staged replacement records itself in its parent's record)."""
        if self._parent is not None:
            pending = {k: self.attrs.get(k) for k in ("pid", "start_time", "ports",
                                                      "generation")}
            self._parent.attrs["pending"] = pending if pending.get("pid") else None
            self._parent.save()
            return
        super().save()

    def _kill_pending(self) -> None:
        pending = self.attrs.get("pending")
        if pending and pending.get("pid"):
            stop_process_group(int(pending["pid"]), pending.get("start_time"), force=True)
        if "pending" in self.attrs:
            self.attrs["pending"] = None

    def stop(self, timeout: float = DEFAULT_SERVICE_TIMEOUT, force: bool = False) -> None:
        """Stop the server (and a replacement left starting by an interrupted update)."""
        self._kill_pending()
        super().stop(timeout, force=force)

    def update(self, config: ServiceConfig, timeout: float = DEFAULT_SERVICE_TIMEOUT) -> None:
        """Serve ``config``: start a second server with the new model and, once it is
        ready, stop the old one; if the new one fails, the old one keeps serving."""
        new_config = SeldonDeploymentConfig.model_validate(config.model_dump())
        old_generation = self.generation
        next_generation = old_generation + 1
        staged = MLServerService(new_config, uuid=self.uuid, deployer_id="",
                                 attrs={"folder": str(self.folder),
                                        "generation": next_generation,
                                        "ports": []})
        staged._parent = self
        try:
            staged.prepare(next_generation)
        except BaseException:
            shutil.rmtree(self.folder / f"gen-{next_generation}", ignore_errors=True)
            raise
        if not self._process_alive():  # nothing serves: no need for two servers
            super().stop(timeout, force=True)
            self.config = new_config
            self.attrs["generation"] = next_generation
            self.save()
            shutil.rmtree(self.folder / f"gen-{old_generation}", ignore_errors=True)
            self.start(timeout)
            return
        started = time.monotonic()
        try:
            staged.start(timeout)
        except BaseException:
            self._kill_pending()
            self.save()
            shutil.rmtree(self.folder / f"gen-{next_generation}", ignore_errors=True)
            raise
        logger.info("New model server for '%s' ready in %.1fs; stopping the old one.",
                    new_config.model_name, time.monotonic() - started)
        old_pid, old_start = self.pid, self.attrs.get("start_time")
        self.config = new_config
        self.attrs.update(pid=staged.pid, start_time=staged.attrs.get("start_time"),
                          ports=staged.ports, generation=next_generation, pending=None)
        self.save()
        if old_pid is not None:
            stop_process_group(old_pid, old_start, timeout=timeout)
        shutil.rmtree(self.folder / f"gen-{old_generation}", ignore_errors=True)

    def predict(self, data: Any) -> Any:
        """Predict with the served model.

        ``data`` is array-like (one row per sample) and the first output comes
        back as a numpy array; a dict with ``inputs`` is sent as a V2
        inference request as it is, and the whole answer returned.
        """
        from zenml_seldon.protocol import v2_request, v2_response

        url = self.prediction_url
        if url is None or not self._process_alive():
            status = self.check_status()
            raise ServiceError(f"Model server {self.uuid} ('{self.config.model_name}') is "
                               f"{status.state.value}; start it with 'zenml served-models "
                               f"start {self.uuid}'")
        if isinstance(data, dict) and "inputs" in data:
            return http_post_json(url, data)
        return v2_response(http_post_json(url, v2_request(data, outputs=self.config.method)))

    def describe(self) -> dict[str, Any]:
        """Adds the implementation and the MLServer runtime."""
        info = super().describe()
        try:
            runtime = self.runtime()
        except ServiceError:
            runtime = ""
        info.update(IMPLEMENTATION=self.config.implementation, MLSERVER_RUNTIME=runtime,
                    METHOD=self.config.method or "predict")
        return info


def _cover_both_modes() -> None:
    """``SeldonDeploymentService`` names a served model in either mode, as in the original
    framework (``isinstance(service, SeldonDeploymentService)``, steps annotated with it)."""
    from zenml_seldon.cluster import SeldonDeploymentService

    SeldonDeploymentService.register(MLServerService)


_cover_both_modes()
