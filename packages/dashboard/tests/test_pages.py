"""The HTML pages render the same data as the API, escaped."""

from __future__ import annotations

import html
from typing import Any


def test_runs_page_lists_both_runs(runs: dict[str, Any], client: Any) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert text.index('href="/runs/second"') < text.index('href="/runs/first"')
    assert "2 cached" in text and "2 completed" in text


def test_run_page_draws_the_steps_by_level(runs: dict[str, Any], client: Any) -> None:
    text = client.get("/runs/second").text
    assert text.count('class="node cached"') == 2
    assert text.index('data-step="produce"') < text.index('data-step="consume"')
    assert 'href="/runs/second/steps/consume"' in text and "from produce" in text
    assert 'http-equiv="refresh"' not in text  # only while running


def test_step_page_shows_the_cache_origin_and_outputs(runs: dict[str, Any], client: Any) -> None:
    text = client.get("/runs/second/steps/consume").text
    assert "Cached from" in text and 'href="/runs/first/steps/consume"' in text
    output = runs["first"].get_step("consume").output
    assert html.escape(output.uri) in text
    assert output.content_hash.startswith("blake3:")  # shown by its digits, not its prefix
    assert f">{output.content_hash.removeprefix('blake3:')[:12]}</code>" in text
    produce = client.get("/runs/first/steps/produce").text
    assert "value" in produce and "<code>7</code>" in produce


def test_compare_page_shows_hashes_by_their_digits(runs: dict[str, Any], client: Any) -> None:
    text = client.get("/compare?a=first&b=second").text
    digest = runs["first"].get_step("consume").output.content_hash.removeprefix("blake3:")
    assert text.count(f">{digest[:12]}</code>") == 2  # the same output in both runs


def test_stacks_page(client: Any) -> None:
    text = client.get("/stacks").text
    assert "default" in text and "active" in text and "sqlite" in text


def test_static_css_is_served(client: Any) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200 and ".node" in response.text
