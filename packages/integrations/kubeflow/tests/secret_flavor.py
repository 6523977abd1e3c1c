"""Artifact store flavors with secrets, to check how secrets reach the YAML and the pods."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import SecretStr

from zenml.artifact_stores.config import LocalArtifactStoreConfig
from zenml.plugins import hookimpl
from zenml.stack.component_type import StackComponentType
from zenml.stack.config import SecretNameField
from zenml.stack.flavor import Flavor


class SecretiveStoreConfig(LocalArtifactStoreConfig):
    """A local artifact store with a (useless) secret token, and an ``aws`` secret it may
    name (its keys fill ``key_id``, ``token`` and ``session``)."""

    SECRET_NAME_FIELDS: ClassVar[dict[str, SecretNameField]] = {
        "authentication_secret": SecretNameField("aws", {
            "aws_access_key_id": "key_id", "aws_secret_access_key": "token",
            "aws_session_token": "session"}),
    }

    token: SecretStr | None = None
    key_id: str | None = None
    session: SecretStr | None = None
    authentication_secret: str | None = None


SECRET_STORE = Flavor(
    name="secretive", type=StackComponentType.ARTIFACT_STORE,
    config_class=SecretiveStoreConfig,
    implementation="zenml.artifact_stores.local:LocalArtifactStore")


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """This module as a plugin (entry point ``secretive``, see ``install_plugin``)."""
    return [SECRET_STORE]


def install_plugin(folder: Path) -> Path:
    """A dist-info in ``folder`` whose ``zenml`` entry point is this module, as pip would
    install a third-party plugin; put ``folder`` on sys.path / PYTHONPATH to use it."""
    info = folder / "zenml_secretive_test-0.1.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: zenml-secretive-test\n"
                                   "Version: 0.1\n")
    (info / "entry_points.txt").write_text("[zenml]\nsecretive = secret_flavor\n")
    return folder
