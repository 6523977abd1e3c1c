"""The core's own flavors, registered through the same hooks as any plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl

if TYPE_CHECKING:
    from zenml.stack.flavor import Flavor


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


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """The ``local`` orchestrator and artifact store, ``sqlite`` metadata store,
    ``default`` container registry and ``local`` secrets manager."""
    return [flavor for type_, name in CORE_FLAVORS
            if (flavor := core_flavor(type_, name)) is not None]


@hookimpl
def zenml_materializers() -> list[type]:
    """Python's own types, pydantic models, numpy, pandas, scikit-learn and model services.

    The numpy, pandas and scikit-learn materializers name their types as
    strings, so none of those libraries is imported until an object of
    theirs is stored.
    """
    from zenml.materializers.registry import core_materializers

    return list(core_materializers())
