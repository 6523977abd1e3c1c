"""The zenml plugin of zenml-s3 (entry point ``s3``); see the _template for its shape.

Imported whenever zenml loads plugins, so it imports nothing but zenml.plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl
from zenml.plugins.info import IntegrationInfo
from zenml_s3.__about__ import __version__

if TYPE_CHECKING:
    from zenml.stack.flavor import Flavor

__all__ = ["DESCRIPTION", "NAME", "REQUIREMENTS", "zenml_flavors", "zenml_integration"]

NAME = "s3"
DESCRIPTION = "Amazon S3 (and S3-compatible) artifact store"
#: The third-party libraries the implementation needs; they become dependencies
#: of this distribution together with the implementation.
REQUIREMENTS: list[str] = ["s3fs>=2023.1"]


@hookimpl
def zenml_integration() -> IntegrationInfo:
    """Describe this integration: name, installed version and requirements."""
    return IntegrationInfo(
        name=NAME, version=__version__, requirements=list(REQUIREMENTS), description=DESCRIPTION
    )


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """The ``s3`` artifact store."""
    from zenml_s3.flavors import S3_ARTIFACT_STORE

    return [S3_ARTIFACT_STORE]
