"""The base configuration of container registries."""

from __future__ import annotations

from pydantic import Field

from zenml.stack.config import StackComponentConfig

__all__ = ["BaseContainerRegistryConfig", "DefaultContainerRegistryConfig"]


class BaseContainerRegistryConfig(StackComponentConfig):
    """Base configuration of every container registry."""

    uri: str = Field(description="The registry's URI, e.g. 'localhost:5000' or 'ghcr.io/org'.")


class DefaultContainerRegistryConfig(BaseContainerRegistryConfig):
    """Any container registry reachable by URI (e.g. localhost:5000)."""

    @property
    def is_local(self) -> bool:
        """A registry on this machine (``localhost`` or ``127.0.0.1``)."""
        host = self.uri.split("/", 1)[0].split(":", 1)[0]
        return host in {"localhost", "127.0.0.1"}
