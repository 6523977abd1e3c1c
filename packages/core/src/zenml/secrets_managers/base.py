"""The base class of every secrets manager."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

if TYPE_CHECKING:
    from zenml.secrets_managers.schemas import BaseSecretSchema

__all__ = ["BaseSecretsManager"]


class BaseSecretsManager(StackComponent):
    """Keeps secrets (credentials) that other components read at run time.

    A flavor implements the five methods below. Errors a user can cause are
    one line: :class:`zenml.errors.EntityExistsError` for a name taken,
    :class:`zenml.errors.EntityNotFoundError` for an unknown secret (naming
    ``zenml secret register NAME``), :class:`zenml.errors.SecretsManagerError`
    for a store that cannot be read (missing or wrong key, corrupt file).
    A secret's schema (``TYPE``) is stored with it, so :meth:`get_secret`
    returns the same schema class it was registered with.
    """

    TYPE: ClassVar[StackComponentType] = StackComponentType.SECRETS_MANAGER

    def register_secret(self, secret: BaseSecretSchema) -> None:
        """Store a new secret; a name that exists already is an error."""
        raise NotImplementedError

    def get_secret(self, secret_name: str) -> BaseSecretSchema:
        """The secret called ``secret_name``."""
        raise NotImplementedError

    def update_secret(self, secret: BaseSecretSchema) -> None:
        """Replace an existing secret's values (and schema)."""
        raise NotImplementedError

    def delete_secret(self, secret_name: str) -> None:
        """Remove a secret."""
        raise NotImplementedError

    def get_all_secret_keys(self) -> list[str]:
        """The names of every secret, sorted (the era's name for it: names, not values)."""
        raise NotImplementedError

    def get_value(self, secret_name: str, key: str) -> str:
        """One value of a secret; one line naming the secret and key when it is missing."""
        from zenml.errors import EntityNotFoundError

        content = self.get_secret(secret_name).content
        if key not in content:
            keys = ", ".join(sorted(content)) or "none"
            raise EntityNotFoundError(
                f"Secret '{secret_name}' of secrets manager '{self.name}' has no key "
                f"'{key}' (keys: {keys}); add it with 'zenml secret update {secret_name} "
                f"--{key}=...'")
        return content[key]
