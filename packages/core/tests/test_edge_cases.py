"""Edge cases a user hits: shadowed flavors, names, repositories, odd files."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import Field

from zenml.orchestrators.config import BaseOrchestratorConfig
from zenml.plugins import hookimpl
from zenml.plugins.manager import get_flavor_registry
from zenml.repository import Repository
from zenml.stack import Flavor, StackComponentType
from zenml.testing import plugin_registered

from conftest import Zen, run_zenml


class HostConfig(BaseOrchestratorConfig):
    host: str = Field(description="Required host.")


class Shadowing:
    @hookimpl
    def zenml_flavors(self) -> list[object]:
        return [Flavor(name="local", type="orchestrator", config_class=HostConfig,
                       implementation="zenml.orchestrators.local:LocalOrchestrator"),
                "not a flavor"]


@pytest.fixture
def shadowing() -> Iterator[None]:
    with plugin_registered(Shadowing(), "shadowing"):
        yield


def test_a_plugin_cannot_replace_a_core_flavor(zen: Zen, shadowing: None) -> None:
    result = zen("orchestrator", "flavor", "list")
    assert "from shadowing ignored" in result.stderr
    assert "not a Flavor" in result.stderr
    flavor = get_flavor_registry().get(StackComponentType.ORCHESTRATOR, "local")
    assert flavor.config_class.__name__ == "LocalOrchestratorConfig"
    zen("stack", "up")


@pytest.mark.parametrize("name", ["", " padded", "tab\there"])
def test_bad_names_are_refused(zen: Zen, name: str) -> None:
    assert "Invalid" in zen.fails("orchestrator", "register", name, "--flavor=local").stderr
    assert "Invalid" in zen.fails("orchestrator", "rename", "default", name).stderr
    assert "Invalid" in zen.fails("stack", "rename", "default", name).stderr
    zen.fails("stack", "register", name, "-o", "default", "-a", "default", "-m", "default")


def test_empty_paths_are_refused(zen: Zen) -> None:
    assert "must not be empty" in zen.fails("artifact-store", "register", "a",
                                            "--flavor=local", "--path=").stderr
    assert "must not be empty" in zen.fails("metadata-store", "register", "m",
                                            "--flavor=sqlite", "--uri=").stderr


def test_unknown_bare_flag_lists_valid_fields(zen: Zen) -> None:
    result = zen.fails("orchestrator", "register", "o", "--flavor=local", "--bogus")
    assert "Unknown field(s) --bogus" in result.stderr and "--parallel" in result.stderr


def test_a_repository_stack_is_protected_from_anywhere(zen: Zen, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    zen("stack", "register", "st", "-o", "default", "-a", "default", "-m", "default")
    for repo in ("r1", "r2"):
        (tmp_path / repo).mkdir()
    monkeypatch.chdir(tmp_path / "r1")
    zen("init")
    zen("stack", "set", "st")
    monkeypatch.chdir(tmp_path / "r2")
    zen("init")
    result = zen.fails("stack", "delete", "st", "-y")
    assert f"active stack of the repository at {tmp_path / 'r1'}" in result.stderr
    zen("stack", "rename", "st", "renamed")
    monkeypatch.chdir(tmp_path / "r1")
    assert "'renamed'" in zen("stack", "get").output
    # a repository that was removed no longer protects its stack
    import shutil

    shutil.rmtree(tmp_path / "r1" / ".zen")
    monkeypatch.chdir(tmp_path)
    zen("stack", "delete", "renamed", "-y")


def test_register_with_set_inside_a_repository_activates_it_there(
        zen: Zen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    zen("init")
    zen("stack", "register", "st", "-o", "default", "-a", "default", "-m", "default", "--set")
    assert "'st'" in zen("stack", "get").output
    assert Repository(root=None).store.get_active_stack_name() == "default"


def test_init_inside_a_zen_folder_is_refused(zen: Zen, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    zen("init")
    monkeypatch.chdir(tmp_path / ".zen")
    assert "inside a .zen folder" in zen.fails("init").stderr
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / ".zen").write_text("a file")
    assert "not a folder" in zen.fails("init", "--path", str(tmp_path / "other")).stderr


def test_invalid_repository_path_variable_warns(zen: Zen, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZENML_REPOSITORY_PATH", str(tmp_path / "typo"))
    result = zen("stack", "get")
    assert "is not a zenml repository" in result.stderr and "'default'" in result.output


def test_coupling_message_names_the_stack_being_updated(zen: Zen, tmp_path: Path) -> None:
    for suffix in ("1", "2"):
        zen("artifact-store", "register", f"a{suffix}", "--flavor=local",
            f"--path={tmp_path / suffix}")
    zen("metadata-store", "register", "m1", "--flavor=sqlite", f"--uri={tmp_path / 'm.db'}")
    zen("orchestrator", "register", "o1", "--flavor=local")
    zen("stack", "register", "s1", "-o", "default", "-a", "a1", "-m", "m1")
    result = zen.fails("stack", "update", "s1", "-a", "a2")
    assert "coupled in stack 's1' (this stack)" in result.stderr
    zen("stack", "register", "s2", "-o", "default", "-a", "a2", "-m", "m1", "--decouple_stores")
    # s1 keeps its stores; changing only its orchestrator is fine
    zen("stack", "update", "s1", "-o", "o1")
    zen("stack", "delete", "s2", "-y")
    result = zen.fails("stack", "register", "s3", "-o", "default", "-a", "a1", "-m", "m1")
    assert "by a stack that has since been deleted" in result.stderr


def test_import_keeps_free_names_and_reuses_identical_components(zen: Zen,
                                                                 tmp_path: Path) -> None:
    target = tmp_path / "s.yaml"
    target.write_text(
        "components:\n"
        "  orchestrator: {name: o, flavor: local}\n"
        "  artifact_store: {name: default, flavor: local, configuration: {path: /elsewhere}}\n"
        "  metadata_store: {name: m, flavor: sqlite, configuration: {uri: /elsewhere.db}}\n")
    result = zen("stack", "import", "s", str(target))
    assert "registered here as 's_default'" in result.stderr
    assert "orchestrator" not in result.stderr
    names = {c.name for c in Repository().store.get_stack("s").components.values()}
    assert names == {"o", "s_default", "m"}


def test_import_rejects_non_mapping_configuration(zen: Zen, tmp_path: Path) -> None:
    target = tmp_path / "s.yaml"
    target.write_text("components:\n  orchestrator: {name: o, flavor: local, "
                      "configuration: [1]}\n")
    assert "not a mapping" in zen.fails("stack", "import", "x", str(target)).stderr


def test_remove_component_that_is_not_there(zen: Zen) -> None:
    assert "has no an alerter" not in zen.fails("stack", "remove-component", "-al").stderr
    assert "has no alerter to remove" in zen.fails("stack", "remove-component", "-al").stderr


def test_latin1_console_gets_a_plain_marker() -> None:
    result = run_zenml(["stack", "list"], env={"PYTHONIOENCODING": "latin-1"})
    assert result.returncode == 0, result.stderr
    assert "*" in result.stdout


def test_unreadable_schema_version_is_reported(config_dir: Path) -> None:
    Repository().store.list_stacks()
    with sqlite3.connect(config_dir / "stack_store.db") as connection:
        connection.execute("UPDATE zenml_meta SET value = 'abc' WHERE key = 'schema_version'")
    result = run_zenml(["stack", "list"])
    assert result.returncode == 1 and "unreadable schema version" in result.stderr
    assert "Traceback" not in result.stderr
