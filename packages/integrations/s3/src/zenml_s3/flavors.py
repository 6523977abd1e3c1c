"""The flavors of zenml-s3: the ``s3`` artifact store's config class and its flavor.

Only pydantic and zenml are imported here, never s3fs or botocore: the CLI
imports this module to list flavors and to register components with every
integration installed. The implementation is :mod:`zenml_s3.artifact_store`.
"""

from __future__ import annotations

import copy
import re
from typing import Any, ClassVar

from pydantic import Field, SecretStr, ValidationInfo, field_validator

from zenml.artifact_stores.config import BaseArtifactStoreConfig
from zenml.stack.component_type import StackComponentType
from zenml.stack.config import SecretNameField, secret_name_alone
from zenml.stack.flavor import Flavor

__all__ = [
    "DEFAULT_CONFIG_KWARGS",
    "S3_ARTIFACT_STORE",
    "S3_ARTIFACT_STORE_FLAVOR",
    "S3ArtifactStoreConfig",
]

S3_ARTIFACT_STORE_FLAVOR = "s3"

#: botocore ``Config`` settings applied unless ``config_kwargs`` sets the same key:
#: an unreachable or silent endpoint fails within a bounded time.
DEFAULT_CONFIG_KWARGS: dict[str, Any] = {
    "connect_timeout": 10,
    "read_timeout": 60,
    "retries": {"total_max_attempts": 3, "mode": "standard"},
}

# Bucket names as S3 accepts them (3-63 characters; the underscore of old
# us-east-1 buckets and S3-compatible servers is let through).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")
# Credentials must go through the secret fields, never a printed dict.
_SECRET_CLIENT_KWARGS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
_SECRET_REQUEST_KWARGS = ("SSECustomerKey",)


