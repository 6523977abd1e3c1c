"""kmock's Kubernetes API emulator on a background event loop, with a kubeconfig for it.

The real ``kubernetes`` client (zenml's secrets manager, the harness playing the
kubelet) talks HTTP to it on a loopback port, as it would to a cluster's API server.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

__all__ = ["NAMESPACE", "Cluster"]

#: The namespace of the kubeconfig's context (where the pods "run").
NAMESPACE = "kubeflow"


class Cluster:
    """The emulator, served until the ``with`` block ends."""

    def __init__(self, kubeconfig: Path) -> None:
        self.kubeconfig = kubeconfig
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, daemon=True)
        self.url = ""
        self.k8s: Any = None

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        import kmock

        async with kmock.KubernetesEmulator() as k8s, kmock.Server(k8s) as server:
            k8s.resources["v1/secrets"] = {"kind": "Secret", "namespaced": True}
            self.k8s = k8s
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
            "clusters": [{"name": "kmock", "cluster": {"server": self.url}},
                         {"name": "nowhere", "cluster": {"server": "http://127.0.0.1:9"}}],
            "users": [{"name": "tester", "user": {"token": "t0ken"}}],
            "contexts": [{"name": "kmock", "context": {"cluster": "kmock", "user": "tester",
                                                       "namespace": NAMESPACE}},
                         {"name": "nowhere", "context": {"cluster": "nowhere",
                                                         "user": "tester"}}],
        }))
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    # -- seen through the real client, as kubectl would ---------------------------------

    def core(self) -> Any:
        from kubernetes import client, config

        return client.CoreV1Api(config.new_client_from_config(
            config_file=str(self.kubeconfig)))

    def secrets(self, namespace: str = NAMESPACE) -> list[dict[str, Any]]:
        """Every Secret of a namespace, as plain dicts (camelCase, data base64)."""
        from kubernetes import client

        answer = self.core().list_namespaced_secret(namespace)
        items: list[dict[str, Any]] = client.ApiClient().sanitize_for_serialization(
            answer).get("items") or []
        return items

    def create_secret(self, name: str, data: dict[str, str], namespace: str = NAMESPACE,
                      labels: dict[str, str] | None = None) -> None:
        """A Secret made by someone else (kubectl create secret generic ...)."""
        import base64

        self.core().create_namespaced_secret(namespace, {
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
            "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}})
