"""Issue 14 (runtime): materializers registered explicitly, one registry per process,
and an artifact context (uri, artifact store, registry) for each materializer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from zenml.errors import RunFailedError
from zenml.materializers import ArtifactContext, BaseMaterializer, register_materializer
from zenml.pipelines import pipeline
from zenml.plugins import hookimpl
from zenml.steps import step
from zenml.testing import imported_modules_after, plugin_registered


class Unregistered:
    """A type whose materializer is defined but never registered."""


class UnregisteredMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (Unregistered,)


class Money:
    def __init__(self, cents: int) -> None:
        self.cents = cents


@register_materializer
class MoneyMaterializer(BaseMaterializer):
    """Money as cents.json, and a copy of its context in context.json."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (Money,)

    def handle_return(self, data: Any) -> None:
        context = self.context
        assert context.uri == self.uri and context.artifact_store is self.artifact_store
        # the registry in the context picks the materializer for a nested value
        inner = context.registry.get(int)
        inner.from_context(context.child("cents")).handle_return(data.cents)

    def handle_input(self, data_type: type) -> Any:
        inner = self.context.registry.get(int)
        return Money(inner.from_context(self.context.child("cents")).handle_input(int))


@step
def unregistered() -> Unregistered:
    return Unregistered()


@step
def pay() -> Money:
    return Money(250)


@step
def pair() -> tuple:
    return (Money(1), (2, 3))


@step
def count(pair: tuple) -> int:
    return pair[0].cents + sum(pair[1])


@pipeline
def single(only):
    only()


@pipeline
def chained(first, second):
    second(first())


def test_a_materializer_is_used_once_registered_not_when_merely_defined() -> None:
    with pytest.raises(RunFailedError, match="No materializer for output 'output' of step "
                                             "'only' of type Unregistered; pass one with"):
        single(only=unregistered()).run()
    run = single(only=pay()).run()
    assert run is not None
    output = run.get_step("only").output
    assert output.read().cents == 250
    assert json.loads((Path(output.uri) / "cents" / "data.json").read_text()) == 250


def test_register_materializer_refuses_what_is_not_a_materializer() -> None:
    with pytest.raises(TypeError, match="is not a BaseMaterializer subclass"):
        register_materializer(int)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="has no ASSOCIATED_TYPES"):
        register_materializer(type("Typeless", (BaseMaterializer,), {}))


class Counter:
    calls = 0

    @hookimpl
    def zenml_materializers(self) -> list[type]:
        type(self).calls += 1
        return []


def test_the_registry_is_built_once_per_process() -> None:
    Counter.calls = 0
    with plugin_registered(Counter(), "counter"):
        for _ in range(2):  # two runs of two steps, a container stored element by element
            run = chained(first=pair(), second=count()).run(enable_cache=False)
            assert run is not None and run.get_step("second").output.read() == 6
        assert Counter.calls == 1
    assert run.get_step("first").output.read()[0].cents == 1


def test_a_materializer_made_directly_still_works(tmp_path: Path) -> None:
    """The era's style: ``Materializer(uri, artifact_store)``, then handle_return/input."""
    from zenml.artifact_stores.config import LocalArtifactStoreConfig
    from zenml.artifact_stores.local import LocalArtifactStore
    from zenml.materializers.builtin import ContainerMaterializer

    store = LocalArtifactStore(name="s", id="1", flavor="local",
                               config=LocalArtifactStoreConfig(path=str(tmp_path / "store")))
    uri = f"{store.path}/pair"
    store.makedirs(uri)
    ContainerMaterializer(uri, store).handle_return((Money(5), ("x", 1)))
    value = ContainerMaterializer(uri, store).handle_input(tuple)
    assert value[0].cents == 5 and value[1] == ("x", 1)
    context = ContainerMaterializer(uri, store).context
    assert isinstance(context, ArtifactContext) and context.uri == uri


def test_no_import_cycle_between_materializers_and_plugins() -> None:
    modules = imported_modules_after(code="import zenml.materializers.builtin\n"
                                          "import zenml.materializers.registry")
    assert not {m for m in modules if m.startswith("zenml.plugins")}
