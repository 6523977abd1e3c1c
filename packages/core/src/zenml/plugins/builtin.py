"""The core's own flavors, registered through the same hooks as any plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl

if TYPE_CHECKING:
    from zenml.stack.flavor import Flavor


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """The ``local`` orchestrator and artifact store, ``sqlite`` metadata store,
    ``default`` container registry and ``local`` secrets manager."""
    from zenml.artifact_stores.config import LocalArtifactStoreConfig
    from zenml.container_registries.config import DefaultContainerRegistryConfig
    from zenml.metadata_stores.config import SQLiteMetadataStoreConfig
    from zenml.orchestrators.config import LocalOrchestratorConfig
    from zenml.secrets_managers.config import LocalSecretsManagerConfig
    from zenml.stack.component_type import StackComponentType as T
    from zenml.stack.flavor import Flavor

    return [
        Flavor(
            name="local",
            type=T.ORCHESTRATOR,
            config_class=LocalOrchestratorConfig,
            implementation="zenml.orchestrators.local:LocalOrchestrator",
        ),
        Flavor(
            name="local",
            type=T.ARTIFACT_STORE,
            config_class=LocalArtifactStoreConfig,
            implementation="zenml.artifact_stores.local:LocalArtifactStore",
        ),
        Flavor(
            name="sqlite",
            type=T.METADATA_STORE,
            config_class=SQLiteMetadataStoreConfig,
            implementation="zenml.metadata_stores.sqlite:SQLiteMetadataStore",
        ),
        Flavor(
            name="default",
            type=T.CONTAINER_REGISTRY,
            config_class=DefaultContainerRegistryConfig,
            implementation="zenml.container_registries.base:BaseContainerRegistry",
        ),
        Flavor(
            name="local",
            type=T.SECRETS_MANAGER,
            config_class=LocalSecretsManagerConfig,
            implementation="zenml.secrets_managers.local:LocalSecretsManager",
        ),
    ]


@hookimpl
def zenml_materializers() -> list[type]:
    """Python's own types, pydantic models, numpy, pandas, scikit-learn and model services.

    The numpy, pandas and scikit-learn materializers name their types as
    strings, so none of those libraries is imported until an object of
    theirs is stored.
    """
    from zenml.materializers.registry import core_materializers

    return list(core_materializers())
