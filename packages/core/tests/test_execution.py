"""The execution model: deployment, step entrypoint in other processes, parallel
runs, SIGKILL resume, cache keys over helper code, component hooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from zenml.errors import RunFailedError
from zenml.execution.deployment import Deployment
from zenml.experiment_trackers.config import BaseExperimentTrackerConfig
from zenml.metadata_stores.records import ExecutionStatus
from zenml.pipelines import pipeline
from zenml.plugins import hookimpl
from zenml.repository import Repository
from zenml.stack.component_type import StackComponentType as T
from zenml.stack.flavor import Flavor
from zenml.steps import BaseStepConfig, step
from zenml.testing import plugin_registered


class Wait(BaseStepConfig):
    seconds: float = 0.0
    value: int = 1


@step
def source_value(config: Wait) -> int:
    time.sleep(config.seconds)
    return config.value


@step
def combine(a: int, b: int) -> int:
    return a + b


@pipeline
def fan_in(left, right, total):
    total(left(), right())


def make(seconds: float = 0.0) -> Any:
    return fan_in(left=source_value(config=Wait(seconds=seconds, value=1)),
                  right=source_value(config=Wait(seconds=seconds, value=2)), total=combine())


def run_script(tmp_path: Path, code: str, name: str = "script.py",
               args: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(code))
    return subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)


def test_deployment_round_trips_as_json() -> None:
    stack = Repository().active_stack
    deployment = make().deployment(stack)
    again = Deployment.from_json(deployment.to_json())
    assert again == deployment
    assert [s.name for s in again.steps] == ["left", "right", "total"]
    assert again.step("total").upstream == ["left", "right"]
    assert again.step("left").parameters == {"seconds": 0.0, "value": 1}
    assert {c.type for c in again.stack.components} >= {T.ORCHESTRATOR, T.ARTIFACT_STORE,
                                                       T.METADATA_STORE}


def test_every_step_runs_through_the_entrypoint_in_its_own_process(tmp_path: Path) -> None:
    deployment = make().deployment(Repository().active_stack)
    file = tmp_path / "deployment.json"
    file.write_text(deployment.to_json())
    for spec in deployment.steps:
        done = subprocess.run(
            [sys.executable, "-m", "zenml.execution.entrypoint", "--deployment", str(file),
             "--step", spec.name], capture_output=True, text=True, timeout=120, cwd="/")
        assert done.returncode == 0, done.stderr
    run = Repository().get_pipeline("fan_in").get_run(deployment.run_name)
    assert run.status is ExecutionStatus.COMPLETED
    assert run.get_step("total").output.read() == 3


def test_entrypoint_reports_a_failing_step_in_one_line(tmp_path: Path) -> None:
    deployment = make().deployment(Repository().active_stack)
    done = subprocess.run(
        [sys.executable, "-m", "zenml.execution.entrypoint", "--deployment-json",
         deployment.to_json(), "--step", "total", "--run-name", "other-name"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: Step 'total' needs output 'output' of step 'left', which has not finished "
        "in run 'other-name'")


def test_parallel_local_orchestrator_overlaps_independent_steps(zen: Any) -> None:
    zen("orchestrator", "register", "threads", "--flavor=local", "--parallel=threads")
    zen("stack", "register", "par", "-o", "threads", "-a", "default", "-m", "default", "--set")
    started = time.perf_counter()
    run = make(seconds=0.6).run(enable_cache=False)
    elapsed = time.perf_counter() - started
    assert run is not None and run.get_step("total").output.read() == 3
    assert elapsed < 1.1, elapsed  # sequential would take 1.2 s or more


def test_concurrent_runs_from_many_processes_all_land(tmp_path: Path) -> None:
    script = tmp_path / "one_run.py"
    script.write_text(textwrap.dedent("""
        import sys
        from zenml.pipelines import pipeline
        from zenml.steps import step

        @step
        def produce() -> int:
            return int(sys.argv[1])

        @step
        def square(x: int) -> int:
            return x * x

        @pipeline
        def concurrent(produce, square):
            square(produce())

        if __name__ == "__main__":
            run = concurrent(produce=produce(), square=square()).run(enable_cache=False)
            print(run.get_step("square").output.read())
    """))
    processes = [subprocess.Popen([sys.executable, str(script), str(i)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for i in range(6)]
    outputs = [p.communicate(timeout=120) for p in processes]
    failures = [o[1].strip().splitlines()[-8:] for p, o in zip(processes, outputs, strict=True)
                if p.returncode != 0]
    assert failures == []
    assert sorted(int(o[0].strip()) for o in outputs) == sorted(i * i for i in range(6))
    runs = Repository().get_pipeline("concurrent").runs
    assert len(runs) == 6 and all(r.status is ExecutionStatus.COMPLETED for r in runs)


KILL_SCRIPT = """
    import os, signal, sys
    from pathlib import Path
    from zenml.pipelines import pipeline
    from zenml.steps import step

    MARKER = Path(sys.argv[1])
    LOG = Path(sys.argv[2])

    @step
    def first() -> int:
        LOG.open("a").write("first\\n")
        return 1

    @step
    def second(x: int) -> int:
        LOG.open("a").write("second\\n")
        if MARKER.exists():
            os.kill(os.getpid(), signal.SIGKILL)
        return x + 1

    @step
    def third(x: int) -> int:
        LOG.open("a").write("third\\n")
        return x + 1

    @pipeline
    def resumable(first, second, third):
        third(second(first()))

    if __name__ == "__main__":
        run = resumable(first=first(), second=second(), third=third()).run()
        print([(s.name, s.is_cached) for s in run.steps])
