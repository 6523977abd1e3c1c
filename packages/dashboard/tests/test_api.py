"""The JSON API against the default stack's SQLite store after real runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from dash_pipeline import run
from pydantic import Field, SecretStr

from zenml.artifact_stores.config import BaseArtifactStoreConfig
from zenml.plugins import hookimpl
from zenml.stack import Flavor
from zenml.stack.models import MASK
from zenml.testing import plugin_registered


def test_runs_newest_first_with_step_counts(runs: dict[str, Any], client: Any) -> None:
    answer = client.get("/api/v1/runs").json()
    assert [r["name"] for r in answer["runs"]] == ["second", "first"]
    assert answer["total"] == 2 and answer["pages"] == 1
    first, second = answer["runs"][1], answer["runs"][0]
    assert first["step_counts"] == {"completed": 2, "cached": 0, "failed": 0, "running": 0}
    assert second["step_counts"] == {"completed": 0, "cached": 2, "failed": 0, "running": 0}
    assert first["status"] == "completed" and first["stack"] == "default"
    assert first["duration"] is not None and first["duration"] >= 0


def test_runs_are_paged_and_filtered(runs: dict[str, Any], client: Any) -> None:
    with pytest.raises(Exception, match="missing column"):
        run("broken", fail=True)
    page = client.get("/api/v1/runs", params={"size": 1, "page": 2}).json()
    assert [r["name"] for r in page["runs"]] == ["second"] and page["pages"] == 3
    failed = client.get("/api/v1/runs", params={"status": "failed"}).json()
    assert [r["name"] for r in failed["runs"]] == ["broken"]
    assert failed["runs"][0]["error"] and "missing column" in failed["runs"][0]["error"]
    assert failed["runs"][0]["step_counts"]["failed"] == 1
    completed = client.get("/api/v1/runs", params={"status": "completed"}).json()
    assert [r["name"] for r in completed["runs"]] == ["second", "first"]
    assert client.get("/api/v1/runs", params={"stack": "other"}).json()["total"] == 0
    assert client.get("/api/v1/runs", params={"stack": "default"}).json()["total"] == 3
    assert client.get("/api/v1/runs", params={"pipeline": "nope"}).json()["runs"] == []
    assert client.get("/api/v1/runs", params={"pipeline": "dash_pipeline"}).json()[
        "total"] == 3


def test_run_is_a_dag_of_its_steps(runs: dict[str, Any], client: Any) -> None:
    answer = client.get("/api/v1/runs/second").json()
    assert {n["name"]: (n["status"], n["cached"], n["level"]) for n in answer["nodes"]} == {
        "produce": ("cached", True, 0), "consume": ("cached", True, 1)}
    assert answer["edges"] == [{"source": "produce", "target": "consume", "input": "x",
                                "artifact": "output"}]
    assert answer["levels"] == [["produce"], ["consume"]]
    assert [node["parents"] for node in answer["nodes"]] == [[], ["produce"]]
    assert answer["stack"] == "default" and answer["error"] is None
    first = client.get("/api/v1/runs/first").json()
    assert {n["status"] for n in first["nodes"]} == {"completed"}
    assert all(n["duration"] is not None for n in first["nodes"])


def test_a_cached_step_points_at_the_first_run(runs: dict[str, Any], client: Any) -> None:
    step = client.get("/api/v1/runs/second/steps/consume").json()
    assert step["cached"] is True and step["status"] == "cached"
    assert step["cache_origin"] == {"step": "consume", "run": "first"}
    original = runs["first"].get_step("consume").output
    output = step["outputs"]["output"]
    assert output["uri"] == original.uri and output["content_hash"] == original.content_hash
    assert output["type"] == "builtins:str"
    assert output["materializer"].endswith(":BuiltInMaterializer")
    assert step["inputs"]["x"]["producer"] == {"step": "produce", "run": "first"}
    produce = client.get("/api/v1/runs/first/steps/produce").json()
    assert produce["cache_origin"] is None and produce["cached"] is False
    assert produce["parameters"] == {"value": 7, "fail": False, "note": ""}
    assert produce["duration"] is not None and produce["inputs"] == {}


def test_a_failed_step_has_its_error(client: Any) -> None:
    with pytest.raises(Exception, match="missing column"):
        run("broken", fail=True)
    step = client.get("/api/v1/runs/broken/steps/produce").json()
    assert step["status"] == "failed" and "missing column" in step["error"]
    assert client.get("/api/v1/runs/broken").json()["status"] == "failed"


def test_unknown_names_are_404(runs: dict[str, Any], client: Any) -> None:
    assert client.get("/api/v1/runs/nope").status_code == 404
    assert client.get("/api/v1/runs/second/steps/nope").status_code == 404
    assert "nope" in client.get("/api/v1/runs/nope").json()["error"]
    assert client.get("/runs/nope").status_code == 404


def test_names_in_urls_are_quoted(client: Any) -> None:
    name = "run #1 ?&%"
    run(name)
    answer = client.get(f"/api/v1/runs/{quote(name, safe='')}").json()
    assert answer["name"] == name
    step = client.get(f"/api/v1/runs/{quote(name, safe='')}/steps/produce").json()
    assert step["run"] == name
    page = client.get("/").text
    assert f'href="/runs/{quote(name, safe="")}"' in page


class SecretStoreConfig(BaseArtifactStoreConfig):
    """An artifact store flavor with a secret field."""

    path: str = Field(description="Where.")
    password: SecretStr | None = Field(default=None, description="A password.")


class SecretPlugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [Flavor(name="guarded", type="artifact_store", config_class=SecretStoreConfig,
                       implementation="zenml.artifact_stores.local:LocalArtifactStore")]


def test_stacks_mark_the_active_one_and_mask_secrets(zen: Any, client: Any,
                                                       tmp_path: Path) -> None:
    secret = "hunter2-never-shown"
    with plugin_registered(SecretPlugin(), "guarded-test"):
        zen("artifact-store", "register", "guarded_store", "--flavor=guarded",
            f"--path={tmp_path / 'a'}", f"--password={secret}")
        zen("metadata-store", "register", "other_meta", "--flavor=sqlite",
            f"--uri={tmp_path / 'm.db'}")
        zen("stack", "register", "other", "-a", "guarded_store", "-m", "other_meta",
            "-o", "default")
        response = client.get("/api/v1/stacks")
        page = client.get("/stacks").text
    assert secret not in response.text and secret not in page
    answer = response.json()
    stacks = {s["name"]: s for s in answer["stacks"]}
    assert answer["active"] == "default" and stacks["default"]["active"] is True
    assert stacks["other"]["active"] is False
    components = {c["type"]: c for c in stacks["other"]["components"]}
    store = components["artifact_store"]
    assert (store["name"], store["flavor"]) == ("guarded_store", "guarded")
    assert store["config"] == {"path": str(tmp_path / "a"), "password": MASK}
    assert components["metadata_store"]["flavor"] == "sqlite"
    assert MASK in page and "guarded_store" in page


def test_the_api_is_read_only(runs: dict[str, Any], client: Any) -> None:
    for path in ("/api/v1/runs", "/api/v1/runs/first", "/api/v1/stacks"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            assert client.request(method, path).status_code == 405


def test_the_stores_are_kept_across_requests_and_replaced_when_the_stack_changes(
        runs: dict[str, Any], zen: Any, tmp_path: Path) -> None:
    from zenml_dashboard.data import DashboardData

    disposed: list[Any] = []
    data = DashboardData()
    first_store = data.stores()[0]
    original_release = type(first_store).release_connections

    def counted(store: Any) -> None:
        disposed.append(store)
        original_release(store)

    for _ in range(3):  # same active stack: the same store, its engine reused
        assert data.stores()[0] is first_store
        assert [r["name"] for r in data.runs()["runs"]] == ["second", "first"]
    zen("metadata-store", "register", "other_md", "--flavor=sqlite",
        f"--uri={tmp_path / 'other.db'}")
    zen("artifact-store", "register", "other_arts", "--flavor=local",
        f"--path={tmp_path / 'other_arts'}")
    zen("stack", "register", "other", "-o", "default", "-a", "other_arts", "-m", "other_md",
        "--set")
    type(first_store).release_connections = counted  # type: ignore[method-assign]
    try:
        assert data.runs()["total"] == 0  # the new active stack's store, read at once
        assert disposed == [first_store]  # and the old one's connections closed
        second_store = data.stores()[0]
        assert second_store is not first_store and second_store.config.uri.endswith("other.db")
        assert first_store.count_runs() == 2  # released, not broken: a late request goes on
        zen("stack", "set", "default")
        assert data.runs()["total"] == 2 and disposed[-1] is second_store
    finally:
        type(first_store).release_connections = original_release  # type: ignore[method-assign]


def test_requests_in_threads_while_the_active_stack_changes(
        runs: dict[str, Any], zen: Any, tmp_path: Path) -> None:
    """The app serves requests from a thread pool: they share the kept stores, and a
    stack switch in the middle never breaks a request in flight."""
    import threading

    from zenml_dashboard.data import DashboardData

    zen("metadata-store", "register", "empty_md", "--flavor=sqlite",
        f"--uri={tmp_path / 'empty.db'}")
    zen("artifact-store", "register", "empty_arts", "--flavor=local",
        f"--path={tmp_path / 'empty_arts'}")
    zen("stack", "register", "empty", "-o", "default", "-a", "empty_arts", "-m", "empty_md")
    data = DashboardData()
    totals: list[int] = []
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(15):
                totals.append(data.runs()["total"])
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for thread in threads:
        thread.start()
    for name in ("empty", "default", "empty", "default"):
        zen("stack", "set", name)
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(totals) == 90
    assert set(totals) <= {0, 2} and data.runs()["total"] == 2
