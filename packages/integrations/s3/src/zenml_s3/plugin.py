"""The zenml plugin of zenml-s3 (entry point ``s3``); see the _template for its shape.

Imported whenever zenml loads plugins, so it imports nothing but zenml.plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl

if TYPE_CHECKING:
    from zenml.plugins.info import IntegrationInfo
    from zenml.stack.flavor import Flavor

__all__ = ["zenml_flavors", "zenml_integration"]


@hookimpl
def zenml_integration() -> IntegrationInfo:
    """Describe this integration: what its installed distribution's metadata says."""
    from zenml.integrations.metadata import integration_info

    return integration_info("zenml-s3")


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """The ``s3`` artifact store."""
    from zenml_s3.flavors import S3_ARTIFACT_STORE

    return [S3_ARTIFACT_STORE]
