"""The base class of every materializer, and the artifact context it works in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from zenml.artifact_stores.base import BaseArtifactStore
    from zenml.materializers.registry import MaterializerRegistry

__all__ = ["ArtifactContext", "BaseMaterializer", "type_key"]

M = TypeVar("M", bound="BaseMaterializer")


def type_key(data_type: type | str) -> str:
    """The registry key of a type: ``module.QualName`` (``numpy.ndarray``)."""
    if isinstance(data_type, str):
        return data_type
    return f"{data_type.__module__}.{data_type.__qualname__}"


@dataclass(frozen=True)
class ArtifactContext:
    """What a materializer works with, in the manner of Dagster's input/output contexts.

    ``uri`` is the artifact's folder, ``artifact_store`` the store it is in and
    ``registry`` the materializers of the run (to store what a value holds, as
    the container materializer does element by element).
    """

    uri: str
    artifact_store: BaseArtifactStore
    registry: MaterializerRegistry

    def child(self, name: str) -> ArtifactContext:
        """The context of a sub-folder ``name`` of this artifact (a nested value)."""
        return replace(self, uri=f"{self.uri.rstrip('/')}/{name}")


class BaseMaterializer:
    """Writes one kind of object into an artifact folder and reads it back.

    ``ASSOCIATED_TYPES`` lists the types handled, as classes or as
    ``"module.QualName"`` strings, so a materializer for a heavy library's
    type (``"numpy.ndarray"``) does not import that library until it is used.
    Subclasses read and write files under :attr:`uri` with :meth:`open`, which
    goes through the artifact store, so they work with every store flavor.
    A subclass is picked for its types once registered
    (:func:`zenml.materializers.register_materializer` or a plugin's
    ``zenml_materializers`` hook); any subclass can be chosen for a step's
    output with ``with_return_materializers``.

    zenml creates materializers with :meth:`from_context`; ``cls(uri,
    artifact_store)`` works too, and its :attr:`context` then holds the
    core's and the registered materializers.
    """

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = ()
    _context: ArtifactContext | None = None

    def __init__(self, uri: str, artifact_store: BaseArtifactStore) -> None:
        self.uri = uri.rstrip("/")
        self.artifact_store = artifact_store

    @classmethod
    def from_context(cls: type[M], context: ArtifactContext) -> M:
        """A materializer for the artifact the context describes."""
        materializer = cls(context.uri, context.artifact_store)
        materializer._context = context
        return materializer

    @property
    def context(self) -> ArtifactContext:
        """The artifact's folder, its store and the registry to store nested values with."""
        if self._context is None:
            from zenml.materializers.registry import MaterializerRegistry

            self._context = ArtifactContext(self.uri, self.artifact_store,
                                            MaterializerRegistry.core())
        return self._context

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
