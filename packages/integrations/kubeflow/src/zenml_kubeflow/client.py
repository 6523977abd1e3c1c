"""Talking to Kubeflow Pipelines: probe the endpoint, then kfp.Client calls in bounded time.

``kfp.Client`` has no timeout of its own: its constructor hangs on a server
that accepts connections and never answers. So the endpoint is probed first
(``GET /apis/v2beta1/healthz``, :data:`PROBE_TIMEOUT`), and every kfp call
runs under :data:`CALL_TIMEOUT`; both fail with one line naming the endpoint
and the fix.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import threading
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from zenml_kubeflow.errors import KubeflowError

if TYPE_CHECKING:
    from zenml_kubeflow.flavors import KubeflowOrchestratorConfig

__all__ = [
    "CALL_TIMEOUT",
    "FINAL_STATES",
    "PROBE_TIMEOUT",
    "Endpoint",
    "KubeflowClient",
    "probe",
]

#: Seconds the health probe may take (connect + answer).
PROBE_TIMEOUT = 10.0
#: Seconds any single kfp call may take.
CALL_TIMEOUT = 60.0
HEALTHZ_PATH = "apis/v2beta1/healthz"
KUBE_PROXY_PATH = "api/v1/namespaces/{namespace}/services/ml-pipeline:http/proxy"
#: KFP run states after which a run does not change any more.
FINAL_STATES = frozenset({"SUCCEEDED", "SKIPPED", "FAILED", "CANCELED"})

T = TypeVar("T")


@dataclass(frozen=True)
class Endpoint:
    """Where KFP answered: its API URL, how it was reached and its UI (if known)."""

    url: str
    via: str
    ui_url: str | None
    multi_user: bool = False

    def run_url(self, run_id: str) -> str:
        """The KFP UI page of a run (or how to get to it)."""
        if self.ui_url:
            return f"{self.ui_url}/#/runs/details/{run_id}"
        return (f"run id {run_id} (forward the UI with 'kubectl port-forward -n NAMESPACE "
                f"svc/ml-pipeline-ui 8080:80' and open http://localhost:8080/#/runs/details/"
                f"{run_id})")


def port_forward_hint(config: KubeflowOrchestratorConfig) -> str:
    """The kubectl command that exposes the KFP API on localhost:8080."""
    context = f" --context {config.kubernetes_context}" if config.kubernetes_context else ""
    return (f"kubectl{context} port-forward -n {config.kubeflow_namespace} "
            f"svc/ml-pipeline-ui 8080:80")


def _reason(error: BaseException) -> str:
    """A short, human cause of a network error."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, (TimeoutError, socket.timeout)):
            return f"no answer within {PROBE_TIMEOUT:g} s"
        if isinstance(current, socket.gaierror):
            return f"unknown host ({current.strerror})"
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            current = reason
            continue
        current = current.__cause__ or current.__context__
    text = str(error).strip().splitlines()
    message = text[0] if text else type(error).__name__
    if "timed out" in message.lower():
        return f"no answer within {PROBE_TIMEOUT:g} s"
    if "refused" in message.lower():
        return "connection refused"
    return message


def kubeconfig_path() -> str:
    """``$KUBECONFIG`` (``:``-separated files) as it is now, or ``~/.kube/config``.

    The kubernetes client reads ``KUBECONFIG`` once, when it is imported; kfp.Client
    uses that default, so it is brought up to date here too.
    """
    path = os.environ.get("KUBECONFIG") or "~/.kube/config"
    try:
        from kubernetes.config import (  # type: ignore[import-not-found,import-untyped]
            kube_config,
        )
    except ImportError:  # pragma: no cover - kubernetes is a dependency
        return path
    kube_config.KUBE_CONFIG_DEFAULT_LOCATION = path
    return path


