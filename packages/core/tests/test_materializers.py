"""Materializers: every built-in type round-trips through a local artifact store."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from zenml.artifact_stores.config import LocalArtifactStoreConfig
from zenml.artifact_stores.local import LocalArtifactStore
from zenml.errors import MaterializerError
from zenml.materializers import BaseMaterializer, build_registry, register_materializer
from zenml.pipelines import pipeline
from zenml.steps import step

REQUIRE_ALL = os.environ.get("CI") == "true"


def needs(module: str) -> Any:
    """Skip without ``module`` locally; under CI=true the module must be installed."""
    if REQUIRE_ALL or importlib.util.find_spec(module) is not None:
        return lambda f: f
    return pytest.mark.skip(reason=f"{module} is not installed")


@pytest.fixture
def store(tmp_path: Path) -> LocalArtifactStore:
    return LocalArtifactStore(name="s", id="1", flavor="local",
                              config=LocalArtifactStoreConfig(path=str(tmp_path / "store")))


def round_trip(store: LocalArtifactStore, value: Any, data_type: Any = None) -> Any:
    data_type = data_type or type(value)
    materializer = build_registry().get(data_type)
    uri = f"{store.path}/{data_type.__name__}-{id(value)}"
    store.makedirs(uri)
    materializer(uri, store).handle_return(value)
    return materializer(uri, store).handle_input(data_type)


class Point(BaseModel):
    x: int
    y: list[float]


@pytest.mark.parametrize("value", [
    0, -7, 2**70, 1.5, float("inf"), True, False, "text ünïcode", "", b"\x00\xffbytes", None,
    {"a": 1, "b": [1, 2, {"c": None}]}, [1, "two", 3.0], (1, 2, 3), (1, ("nested", 2)),
    {"t": (1, 2)}, [], {}, (), Point(x=1, y=[0.5]),
])
def test_builtin_types_round_trip(store: LocalArtifactStore, value: Any) -> None:
    data_type = type(value) if value is not None else type(None)
    result = round_trip(store, value, data_type)
    assert result == value and type(result) is type(value)


def test_bool_is_not_read_back_as_int(store: LocalArtifactStore) -> None:
    assert round_trip(store, True) is True


@needs("numpy")
def test_numpy_arrays_and_containers_of_them(store: LocalArtifactStore) -> None:
    import numpy as np

    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    result = round_trip(store, array)
    assert result.dtype == np.float32 and (result == array).all()
    pair = round_trip(store, (array, "label"))
    assert isinstance(pair, tuple) and (pair[0] == array).all() and pair[1] == "label"
    objects = np.array([{"a": 1}, None], dtype=object)
    assert list(round_trip(store, objects)) == [{"a": 1}, None]


@needs("pandas")
def test_pandas_frames_and_series(store: LocalArtifactStore) -> None:
    import pandas as pd

    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    pd.testing.assert_frame_equal(round_trip(store, frame), frame)
    series = pd.Series([1.5, 2.5], name="s")
    pd.testing.assert_series_equal(round_trip(store, series), series)


@needs("sklearn")
def test_sklearn_models_are_saved_as_model_joblib(store: LocalArtifactStore) -> None:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    materializer = build_registry().get(type(model))
    uri = f"{store.path}/model"
    store.makedirs(uri)
    materializer(uri, store).handle_return(model)
    assert os.listdir(uri) == ["model.joblib"]
    loaded = materializer(uri, store).handle_input(LogisticRegression)
    assert list(loaded.predict([[0.0], [3.0]])) == [0, 1]


def test_heavy_libraries_are_not_imported_to_build_the_registry() -> None:
    from zenml.testing import imported_modules_after

    modules = imported_modules_after(code="from zenml.materializers import build_registry\n"
                                          "build_registry()")
    assert not {"numpy", "pandas", "sklearn"} & modules


class Celsius:
    def __init__(self, degrees: float) -> None:
        self.degrees = degrees


@register_materializer  # a materializer is picked for its types once registered
class CelsiusMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (Celsius,)

    def handle_return(self, data: Any) -> None:
        with self.open("degrees.txt", "w") as handle:
            handle.write(str(data.degrees))

    def handle_input(self, data_type: type) -> Any:
        with self.open("degrees.txt", "r") as handle:
            return Celsius(float(handle.read()))


class Shouty(BaseMaterializer):
    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = ()

    def handle_return(self, data: Any) -> None:
        with self.open("shout.txt", "w") as handle:
            handle.write(data.upper())

    def handle_input(self, data_type: type) -> Any:
        with self.open("shout.txt", "r") as handle:
            return handle.read()


@step
def weather() -> Celsius:
    return Celsius(21.5)


@step
def greeting() -> str:
    return "hello"


@pipeline
def single(only):
    only()


def test_a_defined_materializer_is_used_for_its_type() -> None:
    run = single(only=weather()).run()
    assert run is not None
    output = run.get_step("only").output
    assert os.listdir(output.uri) == ["degrees.txt"]
    assert output.read().degrees == 21.5
    assert output.materializer.endswith(":CelsiusMaterializer")


def test_with_return_materializers_overrides_the_registry() -> None:
    run = single(only=greeting().with_return_materializers(Shouty)).run()
    assert run is not None and run.get_step("only").output.read() == "HELLO"
    with pytest.raises(Exception, match="no output 'nope'"):
        greeting().with_return_materializers({"nope": Shouty})


def test_unknown_type_message_names_the_fix() -> None:
    class Unknown:
        pass

    with pytest.raises(MaterializerError, match="with_return_materializers"):
        build_registry().get(Unknown)


class Kelvin(float):
    """A subclass of a type the core names: only a plugin knows it."""


class KelvinMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES: ClassVar[tuple[type, ...]] = (Kelvin,)


class Reading(BaseModel):
    value: float = 0.0


class KelvinIntMaterializer(BaseMaterializer):
    """A plugin's materializer for a type the core names (it must never be chosen)."""

    ASSOCIATED_TYPES: ClassVar[tuple[type, ...]] = (int,)


def test_the_core_first_lookup_answers_as_the_full_registry() -> None:
    from zenml.plugins import hookimpl
    from zenml.plugins.manager import get_materializer_lookup, get_materializer_registry
    from zenml.testing import plugin_registered

    class KelvinPlugin:
        @hookimpl
        def zenml_materializers(self) -> list[type]:
            return [KelvinMaterializer]

    class LastPlugin:  # pluggy calls trylast hooks first: the core must still win
        @hookimpl(trylast=True)
        def zenml_materializers(self) -> list[type]:
            return [KelvinIntMaterializer]

    types = [int, float, str, bool, bytes, dict, list, tuple, set, type(None), Kelvin,
             Reading, object, Path, list[int], dict[str, float]]
    with plugin_registered(KelvinPlugin(), "kelvin-test"), \
            plugin_registered(LastPlugin(), "last-test"):
        lookup, full = get_materializer_lookup(), get_materializer_registry()
        assert [lookup.find(t) for t in types] == [full.find(t) for t in types]
        assert full.find(int) is not KelvinIntMaterializer  # the core's, also in full
        assert lookup.match(list[int], list) is full.match(list[int], list) is not None
        assert lookup.find(Kelvin) is KelvinMaterializer  # the plugin's, for the subclass
        assert lookup.find(float) is full.find(float) is not KelvinMaterializer
        assert lookup.match(float, Kelvin) is KelvinMaterializer
    assert get_materializer_lookup().find(Kelvin) is not KelvinMaterializer  # unregistered
