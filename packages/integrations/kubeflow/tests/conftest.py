"""Fixtures: an isolated zenml config per test, stacks with the kubeflow orchestrator,
the local orchestrator for comparison, a stub KFP REST server on 127.0.0.1, and
kmock's Kubernetes API emulator (``cluster``: skipped locally without kmock, a
failure under ``CI=true``)."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zenml.plugins.manager import reset_plugins
from zenml.repository import Repository
from zenml.stack.component_type import StackComponentType as T
from zenml.testing import ZenCLI, isolate_zenml

TESTS = Path(__file__).parent
if str(TESTS) not in sys.path:  # the compiled tasks import sample_pipelines from here
    sys.path.insert(0, str(TESTS))

from kfp_stub import KfpStub  # noqa: E402
from kube_emulator import Cluster  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    """kmock ships a pytest plugin that loads pytest-asyncio; these tests use neither, so
    settle the loop scope it would otherwise warn about on every run."""
    cache = getattr(config, "_inicache", None)
    if isinstance(cache, dict):
        cache.setdefault("asyncio_default_fixture_loop_scope", "function")


def need(*modules: str) -> None:
    """Skip (locally) or fail (CI=true) unless every module is importable."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if not missing:
        return
    message = f"needs {', '.join(missing)} (install the kubeflow test dependency group)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh ZENML_CONFIG_PATH and cwd for every test; tasks find sample_pipelines."""
    config = isolate_zenml(tmp_path, monkeypatch)
    monkeypatch.delenv("KF_PIPELINES_ENDPOINT", raising=False)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(TESTS), *filter(None, [os.environ.get("PYTHONPATH")])]))
    yield config
    reset_plugins()


Zen = ZenCLI


@pytest.fixture
def zen() -> Zen:
    return Zen(allow_warnings=True)


class Stacks:
    """Registers stacks of fresh stores (local artifact store + a NEW sqlite file)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repo = Repository()

    def register(self, name: str, orchestrator_flavor: str = "kubeflow",
                 activate: bool = True, **config: Any) -> Path:
        """A stack ``name`` with its own stores; returns its folder."""
        folder = self.root / name
        repo = self.repo
        if orchestrator_flavor == "kubeflow":
            config.setdefault("skip_local_validations", True)
            config.setdefault("output_dir", str(folder / "kubeflow"))
        repo.register_component(T.ORCHESTRATOR, name, orchestrator_flavor, config)
        repo.register_component(T.ARTIFACT_STORE, name, "local", {"path": str(folder / "a")})
        repo.register_component(T.METADATA_STORE, name, "sqlite",
                                {"uri": str(folder / "metadata.db")})
        repo.register_stack(name, {T.ORCHESTRATOR: name, T.ARTIFACT_STORE: name,
                                   T.METADATA_STORE: name}, activate=activate)
        if activate:
            repo.set_active_stack(name, globally=True)
        return folder

    def activate(self, name: str) -> None:
        self.repo.set_active_stack(name, globally=True)


@pytest.fixture
def stacks(tmp_path: Path) -> Stacks:
    return Stacks(tmp_path / "stacks")


@pytest.fixture
def kfp_stub() -> Iterator[KfpStub]:
    """A stub KFP REST API on 127.0.0.1 (port 0) that executes submitted runs locally."""
    stub = KfpStub()
    stub.start()
    try:
        yield stub
    finally:
        stub.stop()


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    """kmock's Kubernetes API emulator; ``$KUBECONFIG`` points at it (context ``kmock``,
    namespace ``kubeflow``; context ``nowhere`` is a closed port)."""
    need("kmock")
    kubeconfig = tmp_path / "kubeconfig"
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with Cluster(kubeconfig) as emulator:
        yield emulator
