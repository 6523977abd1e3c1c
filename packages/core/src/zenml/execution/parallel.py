"""Running a deployment's independent steps at the same time (the ``local`` orchestrator).

A step starts once every step it reads from has finished; at most ``workers``
steps run at once. Every step still goes through the
:class:`~zenml.execution.launcher.StepLauncher`, so caching, records and
component hooks are those of a sequential run; only the order of start times
may differ.

``processes``: each step runs in a child process forked from this one (Linux
and the BSDs), so it inherits the step objects, even those defined in the
script being run (``__main__``), and the run's stack without pickling
anything; it opens its own connections to the metadata store (the parent
closes its idle ones before forking, and the child drops any it inherited).
Where forking is not safe (macOS, whose system libraries may crash in a
forked child) or not possible (Windows), each step runs as
``python -m zenml.execution.entrypoint`` instead, importing its code from its
source as remote orchestrators do. ``threads``: steps run in threads of this
process, for steps that mostly wait (Python code itself runs one thread at a
time).

Failures: the first failing step stops the scheduling; steps already running
finish, none starts, and its error is raised as in a sequential run. Ctrl-C
reaches the children too (they share the terminal's process group): each
records its step failed; children still running after a grace period are
interrupted, and a second Ctrl-C kills them. A child dies with its parent
(``PR_SET_PDEATHSIG`` on Linux), so a SIGKILL of the run leaves no step running
on: the store then shows the run and its unfinished steps failed, and the next
run resumes from the cache.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zenml.errors import PipelineConfigurationError, RunFailedError, ZenMLError
from zenml.metadata_stores.records import ExecutionStatus
from zenml.stack.component_type import StackComponentType

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from zenml.execution.deployment import Deployment
    from zenml.execution.launcher import StepLauncher
    from zenml.stack.flavor_registry import FlavorRegistry

__all__ = ["StepTraceback", "fork_is_safe", "run_in_parallel", "with_parallel"]

logger = logging.getLogger("zenml")

#: Seconds the children get to end by themselves after Ctrl-C before they are
#: interrupted (a Ctrl-C typed in a terminal reaches them already).
INTERRUPT_GRACE = 2.0
#: Why a step run is marked failed when its process was killed before it said so.
KILLED = "the step's process was killed ({how}) before the step finished"


def fork_is_safe() -> bool:
    """Whether steps may run in forked children here (not on macOS or Windows)."""
    return hasattr(os, "fork") and sys.platform != "darwin"


def with_parallel(deployment: Deployment, parallel: object,
                  flavors: FlavorRegistry) -> Deployment:
    """The deployment with its orchestrator's ``parallel`` set for this run.

    ``parallel``: ``True`` (processes), ``False`` (off) or a mode's name. The
    deployment records it, so the run says how it ran. An orchestrator whose
    flavor has no ``parallel`` field refuses it in one line.
    """
    from zenml.orchestrators.config import parallel_mode

    try:
        mode = parallel_mode(parallel)
    except ValueError as error:
        raise PipelineConfigurationError(str(error)) from None
    components = []
    for component in deployment.stack.components:
        if component.type is StackComponentType.ORCHESTRATOR:
            config_class = flavors.get(component.type, component.flavor).config_class
            if "parallel" not in config_class.model_fields:
                raise PipelineConfigurationError(
                    f"Orchestrator '{component.name}' ({component.flavor}) has no parallel "
                    f"option; run without parallel=, or on a stack with the local "
                    f"orchestrator")
            component = component.model_copy(
                update={"config": {**component.config, "parallel": mode}})
        components.append(component)
    stack = deployment.stack.model_copy(update={"components": components})
    return deployment.model_copy(update={"stack": stack})


# -- the schedule ------------------------------------------------------------------------
def run_in_parallel(launcher: StepLauncher, mode: str, workers: int) -> None:
    """Run every step of the launcher's deployment, independent ones at the same time.

    ``mode``: ``processes`` or ``threads``. Raise the first step's failure
    (:class:`RunFailedError`) once the steps already running have ended.
    """
    pool: _Pool
    if mode == "threads":
        pool = _ThreadPool(launcher.launch, workers)
    elif fork_is_safe():
        _warm_up(launcher)
        pool = _ForkPool(launcher, workers)
    else:
        pool = _ThreadPool(_EntrypointStep(launcher), workers)
    with pool:
        _schedule(launcher, pool)


def _warm_up(launcher: StepLauncher) -> None:
    """Before forking: what every step's process would otherwise do again, done once.

    The stack's components are built and the artifact store's filesystem
    library imported here (an S3 store's s3fs takes about a second to import);
    the code every step runs through is imported too. A problem found here is
    left for the steps to meet, so it fails them as in a sequential run.
    """
    import zenml.artifacts.base_artifact
    import zenml.steps.context  # noqa: F401
    from zenml.execution.source import load_source

    with contextlib.suppress(Exception):
        for _ in launcher.runtime:  # builds each component
            pass
        _ = launcher.runtime.artifact_store.filesystem
    for spec in launcher.deployment.steps:
        for output in spec.outputs.values():
            if output.materializer:
                with contextlib.suppress(Exception):
                    load_source(output.materializer)


def _schedule(launcher: StepLauncher, pool: _Pool) -> None:
    specs = {spec.name: spec for spec in launcher.deployment.steps}
    done: set[str] = set()
    started: set[str] = set()
    failure: BaseException | None = None
    try:
        while True:
            if failure is None:
                ready = [name for name, spec in specs.items()
                         if name not in started and set(spec.upstream) <= done]
                for name in ready[:max(0, pool.workers - pool.running)]:
                    pool.start(name)
                    started.add(name)
            if not pool.running:
                break
            for name, error in pool.wait():
                if error is None:
                    done.add(name)
                elif failure is None:
                    failure = error
    except KeyboardInterrupt:
        pool.interrupt()
        raise
    if failure is not None:
        raise failure


class _Pool:
    """Runs steps by name, at most ``workers`` at once."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)

    @property
    def running(self) -> int:
        """How many steps are running."""
        raise NotImplementedError

    def start(self, name: str) -> None:
        """Start a step."""
        raise NotImplementedError

    def wait(self) -> list[tuple[str, BaseException | None]]:
        """Wait until a step ends; the steps that ended, each with its failure or None."""
        raise NotImplementedError

    def interrupt(self) -> None:
        """Ctrl-C: let the running steps end (they are told to), or kill them."""

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


# -- threads (and entrypoint processes started from threads) --------------------------------
class _ThreadPool(_Pool):
    """Each step in a thread; the running ones always finish (threads cannot be stopped)."""

    def __init__(self, launch: Callable[[str], object], workers: int) -> None:
        import concurrent.futures

        super().__init__(workers)
        self._launch = launch
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.workers, thread_name_prefix="zenml-step")
        self._futures: dict[concurrent.futures.Future[object], str] = {}

    @property
    def running(self) -> int:
        """How many steps are running."""
        return len(self._futures)

    def start(self, name: str) -> None:
        """Start a step in a thread."""
        self._futures[self._executor.submit(self._launch, name)] = name

    def wait(self) -> list[tuple[str, BaseException | None]]:
        """Wait for at least one step to end."""
        import concurrent.futures

        finished, _ = concurrent.futures.wait(
            self._futures, return_when=concurrent.futures.FIRST_COMPLETED)
        return [(self._futures.pop(future), future.exception()) for future in finished]

    def interrupt(self) -> None:
        """Wait for the running steps (threads cannot be interrupted)."""
        logger.warning("Interrupted: waiting for %d running step(s) to finish.", self.running)
        with contextlib.suppress(KeyboardInterrupt):
            while self._futures:
                self.wait()

    def __exit__(self, *exc: object) -> None:
        self._executor.shutdown(wait=True)


