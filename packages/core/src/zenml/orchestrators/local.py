"""The ``local`` orchestrator: runs steps in the calling process."""

from __future__ import annotations

import concurrent.futures
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
    """Runs every step in this process, in dependency order.

    With ``parallel``, steps whose inputs are ready run at the same time in
    up to ``max_workers`` threads. The first failing step fails the run: no
    later step starts, and its error is raised to the caller.
    """

    config: LocalOrchestratorConfig

    def run(self, deployment: Deployment, runtime: StackRuntime) -> str | None:
        """Run the steps, one after another or in parallel."""
        launcher = StepLauncher(deployment, runtime)
        launcher.ensure_run(owner_pid=os.getpid())
        try:
            if self.config.parallel and len(deployment.steps) > 1:
                self._run_parallel(launcher)
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

    def _run_parallel(self, launcher: StepLauncher) -> None:
        specs = {s.name: s for s in launcher.deployment.steps}
        done: set[str] = set()
        running: dict[concurrent.futures.Future[object], str] = {}
        failure: BaseException | None = None
        with concurrent.futures.ThreadPoolExecutor(
                max_workers=self.config.max_workers, thread_name_prefix="zenml-step") as pool:
            while True:
                if failure is None:
                    started = set(running.values()) | done
                    for name, spec in specs.items():
                        if len(running) >= self.config.max_workers:
                            break
                        if name not in started and set(spec.upstream) <= done:
                            running[pool.submit(launcher.launch, name)] = name
                            started.add(name)
                if not running:
                    break
                finished, _ = concurrent.futures.wait(
                    running, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in finished:
                    name = running.pop(future)
                    error = future.exception()
                    if error is None:
                        done.add(name)
                    elif failure is None:
                        failure = error
        if failure is not None:
            raise failure
