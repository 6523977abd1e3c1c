"""The dashboard in a real headless Chromium, served by the real ``zenml dashboard``.

A person's path through it: the runs list, a run's graph (drawn by dag.js
with dagre), a step, a comparison of two runs, the stacks; a run name made of
HTML stays text; a running run's page follows the run until it finishes,
without a reload. Every page is screenshotted (see browser_support.screenshot).
Pages must log no console error: a Content-Security-Policy violation is one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from browser_support import (
    CHROMIUM,
    Dashboard,
    Workspace,
    launch_chromium,
    screenshot,
    unavailable,
)

from zenml.testing.servers import stop_process

from conftest import XSS

IMG = "<img src=x onerror=alert(1)>"
#: The repository every read-only test browses: the quickstart's story (a run,
#: then the same run all cached), a failed run, runs named with HTML, a fan-out.
SEED = f"""
import uuid
import browser_support
from dash_pipeline import run
from zenml.metadata_stores.records import ExecutionStatus
from zenml.repository import Repository

run("first")
run("second")
try:
    run("broken", fail=True)
except Exception:
    pass
run({IMG!r})
browser_support.run_fan("fan")
store = Repository().run_stores()[0]
run_id = str(uuid.uuid4())
store.create_run(run_id=run_id, run_name={XSS!r}, pipeline_name="dash_pipeline",
                 stack_name="default", enable_cache=True, num_steps=0)
store.finish_run(run_id, ExecutionStatus.COMPLETED)
"""
WAIT = "import sys, browser_support; browser_support.run_waiting(sys.argv[1])"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless Chromium (``/usr/bin/chromium``) driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """The real server on a repository with the runs of :data:`SEED`."""
    workspace = Workspace(tmp_path_factory.mktemp("browsed"))
    workspace.python(SEED)
    with Dashboard(workspace) as dashboard:
        yield dashboard


class Tab:
    """A fresh browser page with the dialogs and console errors it saw, and screenshots."""

    def __init__(self, page: Any, base: str, folder: Path) -> None:
        self.page, self.base, self.folder = page, base, folder
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("response", lambda r: self.errors.append(f"{r.status} {r.url}")
                if r.status >= 400 else None)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def graph(self, count: int) -> Any:
        """Wait until the run's graph shows ``count`` steps; its nodes."""
        self.page.wait_for_selector(f'.dag-graph[data-drawn="{count}"]')
        nodes = self.page.locator("svg.dag g.node[data-step][data-status]")
        assert nodes.count() == count
        return nodes

    def statuses(self) -> dict[str, str]:
        nodes = self.page.locator("svg.dag g.node")
        return {nodes.nth(i).get_attribute("data-step"): nodes.nth(i).get_attribute("data-status")
                for i in range(nodes.count())}

    def shot(self, name: str) -> Path:
        return screenshot(self.page, self.folder, name)


@pytest.fixture
def tab(chromium: Any, seeded: Dashboard, tmp_path: Path) -> Iterator[Tab]:
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    tab = Tab(context.new_page(), seeded.url, tmp_path / "screenshots")
    yield tab
    context.close()


def test_from_the_runs_list_to_a_cached_run_and_its_step(tab: Tab) -> None:
    page = tab.open("/")
    links = page.locator("table.runs tbody tr td:first-child a")
    names = links.all_text_contents()
    assert names.index("second") < names.index("first")  # newest first
    tab.shot("runs")

    page.get_by_role("link", name="second", exact=True).click()
    page.wait_for_url(re.compile(r"/runs/second$"))
    nodes = tab.graph(2)
    assert tab.statuses() == {"produce": "cached", "consume": "cached"}
    for i in range(2):
        node = nodes.nth(i)
        assert "is-cached" in (node.get_attribute("class") or "")
        assert node.locator(".detail").text_content() == "cached"
        dash = node.locator("rect.box").evaluate("e => getComputedStyle(e).strokeDasharray")
        assert dash not in ("", "none")  # drawn dashed
    edge = page.locator("svg.dag path.edge")
    assert edge.count() == 1
    assert edge.get_attribute("data-source") == "produce"
    assert edge.get_attribute("data-target") == "consume"
    assert edge.get_attribute("marker-end") == "url(#dag-arrow)"
    assert page.locator(".dag-list").is_hidden()  # the no-JS list makes way for the graph
    assert page.locator("[data-run-status]").text_content() == "completed"
    tab.shot("run-cached")

    page.locator('svg.dag g.node[data-step="consume"] a').click()
    page.wait_for_url(re.compile(r"/runs/second/steps/consume$"))
    assert page.get_by_text("Cached from").is_visible()
    outputs = page.locator("h2:has-text('Outputs') + table")
    assert outputs.is_visible() and "output" in outputs.text_content()
    tab.shot("step-cached")
    page.get_by_role("link", name="Run second").click()
    page.wait_for_url(re.compile(r"/runs/second$"))
    assert tab.errors == [] and tab.dialogs == []


