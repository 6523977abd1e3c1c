"""The ``local`` orchestrator: runs steps on this machine, one after another or in parallel."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from zenml.errors import RunFailedError, ZenMLError
from zenml.execution.launcher import StepLauncher
from zenml.orchestrators.base import BaseOrchestrator
from zenml.orchestrators.config import LocalOrchestratorConfig

if TYPE_CHECKING:
    from zenml.execution.deployment import Deployment
    from zenml.execution.runtime import StackRuntime

__all__ = ["LocalOrchestrator"]

logger = logging.getLogger("zenml")


class LocalOrchestrator(BaseOrchestrator):
    """Runs every step on this machine, in dependency order.

    ``parallel``: ``off`` runs the steps one after another in this process;
    ``processes`` runs steps whose inputs are ready at the same time, each in
    a process of its own, and ``threads`` in threads of this process; at most
    ``max_workers`` at once (see :mod:`zenml.execution.parallel`). The first
    failing step fails the run: no later step starts, and its error is raised
    to the caller once the running ones have ended.
    """

    config: LocalOrchestratorConfig

    def run(self, deployment: Deployment, runtime: StackRuntime) -> str | None:
        """Run the steps, one after another or in parallel."""
        launcher = StepLauncher(deployment, runtime)
        launcher.ensure_run(owner_pid=os.getpid())
        mode = self.config.parallel
        try:
            if mode != "off" and len(deployment.steps) > 1:
                from zenml.execution.parallel import run_in_parallel

                logger.info("Running up to %d independent steps at a time in %s.",
                            self.config.workers, mode)
                run_in_parallel(launcher, mode, self.config.workers)
            else:
                for spec in deployment.steps:
                    launcher.launch(spec.name)
        except RunFailedError as error:
            self._record_failure(launcher, str(error))
            raise
        except BaseException as error:
            self._record_failure(launcher, f"{type(error).__name__}: {error}".rstrip(": "))
            raise
        launcher.finish_run_if_done()
        return None

    @staticmethod
    def _record_failure(launcher: StepLauncher, error: str) -> None:
        """Mark the run failed; if the store itself is gone, say so and keep the cause."""
        try:
            launcher.fail_run(error)
        except ZenMLError as store_error:
            logger.warning("Could not mark run '%s' failed: %s", launcher.deployment.run_name,
                           store_error)