class S3ArtifactStoreConfig(BaseArtifactStoreConfig):
    """Stores artifacts in an Amazon S3 bucket or on an S3-compatible server.

    Attributes:
        path: ``s3://BUCKET`` or ``s3://BUCKET/PREFIX``; the bucket must exist.
        key, secret, token: the access key id, secret access key and session
            token (secret: masked whenever printed). Leave them empty to use
            the standard AWS credential chain (``AWS_ACCESS_KEY_ID`` ...,
            ``~/.aws``, an instance or pod role).
        client_kwargs: botocore client arguments, e.g. ``endpoint_url`` for an
            S3-compatible server or ``region_name``.
        config_kwargs: botocore ``Config`` arguments, merged over
            :data:`DEFAULT_CONFIG_KWARGS` (timeouts and bounded retries).
        s3_additional_kwargs: extra parameters of every S3 request, e.g.
            ``ServerSideEncryption``.
        authentication_secret: the name of an ``aws`` secret of the stack's
            secrets manager whose ``aws_access_key_id``, ``aws_secret_access_key``
            and ``aws_session_token`` are used as key, secret and token (read only
            where the store is used; not together with key/secret/token).
    """

    SECRET_NAME_FIELDS: ClassVar[dict[str, SecretNameField]] = {
        "authentication_secret": SecretNameField("aws", {
            "aws_access_key_id": "key", "aws_secret_access_key": "secret",
            "aws_session_token": "token"}),
    }

    path: str = Field(
        description="s3://BUCKET or s3://BUCKET/PREFIX under which artifacts are stored; "
                    "the bucket must exist.")
    key: SecretStr | None = Field(
        default=None,
        description="AWS access key id (secret). Empty: the standard AWS credential chain "
                    "(AWS_* variables, ~/.aws files, instance or pod role).")
    secret: SecretStr | None = Field(
        default=None, validate_default=True,
        description="AWS secret access key (secret); given together with key.")
    token: SecretStr | None = Field(
        default=None, validate_default=True,
        description="AWS session token (secret), for temporary credentials with key and secret.")
    client_kwargs: dict[str, Any] = Field(
        default_factory=dict,
        description='botocore client arguments as JSON, e.g. '
                    '{"endpoint_url": "http://127.0.0.1:9000"} for an S3-compatible server, '
                    'or {"region_name": "eu-west-1"}.')
    config_kwargs: dict[str, Any] = Field(
        default_factory=lambda: copy.deepcopy(DEFAULT_CONFIG_KWARGS),
        description='botocore Config arguments as JSON, merged over the defaults '
                    '{"connect_timeout": 10, "read_timeout": 60, '
                    '"retries": {"total_max_attempts": 3, "mode": "standard"}}.')
    s3_additional_kwargs: dict[str, Any] = Field(
        default_factory=dict,
        description='Extra parameters of every S3 request as JSON, e.g. '
                    '{"ServerSideEncryption": "AES256"}.')
    authentication_secret: str | None = Field(
        default=None,
        description="Name of an 'aws' secret in the stack's secrets manager holding the "
                    "credentials (instead of key, secret and token).")

    @field_validator("path")
    @classmethod
    def _s3_uri(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith("s3://"):
            raise ValueError("this is not an S3 URI; use s3://BUCKET or s3://BUCKET/PREFIX")
        bucket, _, prefix = value[len("s3://"):].partition("/")
        if not _BUCKET.match(bucket):
            raise ValueError(
                "the bucket name is not a valid S3 bucket name (3-63 lowercase letters, "
                "digits, dots and hyphens, starting and ending with a letter or digit)")
        prefix = prefix.strip("/")
        if "//" in prefix:
            raise ValueError("the prefix has an empty folder name ('//')")
        return f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"

    @field_validator("key", "secret", "token")
    @classmethod
    def _empty_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            return None
        return value

    @field_validator("client_kwargs")
    @classmethod
    def _client_kwargs(cls, value: dict[str, Any]) -> dict[str, Any]:
        secret = [name for name in _SECRET_CLIENT_KWARGS if name in value]
        if secret:
            raise ValueError(
                f"{', '.join(secret)} would be stored and printed in clear; pass the "
                f"credentials with --key, --secret and --token instead")
        endpoint = value.get("endpoint_url")
        if endpoint is not None and (
                not isinstance(endpoint, str)
                or not endpoint.startswith(("http://", "https://"))):
            raise ValueError("endpoint_url must be an http:// or https:// URL")
        return value

    @field_validator("config_kwargs")
    @classmethod
    def _config_kwargs(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in ("connect_timeout", "read_timeout"):
            timeout = value.get(name)
            if timeout is not None and (isinstance(timeout, bool)
                                        or not isinstance(timeout, (int, float))
                                        or timeout <= 0):
                raise ValueError(f"{name} must be a number of seconds above 0")
        retries = value.get("retries")
        if retries is not None and not isinstance(retries, dict):
            raise ValueError('retries must be an object such as {"total_max_attempts": 3, '
                             '"mode": "standard"}')
        for name, least in (("total_max_attempts", 1), ("max_attempts", 0)):
            attempts = (retries or {}).get(name)
            if attempts is not None and (isinstance(attempts, bool)
                                         or not isinstance(attempts, int) or attempts < least):
                raise ValueError(f"retries' {name} must be a whole number of at least {least}")
        mode = (retries or {}).get("mode")
        if mode is not None and mode not in ("legacy", "standard", "adaptive"):
            raise ValueError("retries' mode must be legacy, standard or adaptive")
        return {**copy.deepcopy(DEFAULT_CONFIG_KWARGS), **value}

    @field_validator("s3_additional_kwargs")
    @classmethod
    def _request_kwargs(cls, value: dict[str, Any]) -> dict[str, Any]:
        secret = [name for name in _SECRET_REQUEST_KWARGS if name in value]
        if secret:
            raise ValueError(f"{', '.join(secret)} would be stored and printed in clear; "
                             f"customer-provided encryption keys are not supported")
        return value

    @field_validator("secret")
    @classmethod
    def _secret_with_key(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if "path" not in info.data:  # checked alone (register -i asks field by field)
            return value
        if (info.data.get("key") is None) != (value is None):
            raise ValueError("key and secret go together: pass both, or neither to use the "
                             "standard AWS credential chain")
        return value

    @field_validator("token")
    @classmethod
    def _token_with_key(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if "path" not in info.data:  # checked alone (register -i asks field by field)
            return value
        if value is not None and info.data.get("key") is None:
            raise ValueError("a session token needs key and secret too (temporary credentials)")
        return value

    @field_validator("authentication_secret")
    @classmethod
    def _secret_alone(cls, value: str | None, info: ValidationInfo) -> str | None:
        return secret_name_alone("authentication_secret", value, info.data,
                                 ("key", "secret", "token"))

    @property
    def bucket(self) -> str:
        """The bucket of :attr:`path`."""
        return self.path[len("s3://"):].partition("/")[0]

    @property
    def is_local(self) -> bool:
        """A bucket is reachable from anywhere: the store may pair with remote orchestrators."""
        return False


S3_ARTIFACT_STORE = Flavor(
    name=S3_ARTIFACT_STORE_FLAVOR,
    type=StackComponentType.ARTIFACT_STORE,
    config_class=S3ArtifactStoreConfig,
    implementation="zenml_s3.artifact_store:S3ArtifactStore",
    integration="s3",
)