def test_a_completed_run_is_laid_out_left_to_right_with_durations(tab: Tab) -> None:
    page = tab.open("/runs/first")
    nodes = tab.graph(2)
    assert tab.statuses() == {"produce": "completed", "consume": "completed"}
    for i in range(2):
        assert re.fullmatch(r"completed · \d+\.\d{3}s",
                            nodes.nth(i).locator(".detail").text_content() or "")
    produce = page.locator('svg.dag g.node[data-step="produce"] rect.box').bounding_box()
    consume = page.locator('svg.dag g.node[data-step="consume"] rect.box').bounding_box()
    assert produce["x"] + produce["width"] < consume["x"]  # an arrow's length apart
    page.locator('svg.dag g.node[data-step="produce"] a').click()
    page.wait_for_url(re.compile(r"/runs/first/steps/produce$"))
    assert page.locator("table.kv").filter(has_text="value").is_visible()
    tab.shot("step-completed")
    assert tab.errors == []


def test_a_step_output_preview_and_its_lineage(tab: Tab) -> None:
    page = tab.open("/runs/first/steps/consume")
    outputs = page.locator("h2:has-text('Outputs') + table")
    outputs.locator("a.artifact").first.click()
    page.wait_for_url(re.compile(r"/artifacts/[^/]+$"))
    assert (page.locator(".preview .preview-value").text_content() or "").strip() == "14"
    tab.shot("artifact")

    upstream = page.locator(".lineage .upstream a.step")
    assert "produce" in upstream.all_text_contents()  # consume read what produce made
    upstream.filter(has_text="produce").first.click()
    page.wait_for_url(re.compile(r"/runs/first/steps/produce$"))
    page.locator("h2:has-text('Outputs') + table a.artifact").first.click()
    page.wait_for_url(re.compile(r"/artifacts/[^/]+$"))
    assert (page.locator(".preview .preview-value").text_content() or "").strip() == "7"
    downstream = page.locator(".lineage .downstream")
    assert {"first", "second"} <= set(downstream.locator("a.run").all_text_contents())
    assert set(downstream.locator("a.step").all_text_contents()) == {"consume"}
    tab.shot("artifact-lineage")
    assert tab.errors == []


def test_a_fan_out_is_laid_out_by_rank_and_zooms(
        chromium: Any, seeded: Dashboard, tmp_path: Path) -> None:
    context = chromium.new_context(viewport={"width": 1100, "height": 460})
    try:
        tab = Tab(context.new_page(), seeded.url, tmp_path / "screenshots")
        page = tab.open("/runs/fan")
        tab.graph(8)
        assert page.locator("svg.dag path.edge").count() == 12
        boxes = {name: page.locator(f'svg.dag g.node[data-step="{name}"] rect.box')
                 .bounding_box() for name in tab.statuses()}
        branches = [boxes[f"b{i}"] for i in range(6)]
        assert {round(box["x"]) for box in branches} == {round(branches[0]["x"])}  # one rank
        assert boxes["source"]["x"] + boxes["source"]["width"] < branches[0]["x"]
        assert branches[0]["x"] + branches[0]["width"] < boxes["join"]["x"]
        for one, other in itertools.combinations(boxes.values(), 2):  # no two overlap
            assert (one["x"] + one["width"] <= other["x"] or other["x"] + other["width"] <= one["x"]
                    or one["y"] + one["height"] <= other["y"]
                    or other["y"] + other["height"] <= one["y"])
        tools = page.locator(".dag-tools")
        assert tools.is_visible()  # taller than its box: zoom buttons
        graph = page.locator(".dag-graph")
        fit = float(graph.get_attribute("data-scale") or "0")
        tools.locator("[data-zoom=out]").click()
        assert float(graph.get_attribute("data-scale") or "0") < fit
        tab.shot("run-fan-zoomed-out")
        tools.locator("[data-zoom=fit]").click()
        assert float(graph.get_attribute("data-scale") or "0") == fit
        tools.locator("[data-zoom=in]").click()
        assert float(graph.get_attribute("data-scale") or "0") > fit
        assert tab.errors == []
    finally:
        context.close()


def test_without_javascript_the_steps_are_a_list(
        chromium: Any, seeded: Dashboard, tmp_path: Path) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        tab = Tab(context.new_page(), seeded.url, tmp_path / "screenshots")
        page = tab.open("/runs/second")
        assert page.locator(".dag-graph").is_hidden()
        items = page.locator(".dag-list li.node")
        assert items.count() == 2 and page.locator(".dag-list").is_visible()
        assert page.locator(".dag-list li.node.cached").count() == 2
        tab.shot("run-no-javascript")
        items.filter(has_text="consume").get_by_role("link", name="consume").click()
        page.wait_for_url(re.compile(r"/runs/second/steps/consume$"))
    finally:
        context.close()


