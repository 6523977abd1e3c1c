"""The ``kubernetes`` secrets manager: one Kubernetes ``Secret`` per zenml secret.

A zenml secret ``NAME`` of schema ``TYPE`` is the Secret :func:`kubernetes_secret_name`
(``NAME``) in the configured namespace, with

- ``metadata.labels``: ``app.kubernetes.io/managed-by: zenml`` and
  ``zenml.io/secret-schema: TYPE`` (only Secrets so labelled are zenml's);
- ``metadata.annotations``: ``zenml.io/secret-name: NAME`` (the name as written);
- ``data``: each key's value, base64 (as Kubernetes stores every Secret).

Kubeflow steps read a referenced value straight from that Secret
(``secretKeyRef``, see :mod:`zenml_kubeflow.compiler`). The kubernetes client is
imported only when the cluster is used; every failure is one
:class:`~zenml.errors.SecretsManagerError` line and never shows a value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from zenml.errors import EntityExistsError, EntityNotFoundError, SecretsManagerError
from zenml.secrets_managers.base import BaseSecretsManager
from zenml_kubeflow.flavors import KubernetesSecretsManagerConfig

if TYPE_CHECKING:
    from kubernetes.client import ApiClient  # type: ignore[import-untyped,import-not-found]

    from zenml.secrets_managers.schemas import BaseSecretSchema

__all__ = [
    "MANAGED_BY_LABEL",
    "NAME_ANNOTATION",
    "SCHEMA_LABEL",
    "KubernetesSecretsManager",
    "kubernetes_secret_name",
]

T = TypeVar("T")

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "zenml"
SCHEMA_LABEL = "zenml.io/secret-schema"
NAME_ANNOTATION = "zenml.io/secret-name"
#: What a key of a Secret's ``data`` may be (Kubernetes' rule).
_DATA_KEY = re.compile(r"^[-._a-zA-Z0-9]{1,253}$")
_TIMEOUT = (5.0, 30.0)  # connect, read
#: Characters of the readable part of a Secret's name.
_SLUG_CHARS = 40


def kubernetes_secret_name(name: str) -> str:
    """The Kubernetes Secret that holds zenml secret ``name`` (a DNS-1123 name).

    ``zenml-<readable part>-<hash>``: lowercase letters and digits of the name
    (other characters become dashes, cut to 40), and 12 hex digits of a hash of
    the exact name, so that names differing only in case or punctuation never meet.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:_SLUG_CHARS].strip("-")
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    return f"zenml-{slug}-{digest}" if slug else f"zenml-{digest}"


