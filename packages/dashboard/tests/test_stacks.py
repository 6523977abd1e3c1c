"""The stacks page: store couplings, component states and masked secrets (API and page)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field, SecretStr

from zenml.plugins import hookimpl
from zenml.stack import Flavor
from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType
from zenml.stack.config import StackComponentConfig
from zenml.stack.models import MASK
from zenml.testing import plugin_registered
from zenml.testing.secrets import new_marker


class VaultedConfig(StackComponentConfig):
    """A feature store with a secret field."""

    token: SecretStr | None = Field(default=None, description="A token.")


class Vaulted(StackComponent):
    """Always up: ``zenml stack up`` records it running."""

    TYPE = StackComponentType.FEATURE_STORE

    @property
    def is_provisioned(self) -> bool:
        return True

    @property
    def is_running(self) -> bool:
        return True


class VaultedPlugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [Flavor(name="vaulted", type="feature_store", config_class=VaultedConfig,
                       implementation=f"{__name__}:Vaulted")]


@pytest.fixture
def vaulted() -> Iterator[None]:
    with plugin_registered(VaultedPlugin(), "vaulted-test"):
        yield


def by_name(answer: dict[str, Any]) -> dict[str, Any]:
    return {stack["name"]: stack for stack in answer["stacks"]}


def components(stack: dict[str, Any]) -> dict[str, Any]:
    return {c["type"]: c for c in stack["components"]}


def test_couplings_and_what_decouple_stores_leaves(zen: Any, client: Any,
                                                   tmp_path: Path) -> None:
    zen("artifact-store", "register", "other_art", "--flavor=local",
        f"--path={tmp_path / 'art'}")
    zen("metadata-store", "register", "other_meta", "--flavor=sqlite",
        f"--uri={tmp_path / 'm.db'}")
    zen("stack", "register", "other", "-o", "default", "-a", "other_art", "-m", "other_meta")
    stacks = by_name(client.get("/api/v1/stacks").json())
    assert stacks["default"]["coupling"] == {"artifact_store": "default",
                                             "metadata_store": "default", "coupled": True,
                                             "others": []}
    assert stacks["other"]["coupling"]["coupled"] is True
    # a third stack pairs default's artifact store with other's metadata store, deliberately
    zen("stack", "register", "mixed", "-o", "default", "-a", "default", "-m", "other_meta",
        "--decouple_stores")
    stacks = by_name(client.get("/api/v1/stacks").json())
    assert stacks["mixed"]["coupling"]["coupled"] is True
    for name in ("default", "other"):
        assert stacks[name]["coupling"]["coupled"] is False, name
        assert stacks[name]["coupling"]["others"] == [
            {"artifact_store": "default", "metadata_store": "other_meta"}], name
    page = client.get("/stacks").text
    assert page.count('class="coupling conflict"') == 2
    assert page.count('class="coupling"') == 1
    assert "is <em>not</em> coupled with" in page


def test_states_and_secrets_masked_in_api_and_page(zen: Any, client: Any, vaulted: None,
                                                   tmp_path: Path) -> None:
    stored, typed = new_marker("SECRET-"), new_marker("TYPED-")
    zen("secrets-manager", "register", "vault", "--flavor=local")
    zen("stack", "update", "default", "-x", "vault")
    zen("secret", "register", "api", f"--token={stored}")
    zen("feature-store", "register", "by_ref", "--flavor=vaulted", "--token={{api.token}}")
    zen("stack", "update", "default", "-f", "by_ref")
    zen("feature-store", "register", "typed", "--flavor=vaulted", f"--token={typed}")
    zen("artifact-store", "register", "other_art", "--flavor=local",
        f"--path={tmp_path / 'art'}")
    zen("metadata-store", "register", "other_meta", "--flavor=sqlite",
        f"--uri={tmp_path / 'm.db'}")
    zen("stack", "register", "other", "-o", "default", "-a", "other_art", "-m", "other_meta",
        "-f", "typed")
    zen("stack", "up")
    response = client.get("/api/v1/stacks")
    page = client.get("/stacks").text
    for secret in (stored, typed):
        assert secret not in response.text and secret not in page
    stacks = by_name(response.json())
    by_ref = components(stacks["default"])["feature_store"]
    typed_component = components(stacks["other"])["feature_store"]
    # a reference names a secret, it is not a value: shown as written (as 'describe' does)
    assert by_ref["config"] == {"token": "{{api.token}}"}
    assert typed_component["config"] == {"token": MASK}
    assert by_ref["state"] == "running"
    assert typed_component["state"] is None  # never brought up
    assert html.escape("{{api.token}}") in page and MASK in page
    assert '<span class="badge state running">running</span>' in page