def test_a_failed_run_shows_the_failed_step_and_the_error(tab: Tab) -> None:
    page = tab.open("/")
    page.locator("select[name=status]").select_option("failed")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"status=failed"))
    assert page.locator("table.runs tbody tr td:first-child a").all_text_contents() == ["broken"]
    page.get_by_role("link", name="broken", exact=True).click()
    tab.graph(1)
    assert tab.statuses() == {"produce": "failed"}
    assert "missing column" in (page.locator(".run-error").first.text_content() or "")
    tab.shot("run-failed")
    assert tab.errors == []


def test_compare_two_runs_from_a_run_page(tab: Tab) -> None:
    page = tab.open("/runs/second")
    tab.graph(2)
    page.locator("a.compare-link").first.click()
    page.wait_for_url(re.compile(r"/compare\?"))
    table = page.locator("table.compare")
    assert table.is_visible()
    text = table.text_content() or ""
    assert "first" in text and "second" in text
    assert page.locator("table.compare tr.differs").count() >= 1  # the cache states differ
    tab.shot("compare")
    assert tab.errors == []


def test_stacks_page(tab: Tab) -> None:
    page = tab.open("/")
    page.locator("header.top nav").get_by_role("link", name="Stacks").click()
    page.wait_for_url(re.compile(r"/stacks$"))
    active = page.locator("section.stack.active")
    assert active.locator("h2").text_content().startswith("default")
    assert "sqlite" in (active.locator("table.components").text_content() or "")
    tab.shot("stacks")
    assert tab.errors == []


def test_html_in_run_names_renders_as_text(tab: Tab) -> None:
    page = tab.open("/")
    names = page.locator("table.runs tbody tr td:first-child a").all_text_contents()
    assert XSS in names and IMG in names  # shown as the characters they are
    assert page.locator("table.runs img").count() == 0
    page.get_by_role("link", name=IMG, exact=True).click()
    page.wait_for_url(re.compile(r"/runs/[^/]+$"))
    tab.graph(2)  # the graph's API request carried the name, quoted
    assert page.locator("h1 .name").text_content() == IMG
    tab.shot("run-html-name")
    tab.open("/runs/" + quote(XSS, safe=""))
    tab.graph(0)
    assert page.locator("h1 .name").text_content() == XSS
    assert page.locator(".dag-graph .empty").text_content() == "No steps recorded yet."
    page.wait_for_timeout(300)  # any script the name smuggled in would have run by now
    assert tab.dialogs == [] and tab.errors == []


def test_a_running_run_follows_the_run_without_a_reload(
        chromium: Any, tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "running")
    release = tmp_path / "release"
    pipeline = workspace.start_python("-c", WAIT, str(release))
    context = None
    try:
        with Dashboard(workspace) as dashboard:
            context = chromium.new_context(viewport={"width": 1280, "height": 860})
            tab = Tab(context.new_page(), dashboard.url, tmp_path / "screenshots")
            page = tab.page
            for _ in range(600):  # the run appears once the pipeline process records it
                answer = page.request.get(dashboard.url + "/api/v1/runs/slow")
                if answer.ok and answer.json()["nodes"]:
                    break
                assert pipeline.poll() is None, pipeline.communicate()[1][-2000:]
                page.wait_for_timeout(100)
            tab.open("/runs/slow")
            tab.graph(1)
            assert tab.statuses() == {"wait": "running"}
            badge = page.locator("[data-run-status]")
            assert badge.text_content() == "running"
            assert page.locator('meta[http-equiv="refresh"]').count() == 0  # only in noscript
            tab.shot("run-running")
            page.evaluate("window.stillThisPage = true")

            release.write_text("go")
            page.wait_for_function(
                "() => document.querySelector('[data-run-status]').textContent === 'completed'",
                timeout=30_000)
            assert page.evaluate("window.stillThisPage") is True  # no reload happened
            tab.graph(2)  # the step that started meanwhile was added
            assert tab.statuses() == {"wait": "completed", "after": "completed"}
            assert page.locator('[data-run-duration]').text_content() != ""
            assert page.locator(".dag-graph").get_attribute("data-status") == "completed"
            tab.shot("run-finished")
            assert tab.errors == [] and tab.dialogs == []
            pipeline.wait(30)
            assert pipeline.returncode == 0
    finally:
        if context is not None:
            context.close()
        stop_process(pipeline)
        pipeline.communicate()
