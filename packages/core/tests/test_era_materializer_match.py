"""Issue 15 item 1: a step's output is matched by its annotated type and its runtime type.

The era annotated outputs with sklearn's mixins (``-> ClassifierMixin``) and
returned concrete estimators; the most specific registered class along the MRO
of either the annotation or the value picks the materializer, and the
artifact records the one that wrote it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from zenml.errors import MaterializerError, RunFailedError
from zenml.execution.source import resolve_source
from zenml.materializers import BaseMaterializer, MaterializerRegistry, register_materializer
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import step

sklearn = pytest.importorskip("sklearn")

from sklearn.base import (  # noqa: E402
    BaseEstimator,
    ClassifierMixin,
    ClusterMixin,
    RegressorMixin,
    TransformerMixin,
)
from sklearn.svm import SVC  # noqa: E402

SKLEARN = "zenml.materializers.sklearn_materializer:SklearnMaterializer"

X = [[0.0, 0.0], [0.1, 0.2], [1.0, 1.0], [0.9, 1.1]]
Y = [0, 0, 1, 1]


@step
def train_classifier() -> ClassifierMixin:
    model = SVC()
    model.fit(X, Y)
    return model


@step
def train_estimator() -> BaseEstimator:
    model = SVC()
    model.fit(X, Y)
    return model


@step
def predict(model: ClassifierMixin) -> list:
    return [int(v) for v in model.predict([[0.0, 0.1], [1.0, 0.9]])]


@pipeline
def train_and_predict(trainer, predictor):
    predictor(trainer())


@pipeline
def one_step(only):
    only()


def _run_view(run: Any, name: str) -> Any:
    """The run as the post-execution API reads it back from the stores."""
    return Repository().get_pipeline("train_and_predict").get_run(run.name).get_step(name)


@pytest.mark.parametrize("trainer", [train_classifier, train_estimator])
def test_an_estimator_annotated_with_a_mixin_or_base_estimator_runs(trainer: Any) -> None:
    run = train_and_predict(trainer=trainer(), predictor=predict()).run()
    assert run is not None
    producer = _run_view(run, "trainer")
    assert producer.output.materializer == SKLEARN
    assert (Path(producer.output.uri) / "model.joblib").is_file()
    model = producer.output.read()
    assert isinstance(model, SVC)
    assert model.predict([[1.0, 1.0]]).tolist() == [1]
    assert _run_view(run, "predictor").output.read() == [0, 1]


@pytest.mark.parametrize("mixin", [ClassifierMixin, RegressorMixin, ClusterMixin,
                                   TransformerMixin, BaseEstimator])
def test_the_sklearn_materializer_covers_the_mixins(mixin: type) -> None:
    found = MaterializerRegistry.core().find(mixin)
    assert found is not None and resolve_source(found) == SKLEARN


# -- a plain Python class hierarchy -------------------------------------------------------
class Shape:
    def __init__(self, size: int) -> None:
        self.size = size


class Square(Shape):
    pass


class Labelled:
    """A mixin with no materializer of its own."""


class LabelledShape(Shape, Labelled):
    pass


def _write(materializer: BaseMaterializer, kind: str, size: int) -> None:
    with materializer.open("shape.json", "w") as handle:
        json.dump({"kind": kind, "size": size}, handle)


def _read(materializer: BaseMaterializer) -> dict[str, Any]:
    with materializer.open("shape.json", "r") as handle:
        return dict(json.load(handle))


def _kind(uri: str) -> str:
    """Which materializer wrote the artifact (the file each one writes says)."""
    return str(json.loads((Path(uri) / "shape.json").read_text())["kind"])


@register_materializer
class ShapeMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (Shape,)

    def handle_return(self, data: Any) -> None:
        _write(self, "shape", data.size)

    def handle_input(self, data_type: type) -> Any:
        return Shape(_read(self)["size"])


@register_materializer
class SquareMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (Square,)

    def handle_return(self, data: Any) -> None:
        _write(self, "square", data.size)

    def handle_input(self, data_type: type) -> Any:
        return Square(_read(self)["size"])


@step
def make_square() -> Shape:
    return Square(3)


@step
def make_labelled() -> Labelled:
    return LabelledShape(4)


@step
def area(shape: Shape) -> int:
    return shape.size * shape.size


@pipeline
def shapes(maker, measure):
    measure(maker())


def _name(cls: type) -> str:
    return resolve_source(cls)


def test_the_value_s_more_specific_materializer_wins_over_the_annotation_s() -> None:
    run = shapes(maker=make_square(), measure=area()).run()
    assert run is not None
    output = run.get_step("maker").output
    assert output.materializer == _name(SquareMaterializer)
    assert _kind(output.uri) == "square"
    assert isinstance(output.read(), Square)
    assert run.get_step("measure").output.read() == 9


def test_an_annotation_without_a_materializer_uses_the_value_s() -> None:
    run = shapes(maker=make_labelled(), measure=area()).run()
    assert run is not None
    output = run.get_step("maker").output
    assert output.materializer == _name(ShapeMaterializer)
    assert output.read().size == 4
    assert run.get_step("measure").output.read() == 16


def test_an_explicit_materializer_still_wins() -> None:
    run = shapes(maker=make_square().with_return_materializers(ShapeMaterializer),
                 measure=area()).run()
    assert run is not None
    output = run.get_step("maker").output
    assert output.materializer == _name(ShapeMaterializer)
    assert _kind(output.uri) == "shape"


class Opaque(Labelled):
    pass


@step
def make_opaque() -> Labelled:
    return Opaque()


def test_a_value_whose_type_has_no_materializer_is_one_clear_line() -> None:
    with pytest.raises((MaterializerError, RunFailedError)) as caught:
        one_step(only=make_opaque()).run()
    message = str(caught.value)
    assert "\n" not in message
    assert ("No materializer for output 'output' of step 'only' of type Opaque; pass one "
            "with step.with_return_materializers(...)") in message


@step
def anything() -> Any:
    return 3


@step
def some_object() -> object:
    return Square(5)


@pytest.mark.parametrize(("maker", "materializer", "value"), [
    (anything, "zenml.materializers.builtin:BuiltInMaterializer", 3),
    (some_object, _name(SquareMaterializer), 5),
])
def test_any_or_object_is_written_by_the_value_s_materializer(
        maker: Any, materializer: str, value: int) -> None:
    run = one_step(only=maker()).run()
    assert run is not None
    output = run.get_step("only").output
    assert output.materializer == materializer
    read = output.read()
    assert (read if isinstance(read, int) else read.size) == value
