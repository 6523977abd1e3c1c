"""Secret schemas: which keys a secret of a kind holds (``arbitrary``, ``aws``, ...).

A secret is a name and string values by key. A schema names the keys a kind of
secret must or may have, so that ``zenml secret register NAME -s aws`` refuses
a misspelt key and S3's ``authentication_secret`` can trust what it reads.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from zenml.errors import EntityNotFoundError

__all__ = [
    "SCHEMAS",
    "AWSSecretSchema",
    "ArbitrarySecretSchema",
    "BaseSecretSchema",
    "MySQLSecretSchema",
    "WandbSecretSchema",
    "build_secret",
    "get_schema",
]


class BaseSecretSchema(BaseModel):
    """A secret: its ``name`` and its values (the other fields), all strings.

    ``TYPE`` is the schema's name (``zenml secret register -s TYPE``).
    :attr:`content` is what a secrets manager stores.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    TYPE: ClassVar[str] = ""

    name: str

    @property
    def content(self) -> dict[str, str]:
        """The values by key (``name`` excluded, unset optional keys left out)."""
        data = self.model_dump(exclude={"name"}, exclude_none=True)
        return {key: str(value) for key, value in data.items()}

    @classmethod
    def keys(cls) -> list[str]:
        """The keys this schema knows (empty for ``arbitrary``: any key)."""
        return [key for key in cls.model_fields if key != "name"]

    @classmethod
    def required_keys(cls) -> list[str]:
        """The keys a secret of this schema must have."""
        return [key for key, field in cls.model_fields.items()
                if key != "name" and field.is_required()]


class ArbitrarySecretSchema(BaseSecretSchema):
    """Any keys, any string values."""

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    TYPE: ClassVar[str] = "arbitrary"

    @property
    def content(self) -> dict[str, str]:
        """The values by key."""
        return {key: str(value) for key, value in (self.model_extra or {}).items()}


class AWSSecretSchema(BaseSecretSchema):
    """AWS credentials (S3's ``authentication_secret``)."""

    TYPE: ClassVar[str] = "aws"

    aws_access_key_id: str
    aws_secret_access_key: str
    aws_session_token: str | None = None


class MySQLSecretSchema(BaseSecretSchema):
    """MySQL credentials and TLS material (the mysql metadata store's ``secret``)."""

    TYPE: ClassVar[str] = "mysql"

    user: str | None = None
    password: str | None = None
    ssl_ca: str | None = None
    ssl_cert: str | None = None
    ssl_key: str | None = None


class WandbSecretSchema(BaseSecretSchema):
    """A Weights & Biases API key."""

    TYPE: ClassVar[str] = "wandb"

    api_key: str


#: The schemas by ``TYPE``.
SCHEMAS: dict[str, type[BaseSecretSchema]] = {
    schema.TYPE: schema
    for schema in (ArbitrarySecretSchema, AWSSecretSchema, MySQLSecretSchema, WandbSecretSchema)
}


def get_schema(name: str) -> type[BaseSecretSchema]:
    """The schema called ``name``; one line listing the known ones otherwise."""
    try:
        return SCHEMAS[name]
    except KeyError:
        raise EntityNotFoundError(
            f"Unknown secret schema '{name}'; use one of: {', '.join(SCHEMAS)}") from None


def build_secret(schema: str, name: str, content: dict[str, Any]) -> BaseSecretSchema:
    """A secret of ``schema`` from its values (pydantic's errors are the caller's to word)."""
    return get_schema(schema)(name=name, **content)
