"""What an integration says about itself through ``zenml_integration``."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["IntegrationInfo"]


@dataclass(frozen=True)
class IntegrationInfo:
    """An integration's name, installed version and third-party requirements."""

    name: str
    version: str
    requirements: list[str] = field(default_factory=list)
    description: str = ""
