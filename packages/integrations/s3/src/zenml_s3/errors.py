"""The errors of zenml-s3 (light: imports only zenml.errors)."""

from __future__ import annotations

from zenml.errors import ArtifactStoreError as CoreArtifactStoreError

__all__ = ["ArtifactStoreError"]


class ArtifactStoreError(CoreArtifactStoreError):
    """An artifact store cannot reach its storage, or the storage refused a request.

    The message is one line naming the store, the bucket, the cause and the fix.
    """
