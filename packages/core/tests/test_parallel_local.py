"""The local orchestrator's ``parallel`` option: steps in processes (or threads) at once.

No timing here (bench/ measures the speed-up): concurrency is shown by two steps
that each wait for the other's marker file, which only finish side by side.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from zenml.errors import PipelineConfigurationError, RunFailedError
from zenml.execution import parallel as parallel_module
from zenml.metadata_stores.base import BaseMetadataStore
from zenml.metadata_stores.records import ExecutionStatus
from zenml.orchestrators.base import BaseOrchestrator
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import BaseStepConfig, step

from conftest import Zen, run_zenml

WAIT_LIMIT = 60.0  # seconds a step waits for its partner's marker before failing


class Value(BaseStepConfig):
    value: int = 1


class Meet(BaseStepConfig):
    folder: str = ""
    me: str = ""
    other: str = ""


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path.name} never appeared")
        time.sleep(0.01)


@step
def number(config: Value) -> int:
    return config.value


@step
def add(a: int, b: int) -> int:
    return a + b


@step
def square(x: int) -> int:
    return x * x


@step
def label(x: int) -> str:
    return f"x={x}"


@step
def pid() -> int:
    return os.getpid()


@step
def meet(config: Meet) -> int:
    """Write my marker, then wait for the other's: finishes only if both run at once."""
    folder = Path(config.folder)
    (folder / config.me).write_text(str(os.getpid()))
    _wait_for(folder / config.other)
    return os.getpid()


@step
def boom(config: Meet) -> int:
    (Path(config.folder) / config.me).write_text(str(os.getpid()))
    raise ValueError("no good\nsecond line")


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@step
def after_marker(config: Meet) -> int:
    """Finish only once the other step's process is gone (reaped: its failure is known)."""
    marker = Path(config.folder) / config.other
    _wait_for(marker)
    deadline = time.monotonic() + WAIT_LIMIT
    while not marker.read_text() or not _gone(int(marker.read_text())):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the process of {config.other} never ended")
        time.sleep(0.01)
    return 1


class PlainOrchestrator(BaseOrchestrator):
    """An orchestrator flavor without a ``parallel`` field."""


@pipeline
def diamond(left, right, total, squared, text, alone):
    both = total(left(), right())
    text(squared(both))
    alone()


@pipeline
def pair(first, second):
    first()
    second()


@pipeline
def failing(bad, slow, later):
    bad()
    later(slow())


def make_diamond() -> Any:
    return diamond(left=number(config=Value(value=2)), right=number(config=Value(value=3)),
                   total=add(), squared=square(), text=label(), alone=number())


def store() -> BaseMetadataStore:
    return Repository().active_stack.metadata_store


def snapshot(run_name: str) -> dict[str, Any]:
    """Everything recorded for a run but ids, times and paths: what must not depend on
    how the steps ran."""
    metadata = store()
    run = metadata.get_run(run_name)
    steps: dict[str, Any] = {}
    producers = {s.id: s.name for s in metadata.get_step_runs(run.id)}
    for record in metadata.get_step_runs(run.id):
        outputs = metadata.get_step_outputs(record.id)
        inputs = metadata.get_step_inputs(record.id)
        steps[record.name] = {
            "status": record.status, "is_cached": record.is_cached,
            "cache_key": record.cache_key, "parameters": record.parameters,
            "source": record.source, "entrypoint": record.entrypoint_name,
            "extra": record.extra, "error": record.error,
            "outputs": {name: (a.data_type, a.materializer, a.content_hash)
                        for name, a in outputs.items()},
            "inputs": {name: (producers.get(a.producer_step_run_id), a.name, a.content_hash)
                       for name, a in inputs.items()},
        }
    return {"status": run.status, "num_steps": run.num_steps, "error": run.error,
            "steps": steps}


@pytest.mark.parametrize("mode", ["processes", "threads"])
def test_a_parallel_run_records_what_a_sequential_run_records(mode: str) -> None:
    make_diamond().run(run_name="one-by-one", enable_cache=False)
    run = make_diamond().run(run_name="side-by-side", enable_cache=False, parallel=mode)
    assert run is not None and run.get_step("text").output.read() == "x=25"
    sequential, parallel = snapshot("one-by-one"), snapshot("side-by-side")
    assert sequential["status"] is ExecutionStatus.COMPLETED
    assert set(sequential["steps"]) == {"left", "right", "total", "squared", "text", "alone"}
    assert all(s["outputs"] and all(o[2] for o in s["outputs"].values())
               for s in sequential["steps"].values())  # every output hashed
    assert parallel == sequential


