"""Kubernetes access: the SeldonDeployments (and secrets) of one namespace.

:class:`SeldonClient` loads the kubeconfig (or the in-cluster configuration),
calls the API and turns every failure into one :class:`ServiceError` line.
The kubernetes package is imported only when a cluster is used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from zenml.model_deployers.service import ServiceError
from zenml_seldon.manifest import API_VERSION, GROUP, PLURAL, VERSION

if TYPE_CHECKING:
    from kubernetes.client import ApiClient  # type: ignore[import-untyped,import-not-found]

__all__ = ["SeldonClient"]

T = TypeVar("T")
_TIMEOUT = (5.0, 30.0)  # connect, read
_SA_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

class SeldonClient:
    """SeldonDeployments (and secrets) of one namespace, through the kubernetes client.

    Every failure becomes one :class:`ServiceError` line: no configuration
    for the context, a cluster that does not answer, Seldon Core's CRD
    missing, permissions, a missing object.
    """

    def __init__(self, context: str | None = None, namespace: str | None = None,
                 api_client: ApiClient | None = None) -> None:
        self.context = context
        self.api = api_client or self._load(context)
        self.host = str(self.api.configuration.host)
        self.namespace = namespace or self._default_namespace(context)
        self._crd_checked = False

    # -- configuration -------------------------------------------------------------------

    @staticmethod
    def _load(context: str | None) -> ApiClient:
        from kubernetes import client, config  # type: ignore[import-untyped,import-not-found]

        configuration = client.Configuration()
        try:
            if context is None and os.environ.get("KUBERNETES_SERVICE_HOST"):
                config.load_incluster_config(client_configuration=configuration)
            else:
                # KUBECONFIG as it is now (the client reads it once, when imported)
                config.load_kube_config(config_file=os.environ.get("KUBECONFIG") or None,
                                        context=context, client_configuration=configuration)
        except Exception as error:  # ConfigException, FileNotFoundError, yaml errors
            which = f"context '{context}'" if context else "the current context"
            detail = str(error).strip().splitlines()[0] if str(error).strip() else type(
                error).__name__
            raise ServiceError(f"Cannot load the Kubernetes configuration for {which}: "
                               f"{detail}; check 'kubectl config get-contexts' (KUBECONFIG) "
                               f"or set the model deployer's --kubernetes_context") from None
        configuration.retries = 0  # fail at once (and without urllib3's retry warnings)
        return client.ApiClient(configuration)

    @staticmethod
    def _default_namespace(context: str | None) -> str:
        if context is None and os.environ.get("KUBERNETES_SERVICE_HOST"):
            try:
                with open(_SA_NAMESPACE, encoding="utf-8") as handle:
                    return handle.read().strip() or "default"
            except OSError:
                return "default"
        from kubernetes import config  # type: ignore[import-untyped,import-not-found]

        try:
            contexts, active = config.list_kube_config_contexts(
                config_file=os.environ.get("KUBECONFIG") or None)
        except Exception:
            return "default"
        chosen = next((c for c in contexts if c.get("name") == context), None) if context \
            else active
        namespace = ((chosen or {}).get("context") or {}).get("namespace")
        return str(namespace) if namespace else "default"

    # -- calls ---------------------------------------------------------------------------

    def _call(self, what: str, function: Callable[..., T], *args: Any,
              allow_404: bool = False, **kwargs: Any) -> T | None:
        """Call the API; errors become one ServiceError line (404 gives None if allowed)."""
        from kubernetes.client.exceptions import ApiException  # type: ignore[import-untyped,import-not-found]
        from urllib3.exceptions import HTTPError

        try:
            return function(*args, _request_timeout=_TIMEOUT, **kwargs)
        except ApiException as error:
            if allow_404 and error.status == 404:
                return None
            raise self._api_error(what, error) from None
        except (HTTPError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            context = f" --context {self.context}" if self.context else ""
            raise ServiceError(
                f"Cannot reach the Kubernetes cluster at {self.host} while {what}: {reason}; "
                f"check that the cluster is up and that 'kubectl{context} get namespaces' "
                f"works") from None

    def _api_error(self, what: str, error: Any) -> ServiceError:
        status = int(getattr(error, "status", 0) or 0)
        message = ""
        try:
            message = str(json.loads(error.body or "{}").get("message", ""))
        except (ValueError, AttributeError):
            message = str(getattr(error, "reason", ""))
        if status == 403:
            return ServiceError(f"Kubernetes refused {what} in namespace '{self.namespace}' "
                                f"(403 Forbidden: {message}); grant the user of the context "
                                f"access to seldondeployments there")
        if status == 401:
            return ServiceError(f"Kubernetes refused the credentials of the context while "
                                f"{what} (401 Unauthorized); log in to the cluster again")
        return ServiceError(f"Kubernetes API error while {what}: {status} "
                            f"{getattr(error, 'reason', '')} {message}".rstrip())

    def check_crd(self) -> None:
        """Fail with one line if Seldon Core's SeldonDeployment resource is not installed."""
        if self._crd_checked:
            return
        found = self._call("looking for the SeldonDeployment resource", self.api.call_api,
                           f"/apis/{GROUP}/{VERSION}", "GET", response_type="object",
                           auth_settings=["BearerToken"], _return_http_data_only=True,
                           allow_404=True)
        resources = (found or {}).get("resources", []) if isinstance(found, dict) else []
        if not any(r.get("name") == PLURAL for r in resources):
            raise ServiceError(
                f"The Kubernetes cluster at {self.host} has no SeldonDeployment resource "
                f"({API_VERSION}): Seldon Core is not installed there; install Seldon Core 1.x "
                f"in the cluster first")
        self._crd_checked = True

    @property
    def _custom(self) -> Any:
        from kubernetes import client  # type: ignore[import-untyped,import-not-found]

        return client.CustomObjectsApi(self.api)

    def get(self, name: str) -> dict[str, Any] | None:
        """One SeldonDeployment, or None if it does not exist."""
        return self._call(f"reading SeldonDeployment '{name}'",
                          self._custom.get_namespaced_custom_object, GROUP, VERSION,
                          self.namespace, PLURAL, name, allow_404=True)

    def list(self, label_selector: str) -> list[dict[str, Any]]:
        """The SeldonDeployments whose labels match ``label_selector``."""
        self.check_crd()
        answer = self._call("listing SeldonDeployments",
                            self._custom.list_namespaced_custom_object, GROUP, VERSION,
                            self.namespace, PLURAL, label_selector=label_selector)
        wanted = dict(part.split("=", 1) for part in label_selector.split(",") if "=" in part)
        items = []
        for item in (answer or {}).get("items", []):
            labels = item.get("metadata", {}).get("labels") or {}
            if all(labels.get(k) == v for k, v in wanted.items()):
                items.append(item)
        return items

    def create(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Create a SeldonDeployment (after checking the CRD is installed)."""
        self.check_crd()
        name = manifest["metadata"]["name"]
        answer = self._call(f"creating SeldonDeployment '{name}'",
                            self._custom.create_namespaced_custom_object, GROUP, VERSION,
                            self.namespace, PLURAL, manifest)
        return answer or manifest

    def replace(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Make a SeldonDeployment's spec, zenml labels and annotations those of ``manifest``.

        A JSON merge patch: lists (the predictors) are replaced whole, and the keys
        the new manifest drops (top-level spec fields, zenml's labels and
        annotations) are removed; labels and annotations of others stay.
        """
        name = manifest["metadata"]["name"]
        current = self.get(name)
        if current is None:
            return self.create(manifest)
        patch: dict[str, Any] = {"metadata": {}, "spec": dict(manifest["spec"])}
        for key in current.get("spec") or {}:
            patch["spec"].setdefault(key, None)
        for part in ("labels", "annotations"):
            new = dict(manifest["metadata"].get(part) or {})
            for key in current.get("metadata", {}).get(part) or {}:
                if key.startswith("zenml.io/") and key not in new:
                    new[key] = None
            patch["metadata"][part] = new
        return self.patch(name, patch)

    def patch(self, name: str, patch: dict[str, Any]) -> dict[str, Any]:
        """Merge-patch a SeldonDeployment."""
        answer = self._call(f"updating SeldonDeployment '{name}'",
                            self._custom.patch_namespaced_custom_object, GROUP, VERSION,
                            self.namespace, PLURAL, name, patch)
        return answer or {}

    def delete(self, name: str) -> bool:
        """Delete a SeldonDeployment; False if there was none."""
        if self.get(name) is None:
            return False
        self._call(f"deleting SeldonDeployment '{name}'",
                   self._custom.delete_namespaced_custom_object, GROUP, VERSION, self.namespace,
                   PLURAL, name, allow_404=True)
        return True

    def secret_exists(self, name: str) -> bool | None:
        """Whether the secret exists (None if we may not look)."""
        from kubernetes import client  # type: ignore[import-untyped,import-not-found]
        from kubernetes.client.exceptions import ApiException  # type: ignore[import-untyped,import-not-found]

        try:
            client.CoreV1Api(self.api).read_namespaced_secret(name, self.namespace,
                                                              _request_timeout=_TIMEOUT)
        except ApiException as error:
            if error.status == 404:
                return False
            if error.status in (401, 403):
                return None
            raise self._api_error(f"reading secret '{name}'", error) from None
        except Exception as error:
            raise ServiceError(f"Cannot reach the Kubernetes cluster at {self.host} while "
                               f"reading secret '{name}': {error}") from None
        return True
