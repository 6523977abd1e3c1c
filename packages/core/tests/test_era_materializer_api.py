"""Issue 15 item 5: custom materializers written for the original framework (0.8-0.10).

The materializer below is written as that framework's docs showed it: the
base class from ``zenml.materializers.base_materializer``, ``DataArtifact``
from ``zenml.artifacts``, files under ``self.artifact.uri`` through
``zenml.io.fileio``, ``super().handle_*`` first. It is registered for its type
when the class is defined, as then.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar, Type  # noqa: UP035 - written as the era wrote it

import pytest

from zenml.artifacts import (
    BaseArtifact,
    DataAnalysisArtifact,
    DataArtifact,
    ModelArtifact,
    SchemaArtifact,
    ServiceArtifact,
    StatisticsArtifact,
)
from zenml.errors import MaterializerInterfaceError, RunFailedError
from zenml.io import fileio
from zenml.materializers import BaseMaterializer as OurMaterializer
from zenml.materializers import MaterializerRegistry
from zenml.materializers.base_materializer import BaseMaterializer
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import Output, step


class MyObj:
    def __init__(self, name: str):
        self.name = name


class MyMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES = (MyObj,)
    ASSOCIATED_ARTIFACT_TYPES = (DataArtifact,)

    def handle_input(self, data_type: Type[MyObj]) -> MyObj:  # noqa: UP006
        super().handle_input(data_type)
        with fileio.open(os.path.join(self.artifact.uri, "data.txt"), "r") as f:
            return MyObj(name=f.read())

    def handle_return(self, my_obj: MyObj) -> None:
        super().handle_return(my_obj)
        with fileio.open(os.path.join(self.artifact.uri, "data.txt"), "w") as f:
            f.write(my_obj.name)


class Other:
    pass


@step
def make_obj() -> MyObj:
    return MyObj("jk")


@step
def greet(obj: MyObj) -> str:
    return f"hello {obj.name}"


@step
def make_pair() -> Output(obj=MyObj, count=int):
    return MyObj("pair"), 2


@step
def make_other() -> Other:
    return Other()


@pipeline
def obj_pipeline(maker, greeter):
    greeter(obj=maker())


@pipeline
def single(only):
    only()


def test_the_era_materializer_is_registered_when_defined() -> None:
    registry = MaterializerRegistry.core()
    assert registry.find(MyObj) is MyMaterializer
    assert issubclass(MyMaterializer, OurMaterializer)


def test_an_era_materializer_writes_into_the_artifact_and_reads_back() -> None:
    obj_pipeline(maker=make_obj(), greeter=greet()).run()
    run = Repository().get_pipeline(pipeline_name="obj_pipeline").runs[-1]
    produced = run.get_step(name="maker").output
    assert produced.materializer == f"{__name__}:MyMaterializer"
    assert Path(produced.uri, "data.txt").read_text() == "jk"  # inside the artifact folder
    assert produced.read().name == "jk"
    assert run.get_step(name="greeter").output.read() == "hello jk"


@pytest.mark.parametrize("form", ["class", "dict"])
def test_with_return_materializers_takes_an_era_class_or_a_dict(form: str) -> None:
    maker = make_pair()
    if form == "class":
        # one class is for every output, as then: the int output is refused by its check
        with pytest.raises(RunFailedError, match="TypeError: Unable to write int"):
            single(only=maker.with_return_materializers(MyMaterializer)).run()
        return
    single(only=maker.with_return_materializers({"obj": MyMaterializer})).run()
    step_view = Repository().get_pipeline("single").runs[-1].steps[-1]
    assert step_view.outputs["obj"].read().name == "pair"
    assert step_view.outputs["count"].read() == 2


def test_super_handle_return_refuses_a_type_it_does_not_handle() -> None:
    with pytest.raises(RunFailedError, match="TypeError: Unable to write Other"):
        single(only=make_other().with_return_materializers(MyMaterializer)).run()


def test_the_era_constructor_and_the_artifact_type(tmp_path: Path) -> None:
    artifact = DataArtifact(uri=str(tmp_path))
    materializer = MyMaterializer(artifact)
    assert materializer.artifact is artifact
    materializer.handle_return(MyObj("direct"))
    assert (tmp_path / "data.txt").read_text() == "direct"
    assert MyMaterializer(artifact).handle_input(MyObj).name == "direct"
    with pytest.raises(TypeError, match="Unable to handle type Other"):
        MyMaterializer(artifact).handle_input(Other)
    # made from a URI (as zenml does), the artifact is of its first associated type
    by_uri = MyMaterializer(str(tmp_path / "out"))
    assert type(by_uri.artifact) is DataArtifact
    assert by_uri.artifact.uri == str(tmp_path / "out") and by_uri.artifact.name == "out"


def test_a_class_without_associated_types_is_refused() -> None:
    with pytest.raises(MaterializerInterfaceError, match="'NoTypes' has no ASSOCIATED_TYPES"):
        class NoTypes(BaseMaterializer):
            pass
    with pytest.raises(MaterializerInterfaceError, match="not an artifact type"):
        class BadArtifact(BaseMaterializer):
            ASSOCIATED_TYPES = (Other,)
            ASSOCIATED_ARTIFACT_TYPES = (str,)  # type: ignore[assignment]


def test_our_base_class_does_not_register_by_itself() -> None:
    class Unregistered:
        pass

    class OursOnly(OurMaterializer):
        ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (Unregistered,)

        def handle_return(self, data: Any) -> None:
            pass

    assert MaterializerRegistry.core().find(Unregistered) is None


def test_the_era_artifact_types() -> None:
    kinds = [DataArtifact, ModelArtifact, SchemaArtifact, StatisticsArtifact,
             DataAnalysisArtifact, ServiceArtifact]
    assert all(issubclass(kind, BaseArtifact) for kind in kinds)
    assert [kind(uri="u").type_name for kind in kinds] == [k.__name__ for k in kinds]
    from zenml.artifacts.model_artifact import ModelArtifact as ByPath

    assert ByPath is ModelArtifact


@step
def consume_artifact(model: ModelArtifact) -> str:
    return f"{type(model).__name__} {model.uri}"


@pipeline
def artifact_input(producer, consumer):
    consumer(model=producer())


def test_an_input_annotated_with_an_artifact_type_gets_the_artifact_unread() -> None:
    artifact_input(producer=make_obj(), consumer=consume_artifact()).run()
    run = Repository().get_pipeline("artifact_input").runs[-1]
    uri = run.get_step("producer").output.uri
    assert run.get_step("consumer").output.read() == f"ModelArtifact {uri}"


def test_the_era_path_of_the_built_in_materializers() -> None:
    from zenml.materializers.built_in_materializer import BuiltInMaterializer
    from zenml.materializers.builtin import BuiltInMaterializer as Ours

    assert BuiltInMaterializer is Ours
    assert MaterializerRegistry.core().find(int) is Ours