def _check_healthz(url: str, status: int, body: bytes) -> bool:
    """Whether a healthz answer is KFP's; return its multi_user flag."""
    if status == 404:
        raise ValueError("no KFP v2 API there (HTTP 404 for /apis/v2beta1/healthz; "
                         "Kubeflow Pipelines 2.x is needed)")
    if status in (401, 403):
        raise ValueError(f"it needs authentication (HTTP {status}); zenml-kubeflow talks "
                         f"to KFP without credentials, e.g. through a port-forward")
    if status >= 400:
        raise ValueError(f"HTTP {status} for /apis/v2beta1/healthz")
    try:
        data = json.loads(body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("the answer to /apis/v2beta1/healthz is not KFP's (not JSON)") from None
    if not isinstance(data, dict):
        raise ValueError("the answer to /apis/v2beta1/healthz is not KFP's")
    return bool(data.get("multi_user", False))


def _probe_url(url: str) -> bool:
    request = urllib.request.Request(f"{url}/{HEALTHZ_PATH}",
                                     headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT) as answer:
            return _check_healthz(url, int(answer.status), answer.read())
    except urllib.error.HTTPError as error:
        return _check_healthz(url, int(error.code), error.read())


def _probe_kube(config: KubeflowOrchestratorConfig) -> tuple[str, bool]:
    """Reach KFP's API through the Kubernetes API server of the context."""
    from kubernetes import config as kube_config  # type: ignore[import-not-found,import-untyped]
    from kubernetes.config.config_exception import (  # type: ignore[import-not-found,import-untyped]
        ConfigException,
    )

    where = (f"context '{config.kubernetes_context}'" if config.kubernetes_context
             else "the current context")
    try:
        api = kube_config.new_client_from_config(
            config_file=kubeconfig_path(), context=config.kubernetes_context,
            persist_config=False)
    except (ConfigException, OSError, TypeError, ValueError) as error:
        raise KubeflowError(
            f"Cannot load the kubeconfig {where} ({_reason(error)}); set "
            f"'--kubernetes_context' to a context of 'kubectl config get-contexts', or "
            f"'--kubeflow_hostname' to the KFP API URL") from None
    api.configuration.retries = False
    host = str(api.configuration.host).rstrip("/")
    proxy = KUBE_PROXY_PATH.format(namespace=config.kubeflow_namespace)
    try:
        response = api.call_api(
            f"/{proxy}/{HEALTHZ_PATH}", "GET", auth_settings=["BearerToken"],
            _preload_content=False, _return_http_data_only=True,
            _request_timeout=PROBE_TIMEOUT)
        status, body = int(response.status), bytes(response.data)
    except Exception as error:
        error_status = getattr(error, "status", None)
        if not isinstance(error_status, int) or error_status == 0:
            raise KubeflowError(
                f"The Kubernetes API server {host} ({where}) is not reachable: "
                f"{_reason(error)}; check 'kubectl cluster-info' for that context") from None
        status, body = error_status, str(getattr(error, "body", "") or "").encode()
    if status in (404, 503):
        raise KubeflowError(
            f"Kubeflow Pipelines is not running in namespace '{config.kubeflow_namespace}' "
            f"of {where} (HTTP {status} from service ml-pipeline); install KFP there or set "
            f"'--kubeflow_namespace' to its namespace")
    try:
        multi_user = _check_healthz(host, status, body)
    except ValueError as error:
        raise KubeflowError(f"Kubeflow Pipelines in {where} does not answer as expected: "
                            f"{error}") from None
    return f"{host}/{proxy}", multi_user


def probe(config: KubeflowOrchestratorConfig) -> Endpoint:
    """Check that KFP answers, in bounded time; raise :class:`KubeflowError` otherwise."""
    if config.kubeflow_hostname:
        url = config.kubeflow_hostname
        try:
            multi_user = _probe_url(url)
        except ValueError as error:
            raise KubeflowError(f"{url} is not a Kubeflow Pipelines API: {error}; check "
                                f"'--kubeflow_hostname'") from None
        except (OSError, urllib.error.URLError) as error:
            raise KubeflowError(
                f"Kubeflow Pipelines at {url} is not reachable: {_reason(error)}; check "
                f"'--kubeflow_hostname', or expose KFP with '{port_forward_hint(config)}' "
                f"and set --kubeflow_hostname=http://localhost:8080") from None
        return Endpoint(url=url, via="kubeflow_hostname", ui_url=url, multi_user=multi_user)
    url, multi_user = _probe_kube(config)
    where = config.kubernetes_context or "current"
    return Endpoint(url=url, via=f"kubernetes context {where}", ui_url=None,
                    multi_user=multi_user)


def bounded(what: str, call: Callable[[], T], timeout: float | None = None) -> T:
    """Run ``call`` in a helper thread; raise :class:`KubeflowError` after ``timeout``
    seconds (default :data:`CALL_TIMEOUT`).

    What kfp prints meanwhile (its links) and its warnings are swallowed: the
    orchestrator logs its own lines. Both are restored when this returns, even if
    the call is still hanging.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error

    timeout = CALL_TIMEOUT if timeout is None else timeout
    worker = threading.Thread(target=target, name=f"zenml-kfp-{what}", daemon=True)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        worker.start()
        worker.join(timeout)
    if worker.is_alive():
        raise KubeflowError(f"Kubeflow Pipelines did not answer within {timeout:g} s "
                            f"({what})")
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


def _api_error(what: str, endpoint: Endpoint, error: BaseException) -> KubeflowError:
    status = getattr(error, "status", None)
    body = str(getattr(error, "body", "") or "")
    detail = ""
    if body:
        try:
            data = json.loads(body)
            detail = str(data.get("message") or data.get("error") or "") if isinstance(
                data, dict) else ""
        except json.JSONDecodeError:
            detail = body.strip().splitlines()[0] if body.strip() else ""
    cause = (f"HTTP {status}" + (f": {detail}" if detail else "")) if status else _reason(error)
    return KubeflowError(f"Kubeflow Pipelines at {endpoint.url} refused to {what}: {cause}")


def _kube_client_class(base: type[Any], config: KubeflowOrchestratorConfig,
                       url: str) -> type[Any]:
    """kfp.Client reaching KFP through the Kubernetes API server's service proxy.

    kfp's own kube-context mode loses the proxy path as soon as the kubeconfig's
    token is refreshed (the kubernetes loader's refresh hook sets the host back to
    the API server's), so the configuration is built here with a fixed host.
    """
    import kfp_server_api  # type: ignore[import-not-found,import-untyped]
    from kubernetes import config as kube_config  # type: ignore[import-not-found,import-untyped]

    class ProxyConfiguration(kfp_server_api.Configuration):  # type: ignore[misc]
        @property
        def host(self) -> str:
            return url

        @host.setter
        def host(self, value: str) -> None:
            pass  # the loader's refresh hook would point it at the bare API server

    class KubeProxyClient(base):  # type: ignore[misc,valid-type]
        def _load_config(self, *args: Any, **kwargs: Any) -> Any:
            configuration = ProxyConfiguration()
            kube_config.load_kube_config(
                config_file=kubeconfig_path(), context=config.kubernetes_context,
                client_configuration=configuration, persist_config=False)
            return configuration

    return KubeProxyClient


class KubeflowClient:
    """The few kfp.Client calls the orchestrator makes, each bounded in time."""

    def __init__(self, config: KubeflowOrchestratorConfig) -> None:
        self.endpoint = probe(config)
        try:
            import kfp  # type: ignore[import-not-found,import-untyped]
        except ImportError as error:  # pragma: no cover - kfp is a dependency
            raise KubeflowError(f"kfp cannot be imported ({error}); reinstall it with "
                                f"'zenml integration install kubeflow'") from None
        if config.kubeflow_hostname:
            host = config.kubeflow_hostname

            def make() -> Any:
                return kfp.Client(host=host)
        else:
            client_class = _kube_client_class(kfp.Client, config, self.endpoint.url)

            def make() -> Any:
                return client_class()
        try:
            self._client = bounded("connect", make)
        except KubeflowError:
            raise
        except Exception as error:
            raise _api_error("connect", self.endpoint, error) from None

    def _call(self, what: str, call: Callable[[], T]) -> T:
        try:
            return bounded(what, call)
        except KubeflowError:
            raise
        except Exception as error:
            raise _api_error(what, self.endpoint, error) from None

    def experiment_id(self, name: str) -> str:
        """The id of the experiment called ``name``, created if missing."""
        experiment = self._call(f"create experiment '{name}'",
                                lambda: self._client.create_experiment(name=name))
        return str(experiment.experiment_id)

    def submit(self, *, package: str, run_name: str, experiment: str) -> str:
        """Create a run of the compiled pipeline; return its KFP run id."""
        experiment_id = self.experiment_id(experiment)
        run = self._call(f"create run '{run_name}'", lambda: self._client.run_pipeline(
            experiment_id=experiment_id, job_name=run_name, pipeline_package_path=package,
            params={}, enable_caching=False))
        return str(run.run_id)

    def state(self, run_id: str) -> tuple[str, str]:
        """A run's state (``RUNNING``, ``SUCCEEDED``...) and its error message, if any."""
        run = self._call(f"get run {run_id}", lambda: self._client.get_run(run_id))
        state = str(run.state or "PENDING").upper()
        error = getattr(run, "error", None)
        message = str(getattr(error, "message", "") or "") if error is not None else ""
        return state, message
