"""The artifact page and ``/api/v1/artifacts/{id}``: facts, size, previews that fit the
type (checked against values computed from the same data), lineage across a cached
second run, escaping, bounds and 404s. Real runs on the default stack (SQLite store,
local artifact store)."""

from __future__ import annotations

import re
import shutil
import struct
import zlib
from base64 import b64decode
from html import unescape
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from artifact_pipeline import HTML, frame, matrix, run, vector
from zenml_dashboard import lineage, previews

from zenml.post_execution.views import ArtifactView


@pytest.fixture
def art_runs() -> dict[str, Any]:
    """The pipeline run twice: the second run's steps are all cached."""
    return {"first": run("first"), "second": run("second")}


def _output(runs: dict[str, Any], step: str, run_name: str = "first") -> Any:
    return runs[run_name].get_step(step).output


def _get(client: Any, artifact: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/artifacts/{artifact.id}")
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _section(html: str, css_class: str) -> str:
    """The HTML of the first element whose class list starts with ``css_class``."""
    start = html.index(f'class="{css_class}')
    return html[start:html.index("</div>", start) if css_class in ("upstream", "downstream")
                else html.index("</section>", start)]


def _png_pixels(src: str) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of an 8-bit grayscale PNG data: URI (read by hand)."""
    assert src.startswith("data:image/png;base64,")
    png = b64decode(src.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(png):
        (length,), tag = struct.unpack(">I", png[at:at + 4]), png[at + 4:at + 8]
        body = png[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(tag + body) & 0xFFFFFFFF
        chunks[tag] = body
        at += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, color) == (8, 0)
    raw = zlib.decompress(chunks[b"IDAT"])
    rows = [raw[r * (width + 1):(r + 1) * (width + 1)] for r in range(height)]
    assert all(row[0] == 0 for row in rows)  # filter type 0
    return width, height, [row[1:] for row in rows]


def test_a_2d_array_has_stats_values_and_an_image(art_runs: dict[str, Any],
                                                   client: Any) -> None:
    artifact = _output(art_runs, "make_matrix")
    answer = _get(client, artifact)
    data = matrix()
    assert answer["type"] == "numpy:ndarray" and answer["name"] == "output"
    assert answer["materializer"].endswith(":NumpyMaterializer")
    assert answer["producer"] == {"step": "make_matrix", "run": "first"}
    assert answer["content_hash"] == artifact.content_hash and answer["uri"] == artifact.uri
    preview = answer["preview"]
    assert preview["kind"] == "array" and preview["shape"] == [12, 30]
    assert preview["dtype"] == "float64" and preview["size"] == data.size
    assert preview["stats"]["min"] == pytest.approx(data.min()) == -50.0
    assert preview["stats"]["max"] == pytest.approx(data.max())
    assert preview["stats"]["mean"] == pytest.approx(data.mean())
    assert preview["stats"]["non_finite"] == 0
    assert preview["rows"] == data[:10, :20].tolist() and preview["rows_truncated"] is True
    assert "histogram" not in preview
    image = preview["image"]
    width, height, pixels = _png_pixels(image["src"])
    assert (width, height) == (image["width"], image["height"]) == (30, 12)
    assert pixels[3][7] == 0 and pixels[11][29] == 255  # the minimum black, the maximum white
    expected = np.rint((data - data.min()) / (data.max() - data.min()) * 255).astype(np.uint8)
    assert [list(row) for row in pixels] == expected.tolist()
    response = client.get(f"/artifacts/{artifact.id}")
    assert "img-src 'self' data:" in response.headers["content-security-policy"]
    shown = _section(response.text, "preview")
    assert 'data-kind="array"' in shown and f'src="{image["src"]}"' in shown
    assert 'class="preview-image"' in shown and 'class="preview-rows values"' in shown


def test_a_large_2d_array_is_sampled_to_a_small_image() -> None:
    data = np.arange(300 * 500, dtype=np.int32).reshape(300, 500)
    preview = previews.preview_value(data)
    image = preview["image"]
    assert image["step"] == [3, 4] and (image["height"], image["width"]) == (100, 125)
    width, height, pixels = _png_pixels(image["src"])
    assert (width, height) == (125, 100) and pixels[0][0] == 0 and pixels[-1][-1] == 255
    assert preview["stats"]["mean"] == pytest.approx(data.mean())


def test_a_1d_array_has_a_histogram(art_runs: dict[str, Any], client: Any) -> None:
    artifact = _output(art_runs, "make_vector")
    preview = _get(client, artifact)["preview"]
    counts, edges = np.histogram(vector(), bins=20)
    assert preview["histogram"]["counts"] == counts.tolist()
    assert preview["histogram"]["edges"] == pytest.approx(edges.tolist())
    assert sum(preview["histogram"]["counts"]) == 50 and preview["histogram"]["counts"][-1] == 10
    assert preview["shape"] == [50] and preview["rows"] == [[v] for v in vector()[:10]]
    page = client.get(f"/artifacts/{artifact.id}").text
    assert page.count("<rect ") == 20 and 'class="histogram"' in page


def test_a_frame_has_its_schema_first_rows_and_column_summaries(
        art_runs: dict[str, Any], client: Any) -> None:
    artifact = _output(art_runs, "make_frame")
    preview = _get(client, artifact)["preview"]
    data = frame(15)
    assert preview["kind"] == "frame" and preview["shape"] == [15, 3]
    assert [(c["name"], c["dtype"]) for c in preview["columns"]] == [
        (name, str(dtype)) for name, dtype in data.dtypes.items()]
    head = data.head(10)
    assert preview["head"]["columns"] == ["x", "y", "label"]
    assert preview["head"]["index"] == list(range(10))
    assert preview["head"]["rows"] == [
        [int(x), None if np.isnan(y) else float(y), label]
        for x, y, label in head.itertuples(index=False, name=None)]
    assert preview["rows_truncated"] is True
    x, y, label = preview["columns"]
    assert (x["min"], x["max"], x["mean"], x["nulls"]) == (0, 14, pytest.approx(7.0), 0)
    assert y["nulls"] == int(data["y"].isna().sum()) == 3 and y["count"] == 12
    assert y["mean"] == pytest.approx(data["y"].mean())
    assert (label["unique"], label["top"], label["top_count"]) == (2, "even", 8)
    page = client.get(f"/artifacts/{artifact.id}").text
    rows = _section(page, "preview")
    assert 'class="preview-rows"' in rows and "<i>odd</i>" not in page
    assert "&lt;i&gt;odd&lt;/i&gt;" in rows


def test_an_estimator_shows_its_class_and_params(art_runs: dict[str, Any],
                                                 client: Any) -> None:
    from sklearn.linear_model import LogisticRegression

    artifact = _output(art_runs, "train")
    preview = _get(client, artifact)["preview"]
    assert preview["kind"] == "estimator"
    assert preview["class"].endswith(":LogisticRegression")
    assert preview["class"].startswith("sklearn.linear_model")
    expected = LogisticRegression(C=0.5, max_iter=200).get_params(deep=False)
    assert set(preview["params"]) == set(expected)
    assert preview["params"]["C"] == 0.5 and preview["params"]["max_iter"] == 200
    assert preview["fitted"] is True and preview["attributes"]["n_features_in_"] == 1
    assert "coef_" in preview["fitted_attributes"]
    page = client.get(f"/artifacts/{artifact.id}").text
    assert "LogisticRegression" in _section(page, "preview")


def test_scalars_strings_and_dicts(art_runs: dict[str, Any], client: Any) -> None:
    assert _get(client, _output(art_runs, "count"))["preview"] == {
        "kind": "scalar", "value": 15, "python_type": "int"}
    text = _output(art_runs, "make_text")
    assert _get(client, text)["preview"] == {"kind": "text", "length": len(HTML),
                                             "value": HTML, "truncated": False}
    page = client.get(f"/artifacts/{text.id}").text
    assert HTML not in page and "&lt;b&gt;html&lt;/b&gt;" in _section(page, "preview")
    settings = _get(client, _output(art_runs, "make_settings"))["preview"]
    assert settings["kind"] == "json" and settings["length"] == 3
    assert settings["truncated"] is False
    import json

    assert json.loads(settings["value"]) == {"lr": 0.5, "layers": [3, 2], "note": HTML}
    page = client.get(f"/artifacts/{_output(art_runs, 'make_settings').id}").text
    assert HTML not in page


def test_a_long_string_is_truncated(client: Any) -> None:
    artifact = run("long", repeat=1000).get_step("make_text").output
    preview = _get(client, artifact)["preview"]
    full = HTML * 1000
    assert preview["length"] == len(full) and preview["truncated"] is True
    assert preview["value"] == full[:previews.MAX_CHARS]
    page = client.get(f"/artifacts/{artifact.id}").text
    assert "<b>" not in page and f"{len(full)} characters" in page


def test_an_unknown_type_has_type_and_size_only(art_runs: dict[str, Any],
                                                client: Any) -> None:
    artifact = _output(art_runs, "make_opaque")
    answer = _get(client, artifact)
    assert answer["preview"] == {"kind": "none", "message": "no preview for this type"}
    assert answer["type"].endswith(":Opaque")
    assert (answer["size"], answer["files"]) == (len(b"\x00\x01opaque"), 1)
    page = client.get(f"/artifacts/{artifact.id}").text
    assert "no preview for this type" in _section(page, "preview")


def test_the_size_is_every_file_under_the_uri(art_runs: dict[str, Any], client: Any) -> None:
    for step in ("make_matrix", "make_frame", "train"):
        artifact = _output(art_runs, step)
        files = [p for p in Path(artifact.uri).rglob("*") if p.is_file()]
        answer = _get(client, artifact)
        assert answer["files"] == len(files) >= 1, step
        assert answer["size"] == sum(p.stat().st_size for p in files), step


def test_too_large_is_not_loaded(art_runs: dict[str, Any], client: Any,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    artifact = _output(art_runs, "make_matrix")
    size = _get(client, artifact)["size"]
    monkeypatch.setattr(previews, "MAX_BYTES", size - 1)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a too large artifact was loaded")

    monkeypatch.setattr(ArtifactView, "read", refuse)
    answer = _get(client, artifact)
    assert answer["preview"]["kind"] == "too_large"
    assert answer["preview"]["message"].startswith("too large to preview")
    assert f"{size:,} bytes" in answer["preview"]["message"]
    assert answer["size"] == size  # the facts are still there
    page = client.get(f"/artifacts/{artifact.id}")
    assert page.status_code == 200 and "too large to preview" in page.text


def test_deleted_files_are_reported_not_a_crash(art_runs: dict[str, Any],
                                                client: Any) -> None:
    artifact = _output(art_runs, "make_vector")
    shutil.rmtree(artifact.uri)
    answer = _get(client, artifact)
    assert answer["size"] is None and answer["preview"]["kind"] == "missing"
    page = client.get(f"/artifacts/{artifact.id}")
    assert page.status_code == 200 and "not in the artifact store" in page.text


def test_lineage_upstream_and_downstream_across_the_cached_run(
        art_runs: dict[str, Any], client: Any) -> None:
    first, second = art_runs["first"], art_runs["second"]
    data = _output(art_runs, "make_frame")
    # the cached second run read the first run's artifact
    assert second.get_step("train").inputs["data"].id == data.id
    answer = _get(client, data)
    downstream = answer["lineage"]["downstream"]
    assert sorted((s["run"], s["step"], s["status"], s["inputs"][0])
                  for s in downstream["steps"]) == [
        ("first", "count", "completed", "data"), ("first", "train", "completed", "data"),
        ("second", "count", "cached", "data"), ("second", "train", "cached", "data")]
    assert downstream["truncated"] is False
    assert answer["lineage"]["upstream"] == {"steps": [
        {"id": first.get_step("make_frame").id, "step": "make_frame", "run": "first",
         "status": "completed", "cached": False, "depth": 0, "inputs": []}],
        "truncated": False}

    model = _get(client, _output(art_runs, "train", "second"))  # the same artifact
    assert model["id"] == _output(art_runs, "train").id
    upstream = model["lineage"]["upstream"]["steps"]
    assert [(s["step"], s["run"], s["depth"]) for s in upstream] == [
        ("train", "first", 0), ("make_frame", "first", 1)]
    assert upstream[0]["inputs"] == [{"input": "data", "id": data.id, "name": "output",
                                      "type": data.data_type}]
    assert model["lineage"]["downstream"] == {"steps": [], "truncated": False}

    page = client.get(f"/artifacts/{data.id}").text
    down = _section(page, "downstream")
    links = set(re.findall(r'href="([^"]+)"', down))
    assert {"/runs/second/steps/train", "/runs/second/steps/count", "/runs/first/steps/train",
            "/runs/second"} <= links
    up = _section(client.get(f"/artifacts/{model['id']}").text, "upstream")
    assert f'href="/artifacts/{data.id}"' in up and 'href="/runs/first/steps/make_frame"' in up


def test_lineage_is_bounded(art_runs: dict[str, Any], client: Any,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    data = _output(art_runs, "make_frame")
    monkeypatch.setattr(lineage, "MAX_CONSUMERS", 3)
    assert len(_get(client, data)["lineage"]["downstream"]["steps"]) == 3
    assert _get(client, data)["lineage"]["downstream"]["truncated"] is True
    model = _output(art_runs, "train")
    monkeypatch.setattr(lineage, "MAX_STEPS", 1)
    upstream = _get(client, model)["lineage"]["upstream"]
    assert [s["step"] for s in upstream["steps"]] == ["train"] and upstream["truncated"]


def test_the_step_page_links_its_artifacts(art_runs: dict[str, Any], client: Any) -> None:
    data = _output(art_runs, "make_frame")
    step = client.get("/api/v1/runs/second/steps/train").json()
    assert step["inputs"]["data"]["id"] == data.id
    page = client.get("/runs/second/steps/train").text
    inputs = page[page.index('class="artifacts inputs"'):]
    assert f'href="/artifacts/{data.id}"' in inputs.split("</table>")[0]
    outputs = page[page.index('class="artifacts outputs"'):].split("</table>")[0]
    model = _output(art_runs, "train")
    assert f'href="/artifacts/{model.id}"' in outputs
    # and from the artifact page back to its producer
    artifact_page = client.get(f"/artifacts/{model.id}").text
    producer = re.search(r'<a class="producer" href="([^"]+)"', artifact_page)
    assert producer is not None and unescape(producer.group(1)) == "/runs/first/steps/train"
    assert client.get(producer.group(1)).status_code == 200


def test_unknown_artifacts_are_404(art_runs: dict[str, Any], client: Any) -> None:
    api = client.get("/api/v1/artifacts/no-such-id")
    assert api.status_code == 404 and api.json() == {"error": "No artifact 'no-such-id'"}
    page = client.get("/artifacts/no-such-id")
    assert page.status_code == 404 and "No artifact" in page.text
    xss = client.get("/artifacts/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert xss.status_code == 404 and "<script>alert(1)" not in xss.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xss.text


def test_arrays_with_gaps_and_without_numbers() -> None:
    data = np.array([[1.0, np.nan], [np.inf, 3.0]])
    preview = previews.preview_value(data)
    assert preview["stats"] == {"min": 1.0, "max": 3.0, "mean": 2.0, "non_finite": 2}
    assert preview["rows"] == [[1.0, "nan"], ["inf", 3.0]]
    _, _, pixels = _png_pixels(preview["image"]["src"])
    assert [list(row) for row in pixels] == [[0, 0], [0, 255]]  # NaN/inf black
    words = previews.preview_value(np.array(["<a>", "b"]))
    assert "stats" not in words and words["rows"] == [["<a>"], ["b"]]
    empty = previews.preview_value(np.zeros((0, 3)))
    assert empty["shape"] == [0, 3] and empty["rows"] == [] and "image" not in empty
    assert previews.preview_value(np.array([True, False, True]))["stats"]["mean"] == \
        pytest.approx(2 / 3)


def test_previews_import_their_library_only_when_used() -> None:
    import subprocess
    import sys

    code = ("import sys, zenml_dashboard.data, zenml_dashboard.lineage, "
            "zenml_dashboard.previews as p\n"
            "p.preview_value('text'); p.preview_value({'a': [1]}); p.preview_value(3)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'numpy', 'pandas', 'sklearn'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_a_uri_outside_the_artifact_store_is_not_looked_at(client: Any, tmp_path: Path) -> None:
    """A record written elsewhere pointing outside the store's root: no size, no read."""
    import uuid

    from zenml.metadata_stores.base import NewArtifact
    from zenml.metadata_stores.records import ExecutionStatus
    from zenml.repository import Repository

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "data.json").write_text("42")
    store = Repository().run_stores()[0]
    run_id, step_id, artifact_id = (str(uuid.uuid4()) for _ in range(3))
    store.create_run(run_id=run_id, run_name="elsewhere", pipeline_name="p",
                     stack_name="default", enable_cache=False, num_steps=1)
    store.start_step_run(step_run_id=step_id, run_id=run_id, name="s", entrypoint_name="s",
                         source="m:s", parameters={}, cache_key="k", inputs={})
    store.complete_step_run(step_id, [NewArtifact(
        id=artifact_id, name="output", uri=str(outside), data_type="builtins:int",
        materializer="zenml.materializers.builtin:BuiltInMaterializer", content_hash=None)])
    store.finish_run(run_id, ExecutionStatus.COMPLETED)
    answer = client.get(f"/api/v1/artifacts/{artifact_id}").json()
    assert answer["size"] is None and answer["preview"]["kind"] == "missing"
    assert answer["producer"] == {"step": "s", "run": "elsewhere"}