"""


def test_a_run_killed_with_sigkill_resumes_from_the_first_unfinished_step(
        tmp_path: Path) -> None:
    marker, log = tmp_path / "kill", tmp_path / "log"
    marker.touch()
    killed = run_script(tmp_path, KILL_SCRIPT, name="resumable.py",
                        args=(str(marker), str(log)))
    assert killed.returncode == -9
    assert log.read_text().split() == ["first", "second"]
    killed_run = Repository().get_pipeline("resumable").runs[-1]
    assert killed_run.status is ExecutionStatus.FAILED  # its process is gone
    assert killed_run.get_step("second").status is ExecutionStatus.FAILED  # with its run
    marker.unlink()
    path = tmp_path / "resumable.py"
    resumed = subprocess.run([sys.executable, str(path), str(marker), str(log)],
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert log.read_text().split() == ["first", "second", "second", "third"]
    run = Repository().get_pipeline("resumable").runs[-1]
    assert [(s.name, s.is_cached) for s in run.steps] == [
        ("first", True), ("second", False), ("third", False)]
    assert run.get_step("third").output.read() == 3


def test_editing_a_helper_or_constant_the_step_uses_invalidates_the_cache(tmp_path: Path) -> None:
    code = """
        from zenml.pipelines import pipeline
        from zenml.steps import step

        SCALE = {scale}

        def helper(x):
            return x + {delta}

        def unrelated():
            return {other}

        @step
        def compute() -> int:
            return helper(1) * SCALE

        @pipeline
        def helpers(compute):
            compute()

        if __name__ == "__main__":
            run = helpers(compute=compute()).run()
            step_view = run.get_step("compute")
            print(step_view.is_cached, step_view.output.read())
    """
    def run(delta: int, other: int, scale: int = 1) -> str:
        done = run_script(tmp_path, code.format(delta=delta, other=other, scale=scale),
                          name="helpers.py")
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run(1, 0) == "False 2"
    assert run(1, 0) == "True 2"
    assert run(1, 5) == "True 2"  # code the step does not call is not part of the key
    assert run(2, 5) == "False 3"
    assert run(2, 5, scale=10) == "False 30"  # nor does a module constant it reads


CALLS: list[tuple[str, str, bool | None]] = []


class RecordingTracker:
    """An experiment tracker implementation that records the step hooks."""

    def __init__(self, **kwargs: Any) -> None:
        from zenml.experiment_trackers.base import BaseExperimentTracker

        self.impl = BaseExperimentTracker(**kwargs)


class HookConfig(BaseExperimentTrackerConfig):
    fail_prepare: bool = False


def _flavor() -> Flavor:
    return Flavor(name="recording", type=T.EXPERIMENT_TRACKER, config_class=HookConfig,
                  implementation=f"{__name__}:Recorder")


class _Plugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [_flavor()]


def _recorder_class() -> Any:
    from zenml.experiment_trackers.base import BaseExperimentTracker

    class Recorder(BaseExperimentTracker):
        config: HookConfig

        def prepare_step_run(self, info: Any) -> None:
            if self.config.fail_prepare:
                raise RuntimeError("tracker is not logged in")
            info.record("tracker_run", f"{info.run_name}_{info.step_name}")
            CALLS.append(("prepare", info.step_name, None))

        def cleanup_step_run(self, info: Any, failed: bool) -> None:
            CALLS.append(("cleanup", info.step_name, failed))

    return Recorder


Recorder = _recorder_class()


@step
def maybe_fail(config: Wait) -> int:
    from zenml.execution import current_step_run

    info = current_step_run()
    assert info is not None and info.step_name == "only"
    if config.value < 0:
        raise RuntimeError("negative")
    return config.value


@pipeline
def tracked(only):
    only()


def test_every_component_gets_prepare_and_cleanup_around_each_step(zen: Any) -> None:
    CALLS.clear()
    with plugin_registered(_Plugin(), "recording-plugin"):
        zen("experiment-tracker", "register", "rec", "--flavor=recording")
        zen("stack", "update", "default", "-e", "rec")
        run = tracked(only=maybe_fail(config=Wait(value=2))).run()
        assert run is not None
        assert CALLS == [("prepare", "only", None), ("cleanup", "only", False)]
        assert run.get_step("only").extra == {"tracker_run": f"{run.name}_only"}
        CALLS.clear()
        cached = tracked(only=maybe_fail(config=Wait(value=2))).run()
        assert cached is not None and cached.get_step("only").is_cached
        assert CALLS == []  # a cached step is not prepared: nothing runs
        # ... but it keeps what the original run recorded
        assert cached.get_step("only").extra == {"tracker_run": f"{run.name}_only"}
        with pytest.raises(RunFailedError, match="negative"):
            tracked(only=maybe_fail(config=Wait(value=-1))).run()
        assert CALLS == [("prepare", "only", None), ("cleanup", "only", True)]
        CALLS.clear()
        zen("experiment-tracker", "update", "rec", "--fail_prepare=true")
        with pytest.raises(RunFailedError, match="tracker is not logged in"):
            tracked(only=maybe_fail(config=Wait(value=3))).run()
        assert CALLS == []
        describe = zen("pipeline", "runs", "describe", run.name)
        assert f"only tracker_run: {run.name}_only" in describe.output


def test_deployment_has_no_need_for_the_stack_store(tmp_path: Path) -> None:
    deployment = make().deployment(Repository().active_stack)
    file = tmp_path / "d.json"
    file.write_text(deployment.to_json())
    # a different config dir: no stack store, no default stack, yet the step runs
    env = {"ZENML_CONFIG_PATH": str(tmp_path / "elsewhere")}
    done = subprocess.run(
        [sys.executable, "-m", "zenml.execution.entrypoint", "--deployment", str(file),
         "--step", "left"], capture_output=True, text=True, timeout=120,
        env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "elsewhere").exists()
    data = json.loads(file.read_text())
    assert data["stack"]["name"] == "default"


def test_a_run_driven_step_by_step_from_other_processes_stays_running(tmp_path: Path) -> None:
    deployment = make().deployment(Repository().active_stack)
    file = tmp_path / "deployment.json"
    file.write_text(deployment.to_json())
    done = subprocess.run(
        [sys.executable, "-m", "zenml.execution.entrypoint", "--deployment", str(file),
         "--step", "left"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # the process that recorded the run has exited, but it never owned the whole run
    run = Repository().get_pipeline("fan_in").get_run(deployment.run_name)
    assert run.status is ExecutionStatus.RUNNING


def test_one_run_id_cannot_name_two_runs() -> None:
    from zenml.errors import EntityExistsError

    store = Repository().active_stack.metadata_store
    store.create_run(run_id="r-1", run_name="first", pipeline_name="p", stack_name="s",
                     enable_cache=True, num_steps=1)
    again = store.create_run(run_id="r-1", run_name="first", pipeline_name="p",
                             stack_name="s", enable_cache=True, num_steps=1)
    assert again.name == "first"  # idempotent for the same run
    with pytest.raises(EntityExistsError, match="already recorded as run 'first'"):
        store.create_run(run_id="r-1", run_name="second", pipeline_name="p", stack_name="s",
                         enable_cache=True, num_steps=1)
    with pytest.raises(EntityExistsError, match="already exists"):
        store.create_run(run_id="r-2", run_name="first", pipeline_name="p", stack_name="s",
                         enable_cache=True, num_steps=1)
