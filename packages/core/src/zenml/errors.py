"""The errors zenml raises for things a user can cause.

Every :class:`ZenMLError` carries a one-line message that names the thing,
the bad value and the fix. The CLI prints that line on stderr and exits
with code 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "EntityExistsError",
    "EntityNotFoundError",
    "IllegalOperationError",
    "ProvisioningError",
    "StackValidationError",
    "StoreError",
    "ZenMLError",
]


class ZenMLError(Exception):
    """Base class of every error a user can cause and fix."""


class EntityExistsError(ZenMLError):
    """A stack or component with that name is already registered."""


class EntityNotFoundError(ZenMLError):
    """No stack, component or flavor with that name is registered."""


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
