"""Safe by default: escaping, the token, the Content-Security-Policy."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from dash_pipeline import run
from starlette.testclient import TestClient
from zenml_dashboard.app import CSP, create_app

from zenml.metadata_stores.records import ExecutionStatus
from zenml.repository import Repository

from conftest import XSS


def _record_run(name: str) -> None:
    """A run record with a name the pipeline API refuses (a store written elsewhere)."""
    store = Repository().run_stores()[0]
    run_id = str(uuid.uuid4())
    store.create_run(run_id=run_id, run_name=name, pipeline_name="dash_pipeline",
                     stack_name="default", enable_cache=True, num_steps=0)
    store.finish_run(run_id, ExecutionStatus.COMPLETED)


def test_a_script_run_name_renders_as_text(client: Any) -> None:
    run("<img src=x onerror=alert(1)>")
    _record_run(XSS)
    listing = client.get("/").text
    assert XSS not in listing and "<img src=x" not in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    assert "&lt;img src=x onerror=alert(1)&gt;" in listing
    page = client.get(f"/runs/{quote(XSS, safe='')}")
    assert page.status_code == 200
    assert XSS not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert client.get(f"/api/v1/runs/{quote(XSS, safe='')}").json()["name"] == XSS


def test_a_script_parameter_renders_as_text(client: Any) -> None:
    run("noted", note=XSS)
    page = client.get("/runs/noted/steps/produce").text
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_every_response_has_the_security_headers(client: Any) -> None:
    run("first")
    for path in ("/", "/runs/first", "/runs/first/steps/produce", "/stacks",
                 "/api/v1/runs", "/api/v1/stacks", "/static/style.css", "/runs/nope",
                 "/no/such/page"):
        response = client.get(path)
        assert response.headers["content-security-policy"] == CSP, path
        assert response.headers["x-content-type-options"] == "nosniff", path
    assert "script-src 'self'" in CSP and "'unsafe-inline'" not in CSP


def test_a_token_is_checked_on_every_request() -> None:
    run("first")
    token = "s3cr3t-token-value"
    with TestClient(create_app(token=token)) as client:
        for path in ("/", "/runs/first", "/api/v1/runs", "/api/v1/stacks", "/static/style.css"):
            denied = client.get(path)
            assert denied.status_code == 401, path
            assert token not in denied.text
            assert denied.headers["content-security-policy"] == CSP
        assert client.get("/api/v1/runs", headers={"Authorization": "Bearer wrong"}
                          ).status_code == 401
        assert client.get("/api/v1/runs", params={"token": "wrong"}).status_code == 401
        ok = client.get("/api/v1/runs", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and ok.json()["runs"][0]["name"] == "first"
    with TestClient(create_app(token=token)) as browser:
        assert browser.get("/", params={"token": token}).status_code == 200
        assert browser.get("/runs/first").status_code == 200  # the cookie it set
        browser.cookies.clear()
        assert browser.get("/runs/first").status_code == 401
