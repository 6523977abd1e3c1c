"""The errors zenml raises for things a user can cause.

Every :class:`ZenMLError` carries a one-line message that names the thing,
the bad value and the fix. The CLI prints that line on stderr and exits
with code 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = [
    "ArtifactStoreError",
    "ConfigError",
    "EntityExistsError",
    "EntityKeyError",
    "EntityNotFoundError",
    "FlavorNotInstalled",
    "IllegalOperationError",
    "MaterializerError",
    "MaterializerInterfaceError",
    "MetadataStoreError",
    "ObjectImportError",
    "PipelineConfigurationError",
    "PipelineInterfaceError",
    "ProvisioningError",
    "RunFailedError",
    "SecretsManagerError",
    "StackValidationError",
    "StepInterfaceError",
    "StoreError",
    "ZenMLError",
]


class ZenMLError(Exception):
    """Base class of every error a user can cause and fix."""


class EntityExistsError(ZenMLError):
    """A stack or component with that name is already registered."""


class EntityNotFoundError(ZenMLError):
    """No stack, component or flavor with that name is registered."""


class EntityKeyError(EntityNotFoundError, KeyError):
    """A pipeline, run or step looked up by name does not exist.

    Also a :class:`KeyError`, which the original framework raised there, so
    ``except KeyError`` in code written for it keeps working. ``str()`` is the
    message as it is (``KeyError`` would quote it).
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class FlavorNotInstalled(EntityNotFoundError):
    """No installed plugin provides a flavor of that name for that component type.

    ``type`` is the component type (a ``StackComponentType``, which is a ``str``).
    The message ends with a generic fix; the CLI replaces it with the integration
    to install (:meth:`with_fix`), which only it knows.
    """

    GENERIC_FIX = ("flavors of integrations come with their package (see 'zenml "
                   "integration list')")

    def __init__(self, type: str, name: str, installed: tuple[str, ...] = ()) -> None:
        self.type = type
        self.name = name
        self.installed = tuple(installed)
        super().__init__(self.with_fix(self.GENERIC_FIX))

    def with_fix(self, fix: str) -> str:
        """The message, ending with ``fix``."""
        what = str(self.type).replace("_", " ")
        names = ", ".join(self.installed) or "none"
        return (f"Flavor '{self.name}' ({what}) is not installed; installed {what} flavors: "
                f"{names}; {fix}")


class ObjectImportError(ZenMLError, ImportError):
    """An import path (``"package.module:Qualified.name"``) names nothing importable."""


class ConfigError(ZenMLError):
    """A component configuration is invalid (unknown, missing or bad field)."""


class StackValidationError(ZenMLError):
    """A stack's components do not work together."""


class IllegalOperationError(ZenMLError):
    """The operation is not allowed in the current state (e.g. delete in use)."""


class StoreError(ZenMLError):
    """The stack store file cannot be read or is not a zenml store."""


class ProvisioningError(ZenMLError):
    """Provisioning, resuming, suspending or deprovisioning a component failed."""


class StepInterfaceError(ZenMLError):
    """A step is defined or called in a way that cannot work."""


class PipelineInterfaceError(ZenMLError):
    """A pipeline is defined or connected in a way that cannot work."""


class PipelineConfigurationError(ZenMLError):
    """A run configuration names an unknown step or parameter."""


class MaterializerError(ZenMLError):
    """No materializer can read or write a type, or one failed."""


class MaterializerInterfaceError(MaterializerError):
    """A materializer class is defined in a way that cannot work (e.g. no ASSOCIATED_TYPES)."""


class RunFailedError(ZenMLError):
    """A pipeline run failed because one of its steps raised."""

    def __init__(self, message: str, step_name: str = "", run_name: str = "") -> None:
        super().__init__(message)
        self.step_name = step_name
        self.run_name = run_name


class ArtifactStoreError(StoreError):
    """An artifact store cannot reach its storage, or the storage refused a request."""


class MetadataStoreError(StoreError):
    """The metadata store cannot be reached or holds unexpected data."""


class SecretsManagerError(StoreError):
    """A secrets manager cannot read its secrets (missing or wrong key, corrupt store)."""
