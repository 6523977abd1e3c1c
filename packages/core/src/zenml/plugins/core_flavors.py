"""The core's own flavors, by import path (nothing of the stack is imported here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zenml.stack.flavor import Flavor

__all__ = ["CORE_FLAVORS", "core_flavor"]


#: The core's flavors: (type, name) -> (config class, implementation), as import paths, so
#: that one can be built without importing the others' config classes.
CORE_FLAVORS: dict[tuple[str, str], tuple[str, str]] = {
    ("orchestrator", "local"): ("zenml.orchestrators.config:LocalOrchestratorConfig",
                                "zenml.orchestrators.local:LocalOrchestrator"),
    ("artifact_store", "local"): ("zenml.artifact_stores.config:LocalArtifactStoreConfig",
                                  "zenml.artifact_stores.local:LocalArtifactStore"),
    ("metadata_store", "sqlite"): ("zenml.metadata_stores.config:SQLiteMetadataStoreConfig",
                                   "zenml.metadata_stores.sqlite:SQLiteMetadataStore"),
    ("container_registry", "default"): (
        "zenml.container_registries.config:DefaultContainerRegistryConfig",
        "zenml.container_registries.base:BaseContainerRegistry"),
    ("secrets_manager", "local"): ("zenml.secrets_managers.config:LocalSecretsManagerConfig",
                                   "zenml.secrets_managers.local:LocalSecretsManager"),
}


def core_flavor(type_: str, name: str) -> Flavor | None:
    """One of the core's flavors (importing its config class only), or None."""
    from zenml.stack.component_type import StackComponentType
    from zenml.stack.flavor import Flavor
    from zenml.utils.imports import import_object

    paths = CORE_FLAVORS.get((type_, name))
    if paths is None:
        return None
    config, implementation = paths
    return Flavor(name=name, type=StackComponentType(type_), config_class=import_object(config),
                  implementation=implementation)
