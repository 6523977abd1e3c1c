"""The original framework's module path of the built-in materializers (an alias).

``from zenml.materializers.built_in_materializer import BuiltInMaterializer``
gives the core's materializer of ``bool``/``int``/``float``/``str`` (JSON);
``dict``, ``list`` and ``tuple`` have :class:`ContainerMaterializer`.
"""

from zenml.materializers.builtin import (
    BuiltInMaterializer,
    BytesMaterializer,
    ContainerMaterializer,
)

#: The later framework's name for the container materializer.
BuiltInContainerMaterializer = ContainerMaterializer

__all__ = ["BuiltInContainerMaterializer", "BuiltInMaterializer", "BytesMaterializer",
           "ContainerMaterializer"]
