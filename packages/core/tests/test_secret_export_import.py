"""``stack export`` writes references and the secrets a stack needs (never values);
``stack import`` into another config folder names the missing ones, or with ``-i``
asks for them and creates them; the imported stack then works.

Real ``local`` secrets managers in two config folders (each with its own key).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from test_secret_references import TOKEN, Probe, ProbePlugin

from zenml.repository import Repository
from zenml.stack.component_type import StackComponentType
from zenml.testing import plugin_registered

from conftest import Zen

T = StackComponentType


@pytest.fixture
def exported(zen: Zen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A stack 'shared' (local secrets manager, a feature store referencing secret 'api')
    exported from config folder A; the test continues in a fresh config folder B."""
    with plugin_registered(ProbePlugin(), "probe-export-test"):
        zen("secrets-manager", "register", "vault", "--flavor=local")
        zen("stack", "update", "default", "-x", "vault")
        zen("secret", "register", "api", "--url=http://h", "--port=8080", "--flag=true",
            f"--token={TOKEN}")
        zen("feature-store", "register", "fs", "--flavor=probe", "--url={{api.url}}",
            "--port={{api.port}}", "--flag={{api.flag}}", "--token={{api.token}}")
        zen("stack", "register", "shared", "-o", "default", "-a", "default", "-m", "default",
            "-f", "fs", "-x", "vault")
        path = tmp_path / "shared.yaml"
        zen("stack", "export", "shared", str(path))
        monkeypatch.setenv("ZENML_CONFIG_PATH", str(tmp_path / "other-config"))
        yield path


def test_export_writes_references_and_the_needed_secrets_never_values(
        exported: Path) -> None:
    text = exported.read_text()
    assert TOKEN not in text and "8080" not in text and "http://h" not in text
    data = yaml.safe_load(text)
    assert data["components"]["feature_store"]["configuration"]["token"] == "{{api.token}}"
    assert data["secrets"] == [{"name": "api", "keys": ["flag", "port", "token", "url"]}]


def test_import_names_the_missing_secrets_and_leaves_the_store_as_it_was(
        zen: Zen, exported: Path) -> None:
    error = zen.error("stack", "import", "shared", str(exported))
    assert "api (flag, port, token, url)" in error and "-i" in error
    assert "shared" not in [s.name for s in Repository().store.list_stacks()]


def test_import_with_i_asks_for_the_secrets_and_the_stack_works(
        zen: Zen, exported: Path) -> None:
    result = zen("stack", "import", "shared", str(exported), "-i",
                 input=f"true\n8080\n{TOKEN}\nhttp://h\n")
    assert TOKEN not in result.output  # asked without echo
    assert "needs secret 'api'" in result.output
    zen("stack", "set", "shared")
    store = Repository().active_stack.feature_store
    assert isinstance(store, Probe)
    assert store.config.port == 8080 and store.config.url == "http://h"
    assert "running" in zen("feature-store", "up", "fs").output
    # exported again from here: still references
    again = exported.with_name("again.yaml")
    zen("stack", "export", "shared", str(again))
    assert TOKEN not in again.read_text()


def test_import_works_once_the_same_secrets_exist_there(zen: Zen, exported: Path) -> None:
    zen("secrets-manager", "register", "vault", "--flavor=local")
    zen("stack", "update", "default", "-x", "vault")
    zen("secret", "register", "api", "--url=http://h", "--port=8080", "--flag=true",
        f"--token={TOKEN}")
    zen("stack", "import", "shared", str(exported))  # reuses 'vault', which holds them
    stack = Repository().store.get_stack("shared")
    assert stack.components[T.SECRETS_MANAGER].name == "vault"
    zen("stack", "set", "shared")
    assert "running" in zen("stack", "up").output


def test_a_secrets_list_holding_values_is_refused(zen: Zen, exported: Path) -> None:
    data = yaml.safe_load(exported.read_text())
    data["secrets"][0]["values"] = {"token": "x"}
    exported.write_text(yaml.safe_dump(data))
    assert "never values" in zen.error("stack", "import", "shared", str(exported))