class _EntrypointStep:
    """Runs one step as ``python -m zenml.execution.entrypoint`` (no fork here)."""

    def __init__(self, launcher: StepLauncher) -> None:
        self._launcher = launcher
        self._deployment = launcher.deployment.to_json()

    def __call__(self, name: str) -> None:
        import subprocess

        command = [sys.executable, "-m", "zenml.execution.entrypoint", "--deployment", "-",
                   "--step", name]
        # the deployment holds the stack's secrets: on standard input, never argv
        done = subprocess.run(command, input=self._deployment, text=True, check=False)
        if done.returncode != 0:
            raise _step_failure(self._launcher, name, f"exit code {done.returncode}")


def _step_failure(launcher: StepLauncher, name: str, how: str) -> RunFailedError:
    """The failure of a step whose process ended badly: its recorded error if it has one
    (the step's process recorded it), else the step is marked failed here."""
    run_name = launcher.deployment.run_name
    store = launcher.metadata_store
    error: str | None = None
    try:
        for record in store.get_step_runs(launcher.deployment.run_id):
            if record.name != name:
                continue
            if record.status is ExecutionStatus.RUNNING:
                error = KILLED.format(how=how)
                store.fail_step_run(record.id, error)
            elif record.status is ExecutionStatus.FAILED:
                error = record.error
    except ZenMLError as store_error:
        logger.warning("Could not record step '%s' as failed: %s", name, store_error)
    message = error or f"its process ended ({how}) before recording the step"
    return RunFailedError(f"Step '{name}' of run '{run_name}' failed: {message}",
                          step_name=name, run_name=run_name)


# -- forked processes ---------------------------------------------------------------------
_PR_SET_PDEATHSIG = 1
_libc: Any = None


def _die_with_parent(parent: int) -> None:
    """In a child: be killed when the parent dies (Linux), or end now if it already has."""
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


class StepTraceback(Exception):
    """The traceback of a step that failed in another process (the cause of its error)."""

    def __str__(self) -> str:
        return f'\n"""\n{self.args[0]}"""' if self.args else ""