def test_steps_run_at_the_same_time_in_processes_of_their_own(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    run = pair(first=meet(config=Meet(folder=str(markers), me="a", other="b")),
               second=meet(config=Meet(folder=str(markers), me="b", other="a"))
               ).run(enable_cache=False, parallel=True)
    assert run is not None and run.status is ExecutionStatus.COMPLETED
    pids = {run.get_step(name).output.read() for name in ("first", "second")}
    assert len(pids) == 2 and os.getpid() not in pids


def test_threads_run_steps_at_the_same_time_in_this_process(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    run = pair(first=meet(config=Meet(folder=str(markers), me="a", other="b")),
               second=meet(config=Meet(folder=str(markers), me="b", other="a"))
               ).run(enable_cache=False, parallel="threads")
    assert run is not None
    assert {run.get_step(n).output.read() for n in ("first", "second")} == {os.getpid()}


def test_a_failing_branch_fails_the_run_lets_running_steps_finish_and_starts_no_more(
        tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    # 'slow' is running when 'bad' fails, and finishes only once the run knows it
    instance = failing(bad=boom(config=Meet(folder=str(markers), me="bad")),
                       slow=after_marker(config=Meet(folder=str(markers), other="bad")),
                       later=square())
    with pytest.raises(RunFailedError) as raised:
        instance.run(run_name="broken", enable_cache=False, parallel="processes")
    assert str(raised.value) == "Step 'bad' of run 'broken' failed: ValueError: no good"
    assert raised.value.step_name == "bad" and raised.value.run_name == "broken"
    recorded = snapshot("broken")
    assert recorded["status"] is ExecutionStatus.FAILED
    assert recorded["error"] == str(raised.value)
    assert recorded["steps"]["bad"]["status"] is ExecutionStatus.FAILED
    assert recorded["steps"]["bad"]["error"] == "ValueError: no good"
    assert recorded["steps"]["slow"]["status"] is ExecutionStatus.COMPLETED
    assert "later" not in recorded["steps"]


def test_the_second_parallel_run_comes_from_the_cache() -> None:
    first = make_diamond().run(run_name="first", parallel="processes")
    second = make_diamond().run(run_name="second", parallel="processes")
    assert first is not None and second is not None
    assert not any(s.is_cached for s in first.steps)
    assert all(s.is_cached for s in second.steps) and len(second.steps) == 6
    assert second.get_step("text").output.read() == "x=25"
    again = snapshot("second")["steps"]
    before = snapshot("first")["steps"]
    assert {n: s["cache_key"] for n, s in again.items()} == {
        n: s["cache_key"] for n, s in before.items()}


def test_parallel_run_argument_is_checked_in_one_line() -> None:
    with pytest.raises(PipelineConfigurationError, match="parallel must be one of 'off', "
                                                         "'processes', 'threads'"):
        make_diamond().run(parallel="fast")


def test_an_orchestrator_without_the_option_refuses_parallel(zen: Zen) -> None:
    from zenml.orchestrators.config import BaseOrchestratorConfig
    from zenml.plugins import hookimpl
    from zenml.stack.component_type import StackComponentType as T
    from zenml.stack.flavor import Flavor
    from zenml.testing import plugin_registered

    class Plugin:
        @hookimpl
        def zenml_flavors(self) -> list[Flavor]:
            return [Flavor(name="plain", type=T.ORCHESTRATOR,
                           config_class=BaseOrchestratorConfig,
                           implementation=f"{__name__}:PlainOrchestrator")]

    with plugin_registered(Plugin(), "plain-orchestrator"):
        zen("orchestrator", "register", "plain", "--flavor=plain")
        zen("stack", "update", "default", "-o", "plain")
        with pytest.raises(PipelineConfigurationError,
                           match="Orchestrator 'plain' \\(plain\\) has no parallel option"):
            make_diamond().run(parallel=True)


def test_registered_parallel_orchestrator_runs_steps_in_processes(zen: Zen) -> None:
    zen("orchestrator", "register", "par", "--flavor=local", "--parallel", "processes",
        "--max-workers=2")
    zen("stack", "update", "default", "-o", "par")
    described = zen("orchestrator", "describe", "par").output
    assert "processes" in described
    run = pair(first=pid(), second=pid()).run(enable_cache=False)
    assert run is not None
    pids = {run.get_step(n).output.read() for n in ("first", "second")}
    assert len(pids) == 2 and os.getpid() not in pids
    # this run alone, one after another
    run = pair(first=pid(), second=pid()).run(enable_cache=False, parallel=False)
    assert run is not None
    assert {run.get_step(n).output.read() for n in ("first", "second")} == {os.getpid()}


def test_registration_takes_the_old_true_and_refuses_unknown_modes(zen: Zen) -> None:
    # `parallel: true` meant threads before the modes: a registered orchestrator keeps them
    zen("orchestrator", "register", "old", "--flavor=local", "--parallel=true")
    assert "parallel=threads" in zen("orchestrator", "list").output.replace(" ", "")
    line = zen.error("orchestrator", "register", "bad", "--flavor=local", "--parallel=fast")
    assert "parallel must be one of 'off', 'processes', 'threads'" in line


PIPELINE_FILE = """
    import os
    from zenml.pipelines import pipeline
    from zenml.steps import step

    @step
    def where() -> int:
        return os.getpid()

    @step
    def both(a: int, b: int) -> str:
        return f"{a != b} {os.getpid() not in (a, b)}"

    @pipeline
    def spread(one, two, join):
        join(one(), two())
"""

CONFIG_FILE = """
    name: spread
    enable_cache: false
    steps:
      one: {source: {name: where}}
      two: {source: {name: where}}
      join: {source: {name: both}}
"""


@pytest.mark.parametrize(("flag", "expected"), [
    (("--parallel",), "processes"), (("--parallel", "threads"), "threads"),
    (("--parallel=processes",), "processes"), ((), None)])
def test_pipeline_run_command_takes_parallel(tmp_path: Path, flag: tuple[str, ...],
                                             expected: str | None) -> None:
    (tmp_path / "spread.py").write_text(textwrap.dedent(PIPELINE_FILE))
    (tmp_path / "run.yaml").write_text(textwrap.dedent(CONFIG_FILE))
    done = run_zenml(["pipeline", "run", "spread.py", "-c", "run.yaml", *flag], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    if expected is None:
        assert "independent steps at a time" not in done.stderr
    else:
        assert f"independent steps at a time in {expected}." in done.stderr
    run = Repository().get_pipeline("spread").runs[-1]
    # processes: each step its own process; threads or one by one: all in the CLI's
    assert run.get_step("join").output.read() == (
        "True True" if expected == "processes" else "False False")


def test_pipeline_run_command_refuses_an_unknown_mode(tmp_path: Path) -> None:
    (tmp_path / "spread.py").write_text(textwrap.dedent(PIPELINE_FILE))
    (tmp_path / "run.yaml").write_text(textwrap.dedent(CONFIG_FILE))
    done = run_zenml(["pipeline", "run", "spread.py", "-c", "run.yaml", "--parallel=fast"],
                     cwd=tmp_path)
    assert done.returncode != 0
    assert "'fast' is not one of 'off', 'processes', 'threads'" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_fork_each_step_runs_through_the_entrypoint(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Where forking is not safe (macOS, Windows): ``python -m zenml.execution.entrypoint``."""
    monkeypatch.setattr(parallel_module, "fork_is_safe", lambda: False)
    run = pair(first=pid(), second=pid()).run(run_name="spawned", enable_cache=False,
                                              parallel="processes")
    assert run is not None and run.status is ExecutionStatus.COMPLETED
    pids = {run.get_step(n).output.read() for n in ("first", "second")}
    assert len(pids) == 2 and os.getpid() not in pids
    with pytest.raises(RunFailedError, match=r"^Step 'bad' of run 'spawned-broken' failed: "
                                             r"ValueError: no good$"):
        failing(bad=boom(config=Meet(folder=str(tmp_path), me="bad")),
                slow=after_marker(config=Meet(folder=str(tmp_path), other="bad")),
                later=square()).run(run_name="spawned-broken", enable_cache=False,
                                    parallel="processes")


KILL_SCRIPT = """
    import os, sys, time
    from pathlib import Path
    from zenml.pipelines import pipeline
    from zenml.steps import step

    FOLDER = Path(sys.argv[1])

    @step
    def quick() -> int:
        return 1

    @step
    def hang() -> int:
        (FOLDER / "hang.pid").write_text(str(os.getpid()))
        if (FOLDER / "hang-forever").exists():
            while True:
                time.sleep(0.05)
        return 2

    @step
    def total(a: int, b: int) -> int:
        return a + b

    @pipeline
    def killed(quick, hang, total):
        total(quick(), hang())

    if __name__ == "__main__":
        run = killed(quick=quick(), hang=hang(), total=total()).run(parallel=True)
        print(sorted((s.name, s.is_cached) for s in run.steps))
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead too (reaped by init once its parent is gone)
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_sigkill_of_the_run_kills_its_step_processes_and_the_next_run_resumes(
        tmp_path: Path) -> None:
    script = tmp_path / "killed.py"
    script.write_text(textwrap.dedent(KILL_SCRIPT))
    (tmp_path / "hang-forever").touch()
    parent = subprocess.Popen([sys.executable, str(script), str(tmp_path)], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(tmp_path / "hang.pid")
        child = int((tmp_path / "hang.pid").read_text())
        assert child != parent.pid
        deadline = time.monotonic() + WAIT_LIMIT  # 'quick' finishes while 'hang' hangs
        while not any(s.name == "quick" and s.status.is_finished for s in
                      store().get_step_runs(store().get_runs("killed")[-1].id)):
            assert time.monotonic() < deadline, "step 'quick' never finished"
            time.sleep(0.05)
        parent.send_signal(signal.SIGKILL)
        parent.communicate(timeout=WAIT_LIMIT)
        deadline = time.monotonic() + WAIT_LIMIT
        while _alive(child):
            assert time.monotonic() < deadline, "the step's process outlived its run"
            time.sleep(0.05)
    finally:
        if parent.poll() is None:
            parent.kill()
    killed_run = Repository().get_pipeline("killed").runs[-1]
    assert killed_run.status is ExecutionStatus.FAILED
    assert killed_run.get_step("hang").status is ExecutionStatus.FAILED
    assert killed_run.get_step("quick").status is ExecutionStatus.COMPLETED
    (tmp_path / "hang-forever").unlink()
    again = subprocess.run([sys.executable, str(script), str(tmp_path)], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == str([("hang", False), ("quick", True), ("total", False)])


class Behaviour(BaseStepConfig):
    exit_code: int | None = None
    interrupt: bool = False


@step
def misbehave(config: Behaviour) -> int:
    if config.interrupt:
        raise KeyboardInterrupt
    sys.exit(config.exit_code)


def test_sys_exit_in_a_step_process_fails_the_run_like_a_raise() -> None:
    with pytest.raises(RunFailedError, match=r"^Step 'second' of run 'exits' failed: "
                                             r"SystemExit\(0\)"):
        pair(first=number(), second=misbehave(config=Behaviour(exit_code=0))).run(
            run_name="exits", enable_cache=False, parallel=True)
    recorded = snapshot("exits")
    assert recorded["status"] is ExecutionStatus.FAILED
    assert recorded["steps"]["second"]["status"] is ExecutionStatus.FAILED
    assert recorded["steps"]["first"]["status"] is ExecutionStatus.COMPLETED


def test_keyboard_interrupt_in_a_step_process_reaches_the_caller_after_the_records() -> None:
    with pytest.raises(KeyboardInterrupt):
        pair(first=number(), second=misbehave(config=Behaviour(interrupt=True))).run(
            run_name="interrupted", enable_cache=False, parallel=True)
    recorded = snapshot("interrupted")
    assert recorded["status"] is ExecutionStatus.FAILED
    assert recorded["steps"]["second"]["status"] is ExecutionStatus.FAILED


CTRL_C_SCRIPT = """
    import os, sys, time
    from pathlib import Path
    from zenml.pipelines import pipeline
    from zenml.steps import step

    FOLDER = Path(sys.argv[1])

    @step
    def hang() -> int:
        (FOLDER / f"{os.getpid()}.pid").write_text("")
        while True:
            time.sleep(0.05)

    @pipeline
    def stuck(one, two):
        one()
        two()

    if __name__ == "__main__":
        stuck(one=hang(), two=hang()).run(parallel=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_records_every_running_step_failed_and_leaves_no_step_process(
        tmp_path: Path) -> None:
    script = tmp_path / "stuck.py"
    script.write_text(textwrap.dedent(CTRL_C_SCRIPT))
    parent = subprocess.Popen([sys.executable, str(script), str(tmp_path)], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)  # its own group, as a terminal's job
    try:
        deadline = time.monotonic() + WAIT_LIMIT
        while len(list(tmp_path.glob("*.pid"))) < 2:
            assert time.monotonic() < deadline, "the steps never started"
            time.sleep(0.05)
        children = [int(p.stem) for p in tmp_path.glob("*.pid")]
        os.killpg(parent.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        _, stderr = parent.communicate(timeout=WAIT_LIMIT)
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)
    assert parent.returncode != 0
    assert "KeyboardInterrupt" in stderr
    assert not any(_alive(pid) for pid in children)
    run = Repository().get_pipeline("stuck").runs[-1]
    assert run.status is ExecutionStatus.FAILED
    steps = snapshot(run.name)["steps"]
    assert {n: s["status"] for n, s in steps.items()} == {
        "one": ExecutionStatus.FAILED, "two": ExecutionStatus.FAILED}
    assert all("KeyboardInterrupt" in (s["error"] or "") for s in steps.values())
