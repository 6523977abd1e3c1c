"""The ``local`` orchestrator: runs steps in the calling process."""

from __future__ import annotations

from zenml.orchestrators.base import BaseOrchestrator

__all__ = ["LocalOrchestrator"]


class LocalOrchestrator(BaseOrchestrator):
    """Runs every step in this process, in dependency order."""
