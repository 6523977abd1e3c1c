"""Two runs side by side (API and page) after real runs on the default stack."""

from __future__ import annotations

import math
from html.parser import HTMLParser
from typing import Any

from dash_pipeline import run

from zenml.pipelines import pipeline
from zenml.steps import BaseStepConfig, step


class MetricsConfig(BaseStepConfig):
    huge: bool = False


@step
def score(config: MetricsConfig) -> int:
    return 10 ** 4200 if config.huge else 3  # 4201 digits: its JSON file is too large to show


@step
def ratio(x: int) -> float:
    return math.nan if x > 10 else 0.5


@pipeline
def metrics_pipeline(score, ratio):  # type: ignore[no-untyped-def]
    ratio(score())


def run_metrics(name: str, huge: bool = False) -> Any:
    return metrics_pipeline(score=score(config=MetricsConfig(huge=huge)),
                            ratio=ratio()).run(run_name=name)


class Rows(HTMLParser):
    """The ``tr`` elements of ``table.compare``: their classes and data attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tables = 0
        self.rows: list[dict[str, str]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        classes = found.get("class", "").split()
        if tag == "table" and "compare" in classes:
            self.tables += 1
        elif tag == "tr" and self.tables and "data-kind" in found:
            self.rows.append(found)
        elif tag == "a" and "compare-link" in classes:
            self.links.append(found["href"])


def parse(text: str) -> Rows:
    rows = Rows()
    rows.feed(text)
    return rows


def steps_of(answer: dict[str, Any]) -> dict[str, Any]:
    return {s["name"]: s for s in answer["steps"]}


def test_parameters_outputs_and_numbers_that_differ(runs: dict[str, Any], client: Any) -> None:
    run("third", value=9, note="x")
    answer = client.get("/api/v1/compare", params={"a": "first", "b": "third"}).json()
    assert answer["comparable"] is True and answer["message"] is None
    assert (answer["a"]["name"], answer["b"]["name"]) == ("first", "third")
    steps = steps_of(answer)
    assert list(steps) == ["produce", "consume"]
    produce, consume = steps["produce"], steps["consume"]
    assert produce["parameters"] == [
        {"name": "note", "a": "", "b": "x", "in_a": True, "in_b": True},
        {"name": "value", "a": 7, "b": 9, "in_a": True, "in_b": True}]
    assert consume["parameters"] == [] and produce["cache_differs"] is False
    [output] = produce["outputs"]
    assert output["differs"] is True and output["numeric"] is True
    assert (output["a"]["value"], output["b"]["value"], output["delta"]) == (7, 9, 2)
    assert output["hash_a"] == runs["first"].get_step("produce").output.content_hash
    [text_output] = consume["outputs"]  # a str: hashes only, never read
    assert text_output["differs"] is True and text_output["numeric"] is False
    assert text_output["a"] is None and text_output["type"] == "builtins:str"
    assert answer["differences"] == {"parameters": 2, "cache": 0, "outputs": 2}


def test_cached_in_one_run_and_not_the_other(runs: dict[str, Any], client: Any) -> None:
    answer = client.get("/api/v1/compare", params={"a": "first", "b": "second"}).json()
    for name, compared in steps_of(answer).items():
        assert compared["cache_differs"] is True, name
        assert compared["a"]["cached"] is False and compared["b"]["cached"] is True
        assert compared["b"]["status"] == "cached" and compared["parameters"] == []
        assert [o["differs"] for o in compared["outputs"]] == [False]
        assert compared["differs"] is True
    produce = steps_of(answer)["produce"]["outputs"][0]
    assert (produce["a"]["value"], produce["b"]["value"], produce["delta"]) == (7, 7, 0)
    assert answer["differences"] == {"parameters": 0, "cache": 2, "outputs": 0}


def test_without_a_the_previous_run_of_the_pipeline(runs: dict[str, Any], client: Any) -> None:
    run_metrics("metrics-between")  # another pipeline's run between them does not count
    run("third", value=8)
    answer = client.get("/api/v1/compare", params={"b": "third"}).json()
    assert answer["a"]["name"] == "second" and answer["comparable"] is True
    assert answer["choices"] == ["third", "second", "first"]
    first = client.get("/api/v1/compare", params={"b": "first"}).json()
    assert first["comparable"] is False and first["a"] is None
    assert "first run of pipeline 'dash_pipeline'" in first["message"]


def test_runs_of_different_pipelines_get_a_message(runs: dict[str, Any], client: Any) -> None:
    run_metrics("metrics-1")
    answer = client.get("/api/v1/compare", params={"a": "first", "b": "metrics-1"}).json()
    assert answer["comparable"] is False and answer["steps"] == []
    assert "'dash_pipeline'" in answer["message"] and "'metrics_pipeline'" in answer["message"]
    page = client.get("/compare", params={"a": "first", "b": "metrics-1"}).text
    assert "pick two runs of one pipeline" in page and 'class="compare"' not in page


def test_numbers_are_bounded_and_nan_is_json(client: Any) -> None:
    run_metrics("small")
    run_metrics("huge", huge=True)
    answer = client.get("/api/v1/compare", params={"a": "small", "b": "huge"}).json()
    steps = steps_of(answer)
    [score_out] = steps["score"]["outputs"]
    assert score_out["a"] == {"value": 3, "note": None}
    assert score_out["b"] == {"value": None, "note": "too large"}
    assert score_out["delta"] is None and score_out["differs"] is True
    [ratio_out] = steps["ratio"]["outputs"]
    assert ratio_out["a"]["value"] == 0.5 and ratio_out["b"]["value"] == "nan"
    assert ratio_out["delta"] is None


def test_unknown_or_missing_runs(runs: dict[str, Any], client: Any) -> None:
    missing = client.get("/api/v1/compare", params={"a": "nope", "b": "first"})
    assert missing.status_code == 404 and "nope" in missing.json()["error"]
    assert client.get("/api/v1/compare", params={"a": "first"}).status_code == 400
    assert client.get("/compare", params={"a": "first", "b": "nope"}).status_code == 404
    empty = client.get("/compare")
    assert empty.status_code == 200 and "Pick two runs" in empty.text


def test_compare_page_marks_the_rows_that_differ(runs: dict[str, Any], client: Any) -> None:
    run("third <b>", value=9)
    page = client.get("/compare", params={"a": "first", "b": "third <b>"})
    assert page.status_code == 200
    rows = parse(page.text)
    assert rows.tables == 1
    differing = [(r["data-step"], r["data-kind"], r.get("data-name"))
                 for r in rows.rows if "differs" in r["class"].split()]
    assert differing == [("produce", "parameter", "value"), ("produce", "output", "output"),
                         ("consume", "output", "output")]
    assert len(rows.rows) == 5  # two status rows, one parameter, two outputs
    assert "third &lt;b&gt;" in page.text and "third <b>" not in page.text
    cached = parse(client.get("/compare", params={"a": "first", "b": "second"}).text)
    assert [(r["data-step"], r["data-kind"]) for r in cached.rows
            if "differs" in r["class"].split()] == [("produce", "status"),
                                                     ("consume", "status")]


def test_links_to_the_compare_page(runs: dict[str, Any], client: Any) -> None:
    assert parse(client.get("/").text).links == ["/compare?b=second", "/compare?b=first"]
    run_page = client.get("/runs/second").text
    assert parse(run_page).links == ["/compare?b=second"]
    assert '<option value="first">first</option>' in run_page  # the "or with" picker
    followed = client.get("/compare?b=second")
    assert followed.status_code == 200 and len(parse(followed.text).rows) == 4


def test_at_most_max_reads_values_are_read(runs: dict[str, Any]) -> None:
    from zenml_dashboard.compare import compare_runs

    from zenml.repository import Repository

    store, artifact_store = Repository().run_stores()
    pipeline = store.get_pipeline("dash_pipeline", artifact_store=artifact_store)
    first, second = pipeline.get_run("first"), pipeline.get_run("second")
    answer = compare_runs(first, second, artifact_store, max_reads=1)
    [output] = next(s for s in answer["steps"] if s["name"] == "produce")["outputs"]
    assert output["a"] == {"value": 7, "note": None}
    assert output["b"] == {"value": None, "note": "not read (too many values)"}
    assert output["delta"] is None
