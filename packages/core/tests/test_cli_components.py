"""Component commands: register, list, describe, update, rename, delete."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field, SecretStr

from zenml.artifact_stores.config import BaseArtifactStoreConfig
from zenml.plugins import hookimpl
from zenml.stack import Flavor
from zenml.testing import plugin_registered

from conftest import Zen


class FancyStoreConfig(BaseArtifactStoreConfig):
    """A test flavor with every kind of field."""

    path: str = Field(description="Where.")
    secret: SecretStr | None = Field(default=None, description="A password.")
    client_kwargs: dict[str, Any] = Field(default_factory=dict, description="Options.")
    retries: int = Field(default=3, description="How often.")
    verify: bool = Field(default=True, description="Check certificates.")


class FancyPlugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [Flavor(name="fancy", type="artifact_store", config_class=FancyStoreConfig,
                       implementation="zenml.artifact_stores.local:LocalArtifactStore")]


@pytest.fixture
def fancy() -> Iterator[None]:
    with plugin_registered(FancyPlugin(), "fancy-test"):
        yield


def test_register_parses_values_by_field_type(zen: Zen, fancy: None) -> None:
    zen("artifact-store", "register", "f", "--flavor=fancy", "--path=s3x/bucket",
        '--client_kwargs={"endpoint_url": "http://127.0.0.1:9"}', "--retries=7",
        "--verify=false", "--secret=hunter2")
    from zenml.repository import Repository

    model = Repository().store.get_component(Repository().store.list_components()[0].type, "f")
    assert model.config["client_kwargs"] == {"endpoint_url": "http://127.0.0.1:9"}
    assert model.config["retries"] == 7 and model.config["verify"] is False
    assert model.config["secret"] == "hunter2"
    assert model.secret_fields == ["secret"]


def test_secret_fields_are_masked_everywhere(zen: Zen, fancy: None) -> None:
    zen("artifact-store", "register", "f", "--flavor=fancy", "--path=/x", "--secret=hunter2")
    for args in (("artifact-store", "list"), ("artifact-store", "describe", "f")):
        out = zen(*args).output
        assert "hunter2" not in out
        assert "********" in out


def test_dashed_keys_and_space_separated_values(zen: Zen, fancy: None) -> None:
    zen("artifact-store", "register", "f", "--flavor", "fancy", "--path", "/x",
        "--client-kwargs", '{"a": 1}')
    assert '"a": 1' in zen("artifact-store", "describe", "f").output


def test_file_values_with_at(zen: Zen, fancy: None, tmp_path: Path) -> None:
    source = tmp_path / "kwargs.json"
    source.write_text(json.dumps({"from": "file"}))
    zen("artifact-store", "register", "f", "--flavor=fancy", "--path=/x",
        f"--client_kwargs=@{source}")
    assert "from" in zen("artifact-store", "describe", "f").output


def test_interactive_prompts_required_and_skips_optional(zen: Zen, fancy: None) -> None:
    # path (required), secret (hidden), client_kwargs, retries, verify: ENTER skips
    result = zen("artifact-store", "register", "f", "--flavor=fancy", "-i",
                 input="/data\n\n\n5\n\n")
    assert "Where." in result.output and "optional" in result.output
    from zenml.repository import Repository
    from zenml.stack import StackComponentType

    model = Repository().store.get_component(StackComponentType.ARTIFACT_STORE, "f")
    assert model.config == {"path": "/data", "retries": 5}


def test_bad_input_is_one_line_and_changes_nothing(zen: Zen, fancy: None) -> None:
    bad = [
        (("artifact-store", "register", "f", "--flavor=nope", "--path=/x"),
         "Flavor 'nope' (artifact store) is not installed"),
        (("artifact-store", "register", "f", "--flavor=fancy", "--path=/x", "--colour=red"),
         "valid fields: --path, --secret, --client_kwargs, --retries, --verify"),
        (("artifact-store", "register", "f", "--flavor=fancy"),
         "Missing required field(s)"),
        (("artifact-store", "register", "f", "--flavor=fancy", "--path=/x", "--retries=many"),
         "Invalid value for --retries"),
        (("artifact-store", "register", "f", "--flavor=fancy", "--path=/x",
          "--client_kwargs={oops"), "--client_kwargs expects JSON"),
        (("artifact-store", "register", "default", "--flavor=local", "--path=/x"),
         "already registered"),
        (("artifact-store", "describe", "ghost"), "No artifact store named 'ghost'"),
        (("artifact-store", "delete", "default"), "used by stack(s) 'default'"),
    ]
    from zenml.repository import Repository

    before = Repository().store.list_components()
    for args, message in bad:
        result = zen.fails(*args)
        assert message in result.stderr, (args, result.stderr)
    assert Repository().store.list_components() == before


def test_update_rename_delete(zen: Zen, tmp_path: Path) -> None:
    zen("artifact-store", "register", "a", "--flavor=local", f"--path={tmp_path / 'a'}")
    zen("artifact-store", "update", "a", f"--path={tmp_path / 'b'}")
    assert str(tmp_path / "b") in zen("artifact-store", "describe", "a").output
    zen.fails("artifact-store", "update", "a", "--nope=1")
    zen("artifact-store", "rename", "a", "b")
    zen.fails("artifact-store", "rename", "b", "default")
    assert "Deleted artifact store: b" in zen("artifact-store", "delete", "b").output
    assert " b " not in zen("artifact-store", "list").output


def test_get_and_describe_default_to_the_active_stack(zen: Zen) -> None:
    assert "Active orchestrator: 'default'" in zen("orchestrator", "get").output
    out = zen("metadata-store", "describe").output
    assert "using `default` from the active stack" in out and "URI" in out
    assert "No alerter set for the active stack" in zen("alerter", "get").output


def test_register_help_lists_flavors_and_field_descriptions(zen: Zen) -> None:
    out = zen("artifact-store", "register", "--help").output
    assert "--flavor=local" in out and "Folder on this machine" in out


def test_component_up_and_down(zen: Zen, tmp_path: Path) -> None:
    zen("artifact-store", "register", "a", "--flavor=local", f"--path={tmp_path / 'a'}")
    assert "is running" in zen("artifact-store", "up", "a").output
    assert (tmp_path / "a").is_dir()
    assert "running" in zen("artifact-store", "describe", "a").output
    zen("artifact-store", "down", "a")


def test_usage_errors_are_one_line_with_exit_code_1(zen: Zen) -> None:
    result = zen.fails("artifact-store", "register", "x")
    assert "--flavor" in result.stderr and "--help" in result.stderr
    zen.fails("stack", "nonsense")
    zen.fails("stack", "register")
    assert zen("--help").exit_code == 0


def test_bare_flags_are_true_for_booleans_only(zen: Zen, fancy: None) -> None:
    zen("artifact-store", "register", "f", "--flavor=fancy", "--path=/x", "--verify")
    assert "needs a value" in zen.fails("artifact-store", "register", "g", "--flavor=fancy",
                                        "--path").stderr


def test_values_are_shown_verbatim_not_as_markup(zen: Zen, fancy: None) -> None:
    zen("artifact-store", "register", "f", "--flavor=fancy", "--path=[/x] [bold]y")
    assert "[/x] [bold]y" in zen("artifact-store", "describe", "f").output
    assert "[/x] [bold]y" in zen("artifact-store", "list").output


def test_no_subcommand_prints_help(zen: Zen) -> None:
    result = zen("stack")
    assert result.exit_code == 0 and "register" in result.output and not result.stderr


def test_interactive_asks_again_after_an_invalid_value(zen: Zen, fancy: None) -> None:
    # path, secret (skip), client_kwargs: bad JSON then skip, retries: bad then 4, verify: skip
    result = zen("artifact-store", "register", "f", "--flavor=fancy", "-i",
                 input="/data\n\n{oops\n\nmany\n4\n\n")
    assert "Invalid value for client_kwargs" in result.stderr
    assert "Invalid value for retries" in result.stderr
    from zenml.repository import Repository
    from zenml.stack import StackComponentType

    model = Repository().store.get_component(StackComponentType.ARTIFACT_STORE, "f")
    assert model.config == {"path": "/data", "retries": 4}
