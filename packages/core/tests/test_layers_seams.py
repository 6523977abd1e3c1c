"""Issue 14 (layers): one import helper, FlavorNotInstalled, the Repository facade for
``stack import``, and step operators refused at stack validation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from zenml.errors import EntityNotFoundError, FlavorNotInstalled, ObjectImportError, ZenMLError
from zenml.plugins import hookimpl
from zenml.stack import Flavor, StackComponentType
from zenml.step_operators.config import BaseStepOperatorConfig
from zenml.testing import plugin_registered
from zenml.utils.imports import import_object, object_path

from conftest import Zen

T = StackComponentType


class Outer:
    class Inner:
        value = 42


def test_import_object_follows_a_qualified_name() -> None:
    assert import_object("os.path:join") is __import__("os").path.join
    assert import_object(f"{__name__}:Outer.Inner") is Outer.Inner
    assert import_object(object_path(Outer.Inner)) is Outer.Inner
    assert object_path(Outer.Inner) == f"{__name__}:Outer.Inner"


@pytest.mark.parametrize(("path", "expected"), [
    ("os.path.join", "'os.path.join' is not an import path; expected 'package.module:Name'"),
    ("os:", "'os:' is not an import path; expected 'package.module:Name'"),
    ("zenml_no_such_module:X", "Cannot import 'zenml_no_such_module:X': No module named "
                               "'zenml_no_such_module'"),
    ("os.path:no_such_name", "Cannot import 'os.path:no_such_name': 'os.path' has no "
                             "attribute 'no_such_name'"),
    ("os:f.<locals>.g", "'os:f.<locals>.g' is defined inside a function; define it at "
                        "module level"),
])
def test_import_object_has_one_error_type(path: str, expected: str) -> None:
    with pytest.raises(ObjectImportError) as caught:
        import_object(path)
    assert str(caught.value) == expected
    assert isinstance(caught.value, ImportError) and isinstance(caught.value, ZenMLError)


def test_the_former_copies_use_it() -> None:
    from zenml.execution.source import load_source
    from zenml.model_deployers.service import class_source, load_class

    assert load_source(f"{__name__}:Outer.Inner") is Outer.Inner
    assert load_class(class_source(Outer)) is Outer
    for call in (lambda: load_source("os.path:nope"), lambda: load_class("os.path:nope")):
        with pytest.raises(ObjectImportError, match="has no attribute 'nope'"):
            call()
    with pytest.raises(TypeError, match="is not a class"):
        load_class("os.path:join")
    flavor = Flavor(name="broken", type="artifact_store", config_class=BaseStepOperatorConfig,
                    implementation="zenml.artifact_stores.local:Nope")
    with pytest.raises(ObjectImportError, match="has no attribute 'Nope'"):
        flavor.load_implementation()
    with pytest.raises(ValueError, match="implementation must look like"):
        Flavor(name="x", type="artifact_store", config_class=BaseStepOperatorConfig,
               implementation="zenml.artifact_stores.local:")


def test_registry_raises_flavor_not_installed_without_cli_hints() -> None:
    from zenml.stack.flavor_registry import FlavorRegistry

    registry = FlavorRegistry()
    with pytest.raises(FlavorNotInstalled) as caught:
        registry.get(T.ARTIFACT_STORE, "s3")
    error = caught.value
    assert isinstance(error, EntityNotFoundError)
    assert (error.type, error.name) == (T.ARTIFACT_STORE, "s3")
    assert str(error) == ("Flavor 's3' (artifact store) is not installed; installed artifact "
                          "store flavors: none; flavors of integrations come with their "
                          "package (see 'zenml integration list')")


def test_cli_adds_the_install_hint(zen: Zen) -> None:
    result = zen.fails("artifact-store", "register", "b", "--flavor=s3", "--path=s3://b")
    assert result.stderr.strip().startswith("Error: Flavor 's3' (artifact store) is not "
                                            "installed; installed artifact store flavors: ")
    assert result.stderr.strip().endswith("; install it with 'zenml integration install s3'")
    unknown = zen.fails("artifact-store", "register", "b", "--flavor=nope", "--path=/b")
    assert unknown.stderr.strip().endswith("flavors of integrations come with their package "
                                           "(see 'zenml integration list')")


class OperatorConfig(BaseStepOperatorConfig):
    """A step operator flavor of a third-party plugin."""


class OperatorPlugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [Flavor(name="gpu", type="step_operator", config_class=OperatorConfig,
                       implementation="zenml.step_operators.base:BaseStepOperator")]


@pytest.fixture
def operator() -> Iterator[None]:
    with plugin_registered(OperatorPlugin(), "operator-test"):
        yield


def test_step_operator_registers_but_a_stack_with_one_is_refused(
        zen: Zen, operator: None, tmp_path: Path) -> None:
    zen("step-operator", "register", "op", "--flavor=gpu")
    assert "op" in zen("step-operator", "list").output
    for args in (("stack", "register", "s", "-o", "default", "-a", "default", "-m", "default",
                  "-s", "op"),
                 ("stack", "update", "default", "--step-operator", "op")):
        result = zen.fails(*args)
        assert result.stderr.strip() == (
            f"Error: Stack '{args[2]}' has step operator 'op', but step operators are not "
            f"supported yet; leave it out of the stack")
    names = [line for line in zen("stack", "list").output.splitlines() if " s " in line]
    assert names == []

    from zenml.repository import Repository
    from zenml.stack.models import ComponentModel

    repo = Repository()
    default = repo.active_stack_model.components
    components = {**default, T.STEP_OPERATOR: ComponentModel(
        id="", name="op2", type=T.STEP_OPERATOR, flavor="gpu", config={})}
    with pytest.raises(ZenMLError, match="step operators are not supported yet"):
        repo.import_stack("imported", components)
    assert [s.name for s in repo.store.list_stacks()] == ["default"]
    assert "op2" not in [c.name for c in repo.store.list_components(T.STEP_OPERATOR)]


def test_repository_imports_a_stack_through_the_facade(zen: Zen, tmp_path: Path) -> None:
    from zenml.repository import Repository

    repo = Repository()
    components = dict(repo.active_stack_model.components)
    checked: list[set[StackComponentType]] = []
    stack, renamed = repo.import_stack("copy", components,
                                       check=lambda resolved: checked.append(set(resolved)))
    assert stack.name == "copy" and renamed == {}
    assert checked == [set(components)]

    def refuse(_resolved: object) -> None:
        raise ZenMLError("no")

    with pytest.raises(ZenMLError, match="no"):
        repo.import_stack("other", components, check=refuse)
    assert sorted(s.name for s in repo.store.list_stacks()) == ["copy", "default"]
    file = tmp_path / "copy.yaml"
    zen("stack", "export", "copy", str(file))
    zen("stack", "import", "again", str(file))
    assert "again" in zen("stack", "list").output


def test_dead_code_is_gone() -> None:
    from zenml.stack.component import StackComponent
    from zenml.steps.base_step import StepInterface

    assert not hasattr(StackComponent, "is_suspended")
    assert "order" not in StepInterface.__dataclass_fields__
    import inspect

    import zenml.stack.component as component

    assert "at module level" not in inspect.getsource(component)


def test_a_stored_stack_with_a_step_operator_is_refused_when_validated() -> None:
    """A stack stored before the rule (or by hand) is refused where a run validates it."""
    from zenml.artifact_stores.config import BaseArtifactStoreConfig
    from zenml.stack.config import ComponentSpec, StackComponentConfig
    from zenml.stack.stack import validate_stack

    specs = {T.ORCHESTRATOR: ComponentSpec("default", "local", StackComponentConfig()),
             T.ARTIFACT_STORE: ComponentSpec("default", "local",
                                             BaseArtifactStoreConfig(path="/tmp/a")),
             T.METADATA_STORE: ComponentSpec("default", "sqlite", StackComponentConfig())}
    validate_stack("ok", specs)
    with pytest.raises(ZenMLError, match=r"^Stack 'old' has step operator 'op', but step "
                                         r"operators are not supported yet"):
        validate_stack("old", {**specs, T.STEP_OPERATOR: ComponentSpec("op", "gpu",
                                                                       OperatorConfig())})
