"""The ``wandb`` experiment tracker: one W&B run around each step decorated with ``@enable_wandb``.

zenml imports this module when a stack holding the tracker is used (a
pipeline run, the step entrypoint). It imports wandb only when a decorated
step is about to run, so a pipeline without tracked steps never pays for it
(importing wandb takes ~0.3 s, starting its ``wandb-core`` service process
~0.35 s more, once per process).

wandb keeps one global run per process (``wandb.run``), which ``wandb.log``
writes to. Tracked steps of one process therefore run one at a time: with the
``local`` orchestrator's ``parallel`` option, a tracked step waits in
:meth:`WandbExperimentTracker.prepare_step_run` until the tracked step before
it has finished; untracked steps are not held.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from zenml.experiment_trackers.base import BaseExperimentTracker
from zenml_wandb.decorator import WandbStepOptions, wandb_step_options
from zenml_wandb.errors import WandbRunError, WandbTrackerMissingError
from zenml_wandb.flavors import WANDB_EXPERIMENT_TRACKER_FLAVOR, WandbExperimentTrackerConfig

if TYPE_CHECKING:
    from zenml.execution.step_info import StepRunInfo
    from zenml.stack.step_run import StepRunContext

__all__ = ["WandbExperimentTracker", "require_wandb_run"]

logger = logging.getLogger("zenml.wandb")  # shown with the run's progress lines

#: Held from a tracked step's prepare_step_run to its cleanup_step_run (see the module doc).
_ONE_RUN_AT_A_TIME = threading.RLock()

#: W&B limits (longer values make wandb.init fail).
_TAG_LIMIT = 64
_GROUP_LIMIT = 128

#: The keys recorded on the step run (``zenml pipeline runs describe``, ``StepView.extra``).
RUN_ID_KEY = "wandb_run_id"
RUN_URL_KEY = "wandb_run_url"
RUN_DIR_KEY = "wandb_run_dir"


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0].rstrip(".") if lines else type(error).__name__


def _validation_problem(error: BaseException) -> str:
    """``field: message`` of a pydantic error (without the input value), else its first line."""
    problems = getattr(error, "errors", None)
    if callable(problems):
        try:
            first = problems()[0]
            where = ".".join(str(part) for part in first["loc"])
            return f"{where}: {first['msg']}" if where else str(first["msg"])
        except Exception:  # not pydantic's shape after all
            pass
    return _first_line(error)


def _register_hint(stack_name: str) -> str:
    return ("zenml experiment-tracker register wandb_tracker --flavor=wandb --api_key=KEY "
            "--entity=ENTITY --project_name=PROJECT, then zenml stack update "
            f"{stack_name} -e wandb_tracker")


class WandbExperimentTracker(BaseExperimentTracker):
    """Starts a W&B run before each step decorated with ``@enable_wandb`` and finishes it after."""

    config: WandbExperimentTrackerConfig

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._runs: dict[str, Any] = {}  # step run id -> the wandb Run of that step

    # -- the hooks ------------------------------------------------------------------
    def prepare_step_run(self, info: StepRunContext) -> None:
        """Start the step's W&B run if the step is decorated with ``@enable_wandb``."""
        options = _tracked_step(info)
        if options is None:
            return
        _ONE_RUN_AT_A_TIME.acquire()
        run = None
        try:
            run = self._start_run(info, options)
            self._record(info, run)
        except BaseException:
            try:
                if run is not None:
                    run.finish(exit_code=1)
            finally:
                _ONE_RUN_AT_A_TIME.release()
            raise
        self._runs[info.step_run_id] = run

    def cleanup_step_run(self, info: StepRunContext, failed: bool) -> None:
        """Finish the step's W&B run: exit code 1 (failed) if the step failed, else 0."""
        run = self._runs.pop(info.step_run_id, None)
        if run is None:
            return
        try:
            run.finish(exit_code=1 if failed else 0)
        finally:
            _ONE_RUN_AT_A_TIME.release()

    def active_run(self, info: StepRunContext) -> Any:
        """The W&B run of a step run that is executing, or None."""
        return self._runs.get(info.step_run_id)

    # -- helpers -----------------------------------------------------------------------
    def _settings(self, info: StepRunContext, options: WandbStepOptions, wandb: Any) -> Any:
        given = options.settings
        try:
            if given is None:
                settings = wandb.Settings()
            elif isinstance(given, Mapping):
                settings = wandb.Settings(**given)
            else:
                settings = given.model_copy(deep=True)  # never change the user's object
        except Exception as error:
            raise WandbRunError(f"The settings of @enable_wandb on step '{info.step_name}' "
                                f"are invalid: {_validation_problem(error)}") from None
        key = self.config.api_key
        if key is not None and "api_key" not in getattr(settings, "model_fields_set", ()):
            try:
                settings.api_key = key.get_secret_value()
            except Exception:  # never show the key
                raise WandbRunError(
                    f"W&B refuses the API key of experiment tracker '{self.name}'; set it "
                    f"again with 'zenml experiment-tracker update {self.name} "
                    f"--api_key=KEY'") from None
        return settings

    def _start_run(self, info: StepRunContext, options: WandbStepOptions) -> Any:
        import wandb  # type: ignore[import-not-found,unused-ignore]

        tags = list(dict.fromkeys(name[:_TAG_LIMIT] for name in (info.pipeline_name,
                                                                 info.run_name)))
        arguments: dict[str, Any] = {
            "project": self.config.project_name or info.pipeline_name,
            "entity": self.config.entity,
            "name": f"{info.run_name}_{info.step_name}",
            "group": info.run_name[:_GROUP_LIMIT],
            "job_type": info.step_name[:_TAG_LIMIT],
            "tags": tags,
            "config": dict(info.step.parameters),
            "reinit": "finish_previous",  # wandb.log writes to wandb.run: make it this run
            "settings": self._settings(info, options, wandb),
        }
        if self.config.mode is not None:  # the registered mode wins over WANDB_MODE
            arguments["mode"] = self.config.mode
        try:
            return wandb.init(**arguments)
        except Exception as error:
            # a failed init can leave wandb's service connection unusable for the next
            # run of this process (wandb 0.19): stop it, the next run starts a new one
            with contextlib.suppress(Exception):
                wandb.teardown()
            raise WandbRunError(
                f"Could not start the W&B run of step '{info.step_name}' (experiment "
                f"tracker '{self.name}'): {_first_line(error)}; set the key with 'zenml "
                f"experiment-tracker update {self.name} --api_key=KEY' (or wandb login), "
                f"check its --entity and --project_name, or log offline with 'zenml "
                f"experiment-tracker update {self.name} --mode=offline'") from None

    @staticmethod
    def _record(info: StepRunContext, run: Any) -> None:
        mode = getattr(run.settings, "mode", None)
        if mode == "disabled":  # a stand-in run: nothing is logged anywhere
            logger.info("W&B is disabled: step `%s` logs nothing.", info.step_name)
            return
        info.record(RUN_ID_KEY, run.id)
        if mode == "offline":  # no URL yet (wandb warns when asked for one)
            sync_dir = str(run.settings.sync_dir)
            info.record(RUN_DIR_KEY, sync_dir)
            logger.info("W&B run of step `%s` (offline, upload it with `wandb sync %s`).",
                        info.step_name, sync_dir)
            return
        url = run.url
        if url:
            info.record(RUN_URL_KEY, url)
            logger.info("W&B run of step `%s`: %s", info.step_name, url)


