"""The original framework's materializer API (0.8-0.10), beside ours.

Code written for that framework subclasses the :class:`BaseMaterializer` of
this module::

    class MyMaterializer(BaseMaterializer):
        ASSOCIATED_TYPES = (MyObj,)
        ASSOCIATED_ARTIFACT_TYPES = (DataArtifact,)

        def handle_return(self, my_obj: MyObj) -> None:
            super().handle_return(my_obj)
            with fileio.open(os.path.join(self.artifact.uri, "data.txt"), "w") as f:
                f.write(my_obj.name)

As then, a subclass is registered for its ``ASSOCIATED_TYPES`` when it is
defined (as if given to :func:`zenml.materializers.register_materializer`);
one without ``ASSOCIATED_TYPES`` is refused with
:class:`~zenml.errors.MaterializerInterfaceError`. ``self.artifact`` is an
instance of the first of its ``ASSOCIATED_ARTIFACT_TYPES`` (``BaseArtifact``
by default) whose ``uri`` is the artifact's folder; ``super().handle_input``
and ``super().handle_return`` only check the type and raise ``TypeError`` for
one the materializer does not handle. It is a subclass of our
:class:`zenml.materializers.BaseMaterializer`, so everything ours offers
(``self.uri``, ``self.open(name)``, ``from_context``) works on it too; classes
defined from ``zenml.materializers.BaseMaterializer`` are not registered
automatically.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, ClassVar

from zenml.artifacts.base_artifact import BaseArtifact
from zenml.errors import MaterializerError, MaterializerInterfaceError
from zenml.materializers.base import BaseMaterializer as _Materializer
from zenml.materializers.base import type_key

if TYPE_CHECKING:
    from zenml.artifact_stores.base import BaseArtifactStore

__all__ = ["BaseMaterializer", "BaseMaterializerMeta"]


class BaseMaterializerMeta(type):
    """Registers every materializer class defined from this module's base when it is defined."""

    def __init__(cls, name: str, bases: tuple[type, ...], namespace: dict[str, Any],
                 **kwargs: Any) -> None:
        super().__init__(name, bases, namespace, **kwargs)
        if namespace.get("_ERA_BASE", False):
            return
        from zenml.materializers.registry import register_materializer

        associated = getattr(cls, "ASSOCIATED_TYPES", ())
        if not associated:
            raise MaterializerInterfaceError(
                f"Materializer '{name}' has no ASSOCIATED_TYPES; list the types it reads and "
                f"writes, e.g. ASSOCIATED_TYPES = (MyClass,)")
        for data_type in associated:
            if not isinstance(data_type, (type, str)):
                raise MaterializerInterfaceError(
                    f"Materializer '{name}' lists {data_type!r} in ASSOCIATED_TYPES, which "
                    f"is not a class; list classes, e.g. ASSOCIATED_TYPES = (MyClass,)")
        for artifact_type in getattr(cls, "ASSOCIATED_ARTIFACT_TYPES", ()):
            if not (isinstance(artifact_type, type) and issubclass(artifact_type, BaseArtifact)):
                raise MaterializerInterfaceError(
                    f"Materializer '{name}' lists {artifact_type!r} in "
                    f"ASSOCIATED_ARTIFACT_TYPES, which is not an artifact type; use one of "
                    f"zenml.artifacts (DataArtifact, ModelArtifact, ...)")
        register_materializer(cls)  # type: ignore[type-var]


def _store_of_current_step(uri: str) -> BaseArtifactStore | None:
    """The running step's artifact store, if ``uri`` is inside it."""
    from zenml.execution.step_info import current_step_run

    info = current_step_run()
    if info is None:
        return None
    store = info.stack.artifact_store
    try:
        return store if store.contains(uri, strict=False) else None
    except Exception:  # a URI its filesystem cannot even parse is not inside it
        return None


class BaseMaterializer(_Materializer, metaclass=BaseMaterializerMeta):
    """The base of materializers written for the original framework (see the module)."""

    _ERA_BASE: ClassVar[bool] = True
    ASSOCIATED_ARTIFACT_TYPES: ClassVar[tuple[type[BaseArtifact], ...]] = ()

    def __init__(self, artifact: BaseArtifact | str,
                 artifact_store: BaseArtifactStore | None = None) -> None:
        """``MyMaterializer(artifact)`` as then, or ``(uri, artifact_store)`` as ours."""
        uri = artifact if isinstance(artifact, str) else artifact.uri
        store = artifact_store or _store_of_current_step(uri)
        # without a store only the era's own file access (fileio on artifact.uri) works
        super().__init__(uri, store)  # type: ignore[arg-type]
        if isinstance(artifact, BaseArtifact):
            self.artifact = artifact
        else:
            artifact_class = (self.ASSOCIATED_ARTIFACT_TYPES or (BaseArtifact,))[0]
            self.artifact = artifact_class(uri=self.uri, name=self.uri.rsplit("/", 1)[-1])

    @contextmanager
    def open(self, name: str, mode: str = "rb") -> Iterator[IO[Any]]:
        """Open a file inside the artifact folder (through its artifact store)."""
        if self.artifact_store is None:
            raise MaterializerError(
                f"{type(self).__name__} was made without an artifact store; pass it: "
                f"{type(self).__name__}(artifact, artifact_store), or use "
                f"zenml.io.fileio on self.artifact.uri")
        with super().open(name, mode) as handle:
            yield handle

    @classmethod
    def _can_handle_type(cls, data_type: Any) -> bool:
        """Whether ``data_type`` is (a subclass of) one of the ``ASSOCIATED_TYPES``.

        ``object``, ``Any`` and non-class annotations pass: the value decides then.
        """
        mro = getattr(data_type, "__mro__", None)
        if mro is None or data_type is object:
            return True
        keys = {type_key(t) for t in cls.ASSOCIATED_TYPES}
        return any(type_key(base) in keys for base in mro)

    def _associated_names(self) -> str:
        return ", ".join(getattr(t, "__qualname__", str(t)) for t in self.ASSOCIATED_TYPES)

    def handle_input(self, data_type: type) -> Any:
        """Check that ``data_type`` is one this materializer reads (subclasses read the data)."""
        if not self._can_handle_type(data_type):
            raise TypeError(
                f"Unable to handle type {getattr(data_type, '__qualname__', data_type)}: "
                f"{type(self).__name__} can only read {self._associated_names()}")
        return None

    def handle_return(self, data: Any) -> None:
        """Check that ``data`` is of a type this materializer writes (subclasses write it)."""
        if not self._can_handle_type(type(data)):
            raise TypeError(
                f"Unable to write {type(data).__qualname__}: {type(self).__name__} can only "
                f"write {self._associated_names()}")
