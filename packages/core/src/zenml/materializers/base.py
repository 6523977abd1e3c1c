"""The base class of every materializer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from zenml.artifact_stores.base import BaseArtifactStore

__all__ = ["BaseMaterializer", "type_key"]

# Subclasses defined by users, in definition order; the registry adds them
# after the plugins' materializers, so defining one is enough to use it.
_DEFINED: list[type[BaseMaterializer]] = []


def type_key(data_type: type | str) -> str:
    """The registry key of a type: ``module.QualName`` (``numpy.ndarray``)."""
    if isinstance(data_type, str):
        return data_type
    return f"{data_type.__module__}.{data_type.__qualname__}"


class BaseMaterializer:
    """Writes one kind of object into an artifact folder and reads it back.

    ``ASSOCIATED_TYPES`` lists the types handled, as classes or as
    ``"module.QualName"`` strings, so a materializer for a heavy library's
    type (``"numpy.ndarray"``) does not import that library until it is used.
    Subclasses read and write files under :attr:`uri` with :meth:`open`, which
    goes through the artifact store, so they work with every store flavor.
    """

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.ASSOCIATED_TYPES and not cls.__module__.startswith("zenml."):
            _DEFINED.append(cls)

    def __init__(self, uri: str, artifact_store: BaseArtifactStore) -> None:
        self.uri = uri.rstrip("/")
        self.artifact_store = artifact_store

    def path(self, name: str) -> str:
        """The path of a file inside the artifact folder."""
        return f"{self.uri}/{name}"

    @contextmanager
    def open(self, name: str, mode: str = "rb") -> Iterator[IO[Any]]:
        """Open a file inside the artifact folder."""
        with self.artifact_store.open(self.path(name), mode) as handle:
            yield handle

    def handle_input(self, data_type: type) -> Any:
        """Read the artifact as an object of ``data_type``."""
        raise NotImplementedError(f"{type(self).__name__} cannot read artifacts")

    def handle_return(self, data: Any) -> None:
        """Write ``data`` into the artifact folder."""
        raise NotImplementedError(f"{type(self).__name__} cannot write artifacts")
