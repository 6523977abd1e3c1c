"""Stack rules: couplings, validation, deletion, rename, update, export/import."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from zenml.orchestrators.config import BaseOrchestratorConfig
from zenml.plugins import hookimpl
from zenml.repository import Repository
from zenml.stack import Flavor
from zenml.testing import plugin_registered

from conftest import Zen


def add_stores(zen: Zen, tmp_path: Path, suffix: str) -> None:
    zen("artifact-store", "register", f"a{suffix}", "--flavor=local",
        f"--path={tmp_path / ('a' + suffix)}")
    zen("metadata-store", "register", f"m{suffix}", "--flavor=sqlite",
        f"--uri={tmp_path / ('m' + suffix)}.db")


def test_register_couples_the_stores(zen: Zen, tmp_path: Path) -> None:
    add_stores(zen, tmp_path, "1")
    add_stores(zen, tmp_path, "2")
    zen("stack", "register", "s1", "-o", "default", "-a", "a1", "-m", "m1")
    result = zen.fails("stack", "register", "s2", "-o", "default", "-a", "a2", "-m", "m1")
    assert "coupled in stack 's1'" in result.stderr and "--decouple_stores" in result.stderr
    assert [s.name for s in Repository().store.list_stacks()] == ["default", "s1"]
    # the same pairing again is fine
    zen("stack", "register", "s3", "-o", "default", "-a", "a1", "-m", "m1")
    # the default metadata store stays coupled to the default artifact store
    result = zen.fails("stack", "register", "s4", "-o", "default", "-a", "a2", "-m", "default")
    assert "coupled in stack 'default'" in result.stderr
    zen("stack", "register", "s2", "-o", "default", "-a", "a2", "-m", "m1",
        "--decouple_stores")
    # s1's old pairing is gone, so a1 may now pair with m2
    zen("stack", "register", "s5", "-o", "default", "-a", "a1", "-m", "m2",
        "--decouple-stores")


def test_missing_mandatory_component_names_the_flag(zen: Zen) -> None:
    result = zen.fails("stack", "register", "s", "-o", "default", "-a", "default")
    assert "--metadata-store" in result.stderr
    zen.fails("stack", "register", "s", "-o", "default", "-a", "default", "-m", "ghost")


def test_optional_component_flags_take_both_spellings(zen: Zen) -> None:
    zen("container-registry", "register", "reg", "--flavor=default", "--uri=localhost:5000")
    zen("stack", "register", "s", "-o", "default", "-a", "default", "-m", "default",
        "--container_registry", "reg")
    zen("stack", "register", "t", "-o", "default", "-a", "default", "-m", "default",
        "--container-registry", "reg", "--set")
    assert "reg" in zen("stack", "describe").output
    zen("stack", "remove-component", "t", "--container-registry")
    assert "reg" not in zen("stack", "describe", "t").output
    zen("stack", "update", "t", "-c", "reg")
    assert "CONTAINER_REGISTRY" in zen("stack", "describe", "t").output


class RemoteOrchestratorConfig(BaseOrchestratorConfig):
    """An orchestrator that runs steps elsewhere."""

    @property
    def is_remote(self) -> bool:
        return True


class RemotePlugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [Flavor(name="remote", type="orchestrator", config_class=RemoteOrchestratorConfig,
                       implementation="zenml.orchestrators.local:LocalOrchestrator")]


@pytest.fixture
def remote() -> Iterator[None]:
    with plugin_registered(RemotePlugin(), "remote-test"):
        yield


def test_remote_orchestrator_refuses_local_stores(zen: Zen, remote: None) -> None:
    zen("orchestrator", "register", "far", "--flavor=remote")
    result = zen.fails("stack", "register", "s", "-o", "far", "-a", "default", "-m", "default")
    assert "runs steps remotely" in result.stderr
    assert "register a remote" in result.stderr


def test_active_stack_and_used_components_cannot_be_deleted(zen: Zen) -> None:
    assert "active stack" in zen.fails("stack", "delete", "default", "-y").stderr
    zen("orchestrator", "register", "o2", "--flavor=local")
    zen("stack", "register", "s", "-o", "o2", "-a", "default", "-m", "default")
    assert "stack(s) 's'" in zen.fails("orchestrator", "delete", "o2").stderr
    zen.fails("stack", "delete", "ghost")


def test_delete_with_components_keeps_shared_ones(zen: Zen) -> None:
    zen("orchestrator", "register", "o2", "--flavor=local")
    zen("stack", "register", "s", "-o", "o2", "-a", "default", "-m", "default")
    out = zen("stack", "delete", "s", "--components").output
    assert "Deleted orchestrator: o2" in out
    assert "Deleted artifact store" not in out
    names = {(c.type.value, c.name) for c in Repository().store.list_components()}
    assert ("orchestrator", "o2") not in names and ("artifact_store", "default") in names


def test_rename_keeps_the_stack_active(zen: Zen) -> None:
    zen("stack", "rename", "default", "home")
    assert "The active stack is: 'home'" in zen("stack", "get").output
    zen.fails("stack", "rename", "home", "home")


def test_update_defaults_to_active_stack(zen: Zen) -> None:
    zen("orchestrator", "register", "o2", "--flavor=local")
    zen("stack", "update", "-o", "o2")
    assert "o2" in zen("stack", "describe").output


def test_export_and_import_round_trip(zen: Zen, tmp_path: Path, config_dir: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    zen("orchestrator", "register", "o2", "--flavor=local", "--parallel=threads")
    zen("stack", "register", "s", "-o", "o2", "-a", "default", "-m", "default")
    target = tmp_path / "s.yaml"
    zen("stack", "export", "s", str(target))
    assert os.stat(target).st_mode & 0o777 == 0o600
    data = yaml.safe_load(target.read_text())
    assert data["components"]["orchestrator"] == {
        "name": "o2", "flavor": "local", "configuration": {"parallel": "threads"}}
    # import into a fresh config dir: its own 'default' stores differ, so the file's
    # are registered under new names
    monkeypatch.setenv("ZENML_CONFIG_PATH", str(tmp_path / "elsewhere"))
    result = zen("stack", "import", "s2", str(target))
    assert "registered here as 's2_default'" in result.stderr
    stack = Repository().store.get_stack("s2")
    assert {c.name for c in stack.components.values()} == {"o2", "s2_default"}
    assert "already registered" in zen.fails("stack", "import", "s2", str(target)).stderr
    # a second import under another name reuses the identical components
    zen("stack", "import", "s3", str(target))
    assert len(Repository().store.list_components()) == 3 + 3
    target.write_text("components: [1, 2]")
    assert "Cannot import" in zen.fails("stack", "import", "s4", str(target)).stderr


def test_import_renames_a_different_component_of_the_same_name(zen: Zen, tmp_path: Path) -> None:
    zen("orchestrator", "register", "o2", "--flavor=local", "--max_workers=2")
    zen("stack", "register", "s", "-o", "o2", "-a", "default", "-m", "default")
    target = tmp_path / "s.yaml"
    zen("stack", "export", "s", str(target))
    zen("orchestrator", "update", "o2", "--max_workers=3")
    assert "registered here as 't_o2'" in zen("stack", "import", "t", str(target)).stderr
    assert Repository().store.get_stack("t").components


def test_export_replaces_an_existing_file_with_a_private_one(zen: Zen, tmp_path: Path) -> None:
    target = tmp_path / "s.yaml"
    target.write_text("old")
    os.chmod(target, 0o644)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    link = tmp_path / "link.yaml"
    link.symlink_to(victim)
    zen("stack", "export", "default", str(target))
    zen("stack", "export", "default", str(link))
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert not link.is_symlink() and os.stat(link).st_mode & 0o777 == 0o600
    assert victim.read_text() == "keep"


def test_verbose_shows_debug_lines(zen: Zen) -> None:
    result = zen("-v", "stack", "list")
    assert "Using the stack store" in result.stderr