def _tracked_step(info: StepRunContext) -> WandbStepOptions | None:
    """The ``@enable_wandb`` options of the step about to run, or None if it is not tracked."""
    from zenml.execution.source import load_source

    try:
        step_class = load_source(info.step.source)
    except Exception as error:  # the launcher reports a step it cannot load
        logger.debug("Cannot load step %s (%s): %s", info.step_name, info.step.source, error)
        return None
    return wandb_step_options(step_class)


def require_wandb_run(info: StepRunInfo) -> Any:
    """The W&B run of the running step; a one-line error if the stack cannot track it."""
    step_name = info.step_name
    tracker = info.stack.experiment_tracker
    stack = info.stack.name
    if tracker is None:
        raise WandbTrackerMissingError(
            f"Step '{step_name}' uses @enable_wandb, but stack '{stack}' has no experiment "
            f"tracker; register a wandb tracker and add it with -e: {_register_hint(stack)}")
    if not isinstance(tracker, WandbExperimentTracker):
        raise WandbTrackerMissingError(
            f"Step '{step_name}' uses @enable_wandb, but the experiment tracker "
            f"'{tracker.name}' of stack '{stack}' has flavor '{tracker.flavor}', not "
            f"'{WANDB_EXPERIMENT_TRACKER_FLAVOR}'; register a wandb tracker and add it with "
            f"-e: {_register_hint(stack)}")
    run = tracker.active_run(info)
    if run is None:  # pragma: no cover - the tracker saw a different class at this source
        raise WandbRunError(
            f"Step '{step_name}' uses @enable_wandb, but experiment tracker "
            f"'{tracker.name}' started no W&B run for it: the step class at "
            f"'{info.step.source}' is not the decorated one; apply @enable_wandb where the "
            f"step is defined, at module level")
    return run
