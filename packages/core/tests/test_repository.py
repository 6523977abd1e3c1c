"""Repositories (``zenml init``): their own active stack."""

from __future__ import annotations

from pathlib import Path

import pytest

from zenml.repository import Repository

from conftest import Zen


def test_init_creates_a_repository_with_its_own_active_stack(zen: Zen, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    zen("orchestrator", "register", "o2", "--flavor=local")
    zen("stack", "register", "other", "-o", "o2", "-a", "default", "-m", "default")
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    out = zen("init").output
    assert "ZenML repository initialized at" in out
    assert (project / ".zen" / "config.yaml").is_file()
    zen("stack", "set", "other")
    assert "'other'" in zen("stack", "get").output
    # a subfolder belongs to the same repository
    (project / "src").mkdir()
    monkeypatch.chdir(project / "src")
    assert "'other'" in zen("stack", "get").output
    # outside, the global active stack is unchanged
    monkeypatch.chdir(tmp_path)
    assert "'default'" in zen("stack", "get").output
    # inside, --global changes the global one only
    monkeypatch.chdir(project)
    assert "global" in zen("stack", "set", "--global", "other").output
    monkeypatch.chdir(tmp_path)
    assert "'other'" in zen("stack", "get").output


def test_repository_active_stack_cannot_be_deleted(zen: Zen, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    zen("stack", "register", "other", "-o", "default", "-a", "default", "-m", "default")
    monkeypatch.chdir(tmp_path)
    zen("init")
    zen("stack", "set", "other")
    assert "active stack of the repository" in zen.fails("stack", "delete", "other", "-y").stderr


def test_init_twice_is_an_error(zen: Zen) -> None:
    zen("init")
    assert "already a zenml repository" in zen.fails("init").stderr


def test_repository_path_environment_variable(zen: Zen, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    zen("init", "--path", str(tmp_path / "repo"))
    monkeypatch.setenv("ZENML_REPOSITORY_PATH", str(tmp_path / "repo"))
    assert Repository().root == tmp_path / "repo"


def test_active_stack_instantiates_components(zen: Zen) -> None:
    stack = Repository().active_stack
    stack.validate()
    assert type(stack.orchestrator).__name__ == "LocalOrchestrator"
    assert type(stack.artifact_store).__name__ == "LocalArtifactStore"
    assert type(stack.metadata_store).__name__ == "SQLiteMetadataStore"
    assert stack.model_deployer is None
    assert stack.metadata_store.database_url.startswith("sqlite:///")