def _portable(error: BaseException) -> bytes:
    """``error`` and its traceback text, pickled for the parent (the error as a
    :class:`ZenMLError` of its first line when it cannot be pickled)."""
    import traceback

    trace = "".join(traceback.format_exception(error))
    try:
        data = pickle.dumps((error, trace))
        pickle.loads(data)
    except Exception:
        text = str(error).strip().splitlines()
        line = f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
        data = pickle.dumps((ZenMLError(line), trace))
    return data


def _child(launcher: StepLauncher, name: str, results: Connection, parent: int) -> None:
    """A forked child: run one step; send the parent nothing (it finished) or its failure."""
    outcome: bytes | None = None
    try:
        _die_with_parent(parent)
        # connections opened by the parent are its own: this process opens new ones
        launcher.metadata_store.engine.dispose(close=False)
        launcher.launch(name)
    except BaseException as error:  # everything reaches the parent, nothing prints here
        outcome = _portable(error)
    try:
        results.send_bytes(outcome or b"")
    finally:
        results.close()


class _ForkPool(_Pool):
    """Each step in a forked child process of its own."""

    def __init__(self, launcher: StepLauncher, workers: int) -> None:
        import multiprocessing

        global _libc
        super().__init__(workers)
        self._launcher = launcher
        self._context = multiprocessing.get_context("fork")
        # name -> (process, the end results arrive on, the result once read)
        self._children: dict[str, tuple[BaseProcess, Connection, list[bytes]]] = {}
        if _libc is None and sys.platform.startswith("linux"):
            import ctypes

            with contextlib.suppress(OSError):
                _libc = ctypes.CDLL(None, use_errno=True)

    @property
    def running(self) -> int:
        """How many step processes are running."""
        return len(self._children)

    def start(self, name: str) -> None:
        """Fork a child that runs the step."""
        # idle connections are not carried into the child: closed here, reopened on use
        self._launcher.metadata_store.engine.dispose()
        reader, writer = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_child, args=(self._launcher, name, writer, os.getpid()),
            name=f"zenml-step-{name}", daemon=False)  # a step may start processes itself
        # what exists now stays out of the child's garbage collections: a collection
        # would write to every object, copying nearly all the memory fork shares
        gc.freeze()
        try:
            process.start()
        finally:
            gc.unfreeze()
            writer.close()
        self._children[name] = (process, reader, [])

    def wait(self, timeout: float | None = None) -> list[tuple[str, BaseException | None]]:
        """Wait until a child has ended (reading results as they come)."""
        from multiprocessing.connection import wait

        while True:
            waitables: list[Any] = []
            owners: dict[int, str] = {}
            for name, (process, reader, result) in self._children.items():
                waitables.append(process.sentinel)
                owners[id(process.sentinel)] = name
                if not result and not reader.closed:
                    waitables.append(reader)
                    owners[id(reader)] = name
            ready = wait(waitables, timeout)
            if not ready:
                return []
            ended = []
            for item in ready:
                name = owners[id(item)]
                process, reader, result = self._children[name]
                if item is reader:
                    self._read(reader, result)
                else:
                    ended.append(name)
            if ended:
                return [(name, self._collect(name)) for name in ended]

    @staticmethod
    def _read(reader: Connection, result: list[bytes]) -> None:
        try:
            result.append(reader.recv_bytes())
        except (EOFError, OSError):
            reader.close()  # the child ended without a word: see its exit code

    def _collect(self, name: str) -> BaseException | None:
        process, reader, result = self._children.pop(name)
        process.join()
        if not result and not reader.closed and reader.poll():
            self._read(reader, result)
        reader.close()
        process.close()
        if result and not result[0]:
            return None
        if result:
            failure, trace = pickle.loads(result[0])  # our own child's bytes
            failure.__cause__ = StepTraceback(trace)  # shown under the error, as in one process
            return failure  # type: ignore[no-any-return]
        return _step_failure(self._launcher, name, _how(process))

    def interrupt(self) -> None:
        """Ctrl-C: children interrupted too record their steps failed; after a grace
        period the others are interrupted; a second Ctrl-C kills them."""
        if not self._children:
            return
        try:
            deadline = time.monotonic() + INTERRUPT_GRACE
            while self._children and time.monotonic() < deadline:
                self.wait(timeout=max(0.0, deadline - time.monotonic()))
            for process, _, _ in self._children.values():
                if process.pid is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(process.pid, signal.SIGINT)
            if self._children:
                logger.warning("Interrupted: waiting for %d running step(s) to record their "
                               "end (Ctrl-C again kills them).", len(self._children))
            while self._children:
                self.wait()
        except KeyboardInterrupt:
            self.kill()

    def kill(self) -> None:
        """SIGKILL every child still running; their steps are recorded failed."""
        for process, _, _ in self._children.values():
            process.kill()
        for name in list(self._children):
            self._collect(name)

    def __exit__(self, *exc: object) -> None:
        if self._children:  # an error in the scheduler itself: leave no child behind
            self.kill()


def _how(process: BaseProcess) -> str:
    """How a child ended: ``exit code N`` or ``SIGKILL``."""
    code = process.exitcode
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return signal.Signals(-code).name
    return f"exit code {code}"
