"""Artifact store configurations: the base and the built-in ``local`` flavor."""

from __future__ import annotations

import os

from pydantic import Field, field_validator

from zenml.stack.config import StackComponentConfig

__all__ = ["BaseArtifactStoreConfig", "LocalArtifactStoreConfig"]


class BaseArtifactStoreConfig(StackComponentConfig):
    """Base configuration of every artifact store."""

    path: str = Field(description="Root path or URI under which artifacts are stored.")


class LocalArtifactStoreConfig(BaseArtifactStoreConfig):
    """Stores artifacts in a folder on this machine."""

    path: str = Field(description="Folder on this machine under which artifacts are stored.")

    @field_validator("path")
    @classmethod
    def _absolute_local_path(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the path must not be empty")
        if "://" in value:
            msg = f"'{value}' is a URI; the local artifact store needs a folder path"
            raise ValueError(msg)
        return os.path.abspath(os.path.expanduser(value))

    @property
    def is_local(self) -> bool:
        """A folder on this machine."""
        return True