class KubernetesSecretsManager(BaseSecretsManager):
    """Secrets as Kubernetes ``Secret`` objects of one namespace (see the module)."""

    config: KubernetesSecretsManagerConfig

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._api: ApiClient | None = None
        self._host = ""

    # -- the cluster -----------------------------------------------------------------

    @property
    def namespace(self) -> str:
        """The namespace of the Secrets."""
        return self.config.namespace

    def _where(self) -> str:
        return f"secrets manager '{self.name}' (Kubernetes namespace '{self.namespace}')"

    def _core(self) -> Any:
        """``CoreV1Api`` on the configured cluster (loaded once)."""
        from kubernetes import client  # type: ignore[import-untyped,import-not-found]

        if self._api is None:
            self._api = self._load()
            self._host = str(self._api.configuration.host)
        return client.CoreV1Api(self._api)

    def _load(self) -> ApiClient:
        from kubernetes import client, config  # type: ignore[import-untyped,import-not-found]

        context = self.config.kubernetes_context
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
            text = str(error).strip()
            detail = text.splitlines()[0] if text else type(error).__name__
            raise SecretsManagerError(
                f"Secrets manager '{self.name}' cannot load the Kubernetes configuration for "
                f"{which}: {detail}; check 'kubectl config get-contexts' (KUBECONFIG) or set "
                f"'zenml secrets-manager update {self.name} --kubernetes_context=...'"
            ) from None
        configuration.retries = 0  # fail at once (and without urllib3's retry warnings)
        return client.ApiClient(configuration)

    def _call(self, what: str, function: Callable[..., T], *args: Any,
              allow: tuple[int, ...] = (), writes_values: bool = False,
              **kwargs: Any) -> T | int:
        """Call the API: a status in ``allow`` is returned, other failures are one line.

        ``writes_values``: the request carries secret values, so the server's
        message (which might echo a field) is left out of errors.
        """
        from kubernetes.client.exceptions import ApiException  # type: ignore[import-untyped,import-not-found]
        from urllib3.exceptions import HTTPError

        try:
            return function(*args, _request_timeout=_TIMEOUT, **kwargs)
        except ApiException as error:
            status = int(error.status or 0)
            if status in allow:
                return status
            raise self._api_error(what, status, error, writes_values) from None
        except (HTTPError, OSError) as error:
            reason = getattr(error, "reason", None) or type(error).__name__
            context = self.config.kubernetes_context
            flag = f" --context {context}" if context else ""
            raise SecretsManagerError(
                f"Secrets manager '{self.name}' cannot reach the Kubernetes cluster at "
                f"{self._host} while {what}: {reason}; check that the cluster is up and that "
                f"'kubectl{flag} get secrets -n {self.namespace}' works") from None

    def _api_error(self, what: str, status: int, error: Any,
                   writes_values: bool) -> SecretsManagerError:
        message = ""
        if not writes_values:
            try:
                message = str(json.loads(error.body or "{}").get("message", ""))
            except (ValueError, AttributeError):
                message = ""
        if status == 401:
            return SecretsManagerError(
                f"Kubernetes refused the credentials of the context of secrets manager "
                f"'{self.name}' while {what} (401 Unauthorized); log in to the cluster again")
        if status == 403:
            return SecretsManagerError(
                f"Kubernetes refused {what} in namespace '{self.namespace}' (403 Forbidden); "
                f"grant the context's user get, list, create, patch and delete on secrets "
                f"there (e.g. a Role and RoleBinding)")
        reason = str(getattr(error, "reason", "") or "").strip()
        detail = f": {message}" if message else ""
        return SecretsManagerError(
            f"Kubernetes API error while {what} for {self._where()}: {status} {reason}"
            f"{detail}".rstrip())

    # -- mapping -------------------------------------------------------------------------

    def _body(self, secret: BaseSecretSchema) -> dict[str, Any]:
        content = secret.content
        bad = sorted(key for key in content if not _DATA_KEY.match(key))
        if bad:
            raise SecretsManagerError(
                f"Secret '{secret.name}' has key(s) {', '.join(repr(k) for k in bad)}, which "
                f"a Kubernetes Secret cannot hold; use letters, digits, '-', '_' and '.'")
        return {
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {
                "name": kubernetes_secret_name(secret.name),
                "namespace": self.namespace,
                "labels": {MANAGED_BY_LABEL: MANAGED_BY, SCHEMA_LABEL: secret.TYPE},
                "annotations": {NAME_ANNOTATION: secret.name},
            },
            "data": {key: base64.b64encode(value.encode("utf-8")).decode("ascii")
                     for key, value in content.items()},
        }

    @staticmethod
    def _as_dict(obj: Any) -> dict[str, Any]:
        """A Secret as the API wrote it (plain dict, camelCase keys)."""
        if isinstance(obj, dict):
            return obj
        from kubernetes import client  # type: ignore[import-untyped,import-not-found]

        data: dict[str, Any] = client.ApiClient().sanitize_for_serialization(obj)
        return data

    @staticmethod
    def _is_zenml(obj: dict[str, Any]) -> bool:
        meta = obj.get("metadata") or {}
        labels = meta.get("labels") or {}
        return bool(labels.get(MANAGED_BY_LABEL) == MANAGED_BY
                    and (meta.get("annotations") or {}).get(NAME_ANNOTATION))

    def _read(self, name: str) -> dict[str, Any] | None:
        """The Secret of zenml secret ``name`` (None: there is none)."""
        k8s_name = kubernetes_secret_name(name)
        found = self._call(f"reading secret '{name}'", self._core().read_namespaced_secret,
                           k8s_name, self.namespace, allow=(404,))
        if found == 404:
            return None
        obj = self._as_dict(found)
        meta = obj.get("metadata") or {}
        if not self._is_zenml(obj) or (meta.get("annotations") or {}).get(
                NAME_ANNOTATION) != name:
            raise SecretsManagerError(
                f"The Kubernetes Secret '{k8s_name}' in namespace '{self.namespace}' is not "
                f"zenml's secret '{name}' (it lacks the labels {MANAGED_BY_LABEL}={MANAGED_BY} "
                f"or the annotation {NAME_ANNOTATION}); rename or remove it with kubectl")
        return obj

    def _not_found(self, name: str) -> EntityNotFoundError:
        return EntityNotFoundError(
            f"Secret '{name}' does not exist in {self._where()}; create it with "
            f"'zenml secret register {shlex.quote(name)} --KEY=VALUE ...'")

    def _to_secret(self, name: str, obj: dict[str, Any]) -> BaseSecretSchema:
        from pydantic import ValidationError

        from zenml.secrets_managers.schemas import SCHEMAS, build_secret

        schema = (obj["metadata"].get("labels") or {}).get(SCHEMA_LABEL) or "arbitrary"
        k8s_name = obj["metadata"].get("name")
        if schema not in SCHEMAS:
            raise SecretsManagerError(
                f"The Kubernetes Secret '{k8s_name}' of secret '{name}' has schema "
                f"'{schema}', which this zenml does not know (known: {', '.join(SCHEMAS)}); "
                f"re-register the secret or upgrade zenml")
        content: dict[str, str] = {}
        for key, value in (obj.get("data") or {}).items():
            try:
                content[key] = base64.b64decode(value or "", validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                raise SecretsManagerError(
                    f"Key '{key}' of the Kubernetes Secret '{k8s_name}' (secret '{name}') is not "
                    f"base64 UTF-8 text; set it again with 'zenml secret update "
                    f"{shlex.quote(name)} --{key}=...'") from None
        try:
            return build_secret(schema, name, content)
        except ValidationError as error:  # words of our own: pydantic's repeat the input
            problems = sorted({f"{'.'.join(str(p) for p in e['loc'])} ({e['type']})"
                               for e in error.errors()})
            raise SecretsManagerError(
                f"The Kubernetes Secret '{k8s_name}' does not hold a valid '{schema}' secret "
                f"'{name}': {', '.join(problems)}; fix it with 'zenml secret update "
                f"{shlex.quote(name)}'"
            ) from None

    # -- the five operations -------------------------------------------------------------

    def register_secret(self, secret: BaseSecretSchema) -> None:
        """Create the secret's Kubernetes Secret; one line if the name is taken."""
        body = self._body(secret)
        status = self._call(f"creating secret '{secret.name}'",
                            self._core().create_namespaced_secret, self.namespace, body,
                            allow=(404, 409), writes_values=True)
        if status == 409:
            quoted = shlex.quote(secret.name)
            raise EntityExistsError(
                f"Secret '{secret.name}' already exists in {self._where()}; change it with "
                f"'zenml secret update {quoted}' or remove it with 'zenml secret delete "
                f"{quoted}'")
        if status == 404:
            raise SecretsManagerError(
                f"Kubernetes namespace '{self.namespace}' of secrets manager '{self.name}' "
                f"does not exist; create it with 'kubectl create namespace {self.namespace}' "
                f"or set 'zenml secrets-manager update {self.name} --namespace=...'")

    def get_secret(self, secret_name: str) -> BaseSecretSchema:
        """The secret, read from its Kubernetes Secret."""
        obj = self._read(secret_name)
        if obj is None:
            raise self._not_found(secret_name)
        return self._to_secret(secret_name, obj)

    def update_secret(self, secret: BaseSecretSchema) -> None:
        """Replace the secret's values and schema (keys it no longer has are removed)."""
        current = self._read(secret.name)
        if current is None:
            raise self._not_found(secret.name)
        body = self._body(secret)
        data: dict[str, Any] = {key: None for key in current.get("data") or {}}
        data.update(body["data"])
        patch = {"metadata": {"labels": body["metadata"]["labels"],
                              "annotations": body["metadata"]["annotations"]},
                 "data": data}
        status = self._call(f"updating secret '{secret.name}'",
                            self._core().patch_namespaced_secret,
                            body["metadata"]["name"], self.namespace, patch, allow=(404,),
                            writes_values=True)
        if status == 404:
            raise self._not_found(secret.name)

    def delete_secret(self, secret_name: str) -> None:
        """Remove the secret's Kubernetes Secret."""
        if self._read(secret_name) is None:
            raise self._not_found(secret_name)
        status = self._call(f"deleting secret '{secret_name}'",
                            self._core().delete_namespaced_secret,
                            kubernetes_secret_name(secret_name), self.namespace, allow=(404,))
        if status == 404:
            raise self._not_found(secret_name)

    def get_all_secret_keys(self) -> list[str]:
        """The names of zenml's secrets in the namespace (other Secrets are not listed)."""
        selector = f"{MANAGED_BY_LABEL}={MANAGED_BY}"
        answer = self._call("listing secrets", self._core().list_namespaced_secret,
                            self.namespace, label_selector=selector)
        names = []
        for item in self._as_dict(answer).get("items") or []:
            obj = self._as_dict(item)
            if self._is_zenml(obj):  # the selector again: not every server honours it
                names.append(str(obj["metadata"]["annotations"][NAME_ANNOTATION]))
        return sorted(names)

    # -- stack up ------------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        """The namespace's secrets can be listed."""
        try:
            self.get_all_secret_keys()
        except SecretsManagerError:
            return False
        return True

    def resume(self) -> None:
        """Nothing to start: say why the secrets cannot be listed."""
        from zenml.errors import ProvisioningError

        try:
            self.get_all_secret_keys()
        except SecretsManagerError as error:
            raise ProvisioningError(str(error)) from None
