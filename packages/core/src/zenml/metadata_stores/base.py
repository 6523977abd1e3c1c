"""The base class of every metadata store."""

from __future__ import annotations

from typing import ClassVar

from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

__all__ = ["BaseMetadataStore"]


class BaseMetadataStore(StackComponent):
    """Records pipelines, runs, steps, artifacts and their lineage."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.METADATA_STORE

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the store's database."""
        raise NotImplementedError
