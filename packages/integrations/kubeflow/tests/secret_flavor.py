"""An artifact store flavor with a secret field, to check how secrets reach the YAML."""

from __future__ import annotations

from pydantic import SecretStr

from zenml.artifact_stores.config import LocalArtifactStoreConfig
from zenml.stack.component_type import StackComponentType
from zenml.stack.flavor import Flavor


class SecretiveStoreConfig(LocalArtifactStoreConfig):
    """A local artifact store with a (useless) secret token."""

    token: SecretStr | None = None


SECRET_STORE = Flavor(
    name="secretive", type=StackComponentType.ARTIFACT_STORE,
    config_class=SecretiveStoreConfig,
    implementation="zenml.artifact_stores.local:LocalArtifactStore")
