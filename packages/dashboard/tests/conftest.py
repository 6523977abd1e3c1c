"""Fixtures: an isolated zenml config per test, the default stack's SQLite store, real runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zenml.testing import ZenCLI, isolate_zenml

XSS = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh ZENML_CONFIG_PATH and cwd for every test."""
    yield isolate_zenml(tmp_path, monkeypatch)


@pytest.fixture
def zen() -> ZenCLI:
    return ZenCLI()


@pytest.fixture
def runs() -> dict[str, Any]:
    """The quickstart's story: a pipeline run twice (the second all cached)."""
    from dash_pipeline import run

    first = run("first")
    second = run("second")
    return {"first": first, "second": second}


@pytest.fixture
def client() -> Any:
    from starlette.testclient import TestClient
    from zenml_dashboard.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client
