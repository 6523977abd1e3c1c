"""Config values given on the command line: ``@FILE`` must name a file (``@@`` escapes a
leading ``@``), and no config error ever repeats the value it refuses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field, SecretStr, field_validator

from zenml.artifact_stores.config import BaseArtifactStoreConfig
from zenml.errors import ConfigError
from zenml.plugins import hookimpl
from zenml.stack import Flavor, StackComponentType
from zenml.testing import plugin_registered

from conftest import Zen

#: Looks like a credential pasted into the wrong field.
PASTED = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


class CarefulStoreConfig(BaseArtifactStoreConfig):
    """A flavor whose validators, like many, quote what they refuse."""

    path: str = Field(description="Where.")
    token: SecretStr | None = Field(default=None, description="A secret.")
    options: dict[str, Any] = Field(default_factory=dict, description="JSON options.")
    region: str | None = Field(default=None, description="A region name.")
    retries: int = Field(default=3, description="How often.")

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and not value.replace("-", "").isalnum():
            raise ValueError(f"'{value}' is not a region name")
        return value

    @field_validator("token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().startswith(" "):
            raise ValueError(f"token {value.get_secret_value()!r} starts with a space")
        return value

    @field_validator("options")
    @classmethod
    def _options(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key, item in value.items():
            if not isinstance(item, int):
                raise ValueError(f"option {key} must be a number, got {item}")
        return value


class CarefulPlugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [Flavor(name="careful", type="artifact_store", config_class=CarefulStoreConfig,
                       implementation="zenml.artifact_stores.local:LocalArtifactStore")]


@pytest.fixture
def careful() -> Iterator[None]:
    with plugin_registered(CarefulPlugin(), "careful-test"):
        yield


def stored(name: str = "c") -> dict[str, Any]:
    from zenml.repository import Repository

    return Repository().store.get_component(StackComponentType.ARTIFACT_STORE, name).config


REGISTER = ("artifact-store", "register", "c", "--flavor=careful")


# -- @FILE ------------------------------------------------------------------------------------
def test_a_missing_at_file_is_refused_not_stored(zen: Zen, careful: None,
                                                 tmp_path: Path) -> None:
    missing = tmp_path / "secrets" / "tokne.txt"  # a typo
    line = zen.error(*REGISTER, "--path=/x", f"--token=@{missing}")
    assert "--token" in line and "no such file" in line and "@@" in line
    assert str(missing) not in line  # a secret field: even its file name stays out
    line = zen.error(*REGISTER, f"--path=@{missing}")
    assert f"--path=@{missing}: no such file" in line and "@@" in line
    line = zen.error(*REGISTER, f"--path=@{tmp_path}")
    assert "is a folder" in line
    assert "No artifact store named 'c'" in zen.error("artifact-store", "describe", "c")


def test_a_missing_at_file_is_refused_by_update(zen: Zen, careful: None,
                                                tmp_path: Path) -> None:
    zen(*REGISTER, "--path=/x", "--token=old")
    line = zen.error("artifact-store", "update", "c", f"--token=@{tmp_path / 'nope'}")
    assert "no such file" in line
    assert stored()["token"] == "old"


def test_at_files_are_read_and_double_at_is_a_literal_at(zen: Zen, careful: None,
                                                         tmp_path: Path) -> None:
    (tmp_path / "token.txt").write_text("from-file")
    (tmp_path / "options.json").write_text('{"a": 1}')
    zen(*REGISTER, "--path=@@home", f"--token=@{tmp_path / 'token.txt'}",
        f"--options=@{tmp_path / 'options.json'}")
    assert stored() == {"path": "@home", "token": "from-file", "options": {"a": 1}}
    zen("artifact-store", "update", "c", "--token=@@@not-a-file")
    assert stored()["token"] == "@@not-a-file"


def test_at_values_in_prompts_follow_the_same_rule(zen: Zen, careful: None,
                                                   tmp_path: Path) -> None:
    # path: a missing @FILE is asked again, then @@ gives a literal @
    result = zen(*REGISTER, "-i", input=f"@{tmp_path / 'nope'}\n@@x\n\n\n\n\n")
    assert "no such file" in result.output
    assert stored()["path"] == "@x"


# -- no value in any config error ---------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ("--path=/x", f"--options={PASTED}"),                   # JSON parse error
    ("--path=/x", f"--options={{\"k\": \"{PASTED}\"}}"),     # a validator quoting a part
    ("--path=/x", f"--region={PASTED}"),                    # a validator quoting the value
    ("--path=/x", f"--token= {PASTED}"),                    # ... of a secret field
    ("--path=/x", f"--retries={PASTED}"),                   # pydantic's own message
])
def test_config_errors_never_repeat_the_value(zen: Zen, careful: None,
                                              args: tuple[str, ...]) -> None:
    result = zen.fails(*REGISTER, *args)
    assert "Invalid value for --" in result.stderr or "expects JSON" in result.stderr
    assert PASTED not in result.output and "wJalrXUtnFEMI" not in result.output


def test_prompt_errors_never_repeat_the_value(zen: Zen, careful: None) -> None:
    result = zen(*REGISTER, "-i", input=f"/x\n\n{PASTED}\n\n{PASTED}\n\n\n")
    # (the test runner echoes what is typed at a prompt, as a terminal would)
    complaints = [line for line in result.stderr.splitlines() if "try again" in line]
    assert len(complaints) == 2 and not any(PASTED in line for line in complaints)


def test_build_config_keeps_the_message_without_the_value() -> None:
    flavor = Flavor(name="careful", type="artifact_store", config_class=CarefulStoreConfig,
                    implementation="zenml.artifact_stores.local:LocalArtifactStore")
    with pytest.raises(ConfigError) as error:
        flavor.build_config({"path": "/x", "region": "eu west"})
    assert str(error.value) == ("Invalid value for --region (artifact store flavor 'careful'): "
                                "(the value given) is not a region name")
