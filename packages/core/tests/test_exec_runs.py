"""Safe execution (issue 13): names never leave the artifact store (defect 1), step code
cannot end the caller's process (4), failed writes leave nothing (5), the cache checks
its artifacts (9), killed runs have no running steps (10), and the deployment travels
off the command line (11)."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zenml.errors import ArtifactStoreError, RunFailedError, ZenMLError
from zenml.execution.runtime import StackRuntime
from zenml.metadata_stores.records import ExecutionStatus
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import BaseStepConfig, step

CALLS: list[str] = []


class Behaviour(BaseStepConfig):
    exit_code: int | None = None
    interrupt: bool = False


@step
def produce() -> int:
    CALLS.append("produce")
    return 7


@step
def consume(x: int) -> int:
    CALLS.append("consume")
    return x + 1


@step
def misbehave(config: Behaviour) -> int:
    if config.interrupt:
        raise KeyboardInterrupt
    if config.exit_code is not None:
        sys.exit(config.exit_code)
    raise SystemExit  # a bare SystemExit, as exit() raises it


@step
def env_probe() -> bool:
    return "ZENML_DEPLOYMENT" in os.environ


@pipeline
def traversal(only):
    only()


@pipeline
def chain(first, second):
    second(first())


@pipeline
def pair(first, second):
    first()
    second()


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def run_script(tmp_path: Path, code: str, *args: str,
               name: str = "script.py") -> subprocess.CompletedProcess[str]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(code))
    return subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)


# -- defect 1: names from an old deployment (or a bypassed check) --------------------------
def _outside(root: str, *parts: str) -> Path:
    return Path(os.path.normpath(os.path.join(root, *parts)))


@pytest.mark.parametrize("field", ["run_name", "pipeline_name", "step", "output"])
def test_names_from_an_old_deployment_cannot_leave_the_artifact_store(
        field: str, tmp_path: Path) -> None:
    stack = Repository().active_stack
    root = stack.artifact_store.path
    deployment = traversal(only=produce()).deployment(stack)
    dots = "../../../../victim"
    if field == "step":
        spec = deployment.steps[0].model_copy(update={"name": dots})
        deployment = deployment.model_copy(update={"steps": [spec]})
    elif field == "output":
        spec = deployment.steps[0]
        spec = spec.model_copy(update={"outputs": {dots: spec.outputs["output"]}})
        deployment = deployment.model_copy(update={"steps": [spec]})
    else:
        deployment = deployment.model_copy(update={field: dots})
    # where the old layout <root>/<pipeline>/<run>/<step>/<output> led
    parts = {"run_name": (deployment.pipeline_name, dots, "only", "output"),
             "pipeline_name": (dots, deployment.run_name, "only", "output"),
             "step": (deployment.pipeline_name, deployment.run_name, dots, "output"),
             "output": (deployment.pipeline_name, deployment.run_name, "only", dots)}[field]
    target = _outside(root, *parts)
    assert not str(target).startswith(root + os.sep)
    target.mkdir(parents=True)
    (target / "keep.txt").write_text("precious")
    before = files_under(tmp_path) - files_under(Path(root))
    try:
        runtime = StackRuntime.from_deployment(deployment)
        runtime.orchestrator.run(deployment, runtime)
    except RunFailedError:  # a renamed output does not match the step: only the files matter
        assert field == "output"
    assert (target / "keep.txt").read_text() == "precious"
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    after = files_under(tmp_path) - files_under(Path(root))
    assert {p for p in after - before if "metadata" not in p.name} == set()


NAMES = st.text(min_size=0, max_size=30) | st.sampled_from(
    ["..", ".", "../victim", "../../../../victim", "../../../../../../victim", "a/../../b",
     "/tmp/victim", "~", "~2F", "\0", "x" * 300])


@pytest.fixture
def deep_store(zen: Any, tmp_path: Path) -> Path:
    """An artifact store 7 folders below tmp_path: escapes by '..' land where we look."""
    root = tmp_path / "a" / "b" / "c" / "d" / "e" / "f" / "store"
    zen("artifact-store", "register", "deep", "--flavor=local", f"--path={root}")
    zen("metadata-store", "register", "deep_md", "--flavor=sqlite",
        f"--uri={tmp_path}/metadata.db")
    zen("stack", "register", "deep", "-o", "default", "-a", "deep", "-m", "deep_md", "--set")
    root.mkdir(parents=True)
    return root


def paths_outside(folder: Path, root: Path) -> dict[Path, int]:
    """Every file and folder under ``folder`` but outside ``root``, with its mtime."""
    return {p: p.lstat().st_mtime_ns for p in folder.rglob("*")
            if p != root and root not in p.parents and "metadata" not in p.name}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pipeline_name=NAMES, run_name=NAMES, step_name=NAMES,
       output=NAMES | st.just("output"))
def test_whatever_the_names_nothing_outside_the_store_changes(
        tmp_path: Path, deep_store: Path, pipeline_name: str, run_name: str, step_name: str,
        output: str) -> None:
    stack = Repository().active_stack
    root = deep_store
    victim = tmp_path / "victim"
    (victim / "only" / "output").mkdir(parents=True, exist_ok=True)
    (victim / "only" / "output" / "keep.txt").write_text("precious")
    deployment = traversal(only=produce()).deployment(stack)
    spec = deployment.steps[0]
    spec = spec.model_copy(update={"name": step_name or "only",
                                   "outputs": {output: spec.outputs["output"]}})
    deployment = deployment.model_copy(update={
        "pipeline_name": pipeline_name, "run_name": f"{run_name}{uuid.uuid4()}",
        "steps": [spec]})
    outside = paths_outside(tmp_path, root)
    # a name the step does not know fails the step: only the files matter here
    with contextlib.suppress(ZenMLError):
        runtime = StackRuntime.from_deployment(deployment)
        runtime.orchestrator.run(deployment, runtime)
    assert paths_outside(tmp_path, root) == outside


def test_a_run_name_given_to_the_entrypoint_stays_inside_the_store(tmp_path: Path) -> None:
    stack = Repository().active_stack
    root = stack.artifact_store.path
    deployment = traversal(only=produce()).deployment(stack)
    target = _outside(root, deployment.pipeline_name, "../../../../victim", "only", "output")
    target.mkdir(parents=True)
    (target / "keep.txt").write_text("precious")
    file = tmp_path / "deployment.json"
    file.write_text(deployment.to_json())
    done = subprocess.run(
        [sys.executable, "-m", "zenml.execution.entrypoint", "--deployment", str(file),
         "--step", "only", "--run-name", "../../../../victim", "--run-id", "../../../x"],
        capture_output=True, text=True, timeout=120)
    assert (target / "keep.txt").read_text() == "precious"
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    if done.returncode == 0:
        uri = Repository().get_pipeline("traversal").runs[-1].get_step("only").output.uri
        assert uri.startswith(root + "/")


def test_artifacts_are_stored_by_pipeline_run_step_and_attempt() -> None:
    run = traversal(only=produce()).run()
    assert run is not None
    store = Repository().active_stack.artifact_store
    step_view = run.get_step("only")
    assert step_view.output.uri == (
        f"{store.path}/traversal/{run.name}/only/{step_view.id[:8]}/output")
    assert Path(step_view.output.uri, "data.json").read_text() == "7"


# -- defect 4: SystemExit and friends ------------------------------------------------------
@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("exit_code", [0, None, 3])
def test_sys_exit_in_a_step_fails_the_run_instead_of_ending_the_process(
        zen: Any, parallel: bool, exit_code: int | None) -> None:
    if parallel:
        zen("orchestrator", "register", "threads", "--flavor=local", "--parallel=threads")
        zen("stack", "update", "default", "-o", "threads")
    with pytest.raises(RunFailedError, match=r"Step 'second' .*SystemExit"):
        pair(first=produce(), second=misbehave(config=Behaviour(exit_code=exit_code))).run(
            enable_cache=False)
    run = Repository().get_pipeline("pair").runs[-1]
    assert run.status is ExecutionStatus.FAILED
    assert run.get_step("second").status is ExecutionStatus.FAILED
    assert "SystemExit" in (run.get_step("second").error or "")


def test_keyboard_interrupt_propagates_after_the_run_is_recorded_failed() -> None:
    with pytest.raises(KeyboardInterrupt):
        traversal(only=misbehave(config=Behaviour(interrupt=True))).run()
    run = Repository().get_pipeline("traversal").runs[-1]
    assert run.status is ExecutionStatus.FAILED
    assert run.get_step("only").status is ExecutionStatus.FAILED


def test_a_script_whose_step_calls_sys_exit_0_exits_non_zero(tmp_path: Path) -> None:
    done = run_script(tmp_path, """
        import sys
        from zenml.pipelines import pipeline
        from zenml.steps import step

        @step
        def quits() -> int:
            sys.exit(0)

        @pipeline
        def quitting(only):
            only()

        if __name__ == "__main__":
            quitting(only=quits()).run()
            print("after the run")
    """)
    assert done.returncode == 1, done.stderr
    assert "after the run" not in done.stdout
    assert "RunFailedError: Step 'only'" in done.stderr
    run = Repository().get_pipeline("quitting").runs[-1]
    assert run.status is ExecutionStatus.FAILED


def test_the_entrypoint_exits_1_when_its_step_calls_sys_exit_0(tmp_path: Path) -> None:
    deployment = traversal(only=misbehave(config=Behaviour(exit_code=0))).deployment(
        Repository().active_stack)
    file = tmp_path / "d.json"
    file.write_text(deployment.to_json())
    done = subprocess.run(
        [sys.executable, "-m", "zenml.execution.entrypoint", "--deployment", str(file),
         "--step", "only"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith(
        "Error: Step 'only' of run '") and "SystemExit" in done.stderr
    run = Repository().get_pipeline("traversal").get_run(deployment.run_name)
    assert run.status is ExecutionStatus.FAILED


def test_the_entrypoint_records_an_interrupted_step_and_exits_130(tmp_path: Path) -> None:
    deployment = traversal(only=misbehave(config=Behaviour(interrupt=True))).deployment(
        Repository().active_stack)
    done = _entrypoint(["--deployment", "-", "--step", "only"], input=deployment.to_json())
    assert done.returncode == 130
    assert done.stderr.strip().splitlines()[-1] == "Error: step 'only' was interrupted"
    run = Repository().get_pipeline("traversal").get_run(deployment.run_name)
    assert run.status is ExecutionStatus.FAILED
    assert run.get_step("only").status is ExecutionStatus.FAILED


# -- defect 5: a full disk --------------------------------------------------------------------
FILLER = """
    import resource, signal, sys
    from zenml.errors import ArtifactStoreError, RunFailedError, ZenMLError
    from zenml.pipelines import pipeline
    from zenml.steps import BaseStepConfig, step

    class Size(BaseStepConfig):
        size: int

    @step
    def blob(config: Size) -> bytes:
        return b"x" * config.size

    @pipeline
    def filler(only):
        only()

    if __name__ == "__main__":
        if len(sys.argv) > 2:  # no small disk: a file size limit fails the write the same way
            limit = int(sys.argv[2])
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        try:
            filler(only=blob(config=Size(size=int(sys.argv[1])))).run(enable_cache=False)
        except RunFailedError as error:
            print("FAILED", error)
        else:
            print("OK")
"""

MiB = 2**20


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[tuple[Path, bool]]:
    """A 2 MiB tmpfs (True), or a plain folder when mounting is not allowed (False)."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = False
    if os.geteuid() == 0 and shutil.which("mount"):
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs",
                               str(folder)], capture_output=True, text=True)
        mounted = done.returncode == 0
    try:
        yield folder, mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


def test_a_step_that_fills_the_disk_leaves_nothing_behind(
        zen: Any, tmp_path: Path, small_disk: tuple[Path, bool]) -> None:
    folder, mounted = small_disk
    zen("artifact-store", "register", "small", "--flavor=local", f"--path={folder}/store")
    zen("metadata-store", "register", "small_md", "--flavor=sqlite",
        f"--uri={tmp_path}/small_md.db")
    zen("stack", "register", "small", "-o", "default", "-a", "small", "-m", "small_md",
        "--set")
    limit = () if mounted else (str(2 * MiB),)
    failed = run_script(tmp_path, FILLER, str(3 * MiB), *limit)
    assert failed.stdout.startswith("FAILED Step 'only'"), failed.stderr
    assert ("No space left on device" if mounted else "File too large") in failed.stdout
    assert files_under(folder) == set()  # no half-written data.bin, no temporary file
    done = run_script(tmp_path, FILLER, str(3 * MiB // 2), *limit)
    assert done.stdout.strip() == "OK", done.stdout + done.stderr
    run = Repository().get_pipeline("filler").runs[-1]
    assert len(run.get_step("only").output.read()) == 3 * MiB // 2


# -- defect 9: cached outputs that are gone ----------------------------------------------------
def test_a_cached_step_whose_outputs_were_deleted_runs_again(
        caplog: pytest.LogCaptureFixture) -> None:
    CALLS.clear()
    first = chain(first=produce(), second=consume()).run()
    assert first is not None and CALLS == ["produce", "consume"]
    shutil.rmtree(first.get_step("first").output.uri)
    CALLS.clear()
    with caplog.at_level(logging.INFO, logger="zenml"):
        second = chain(first=produce(), second=consume()).run()
    assert second is not None
    assert CALLS == ["produce"]  # the same content: the next step stays cached
    assert not second.get_step("first").is_cached and second.get_step("second").is_cached
    assert second.get_step("second").output.read() == 8
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "no longer exists" in warnings[0] and "first" in warnings[0]
    third = chain(first=produce(), second=consume()).run()
    assert third is not None and all(s.is_cached for s in third.steps)
    # reading the deleted artifact says so, in one line
    with pytest.raises(ArtifactStoreError, match=r"^Artifact 'output' \(.*\) no longer exists"):
        first.get_step("first").output.read()


# -- defect 10: killed runs ------------------------------------------------------------------
KILLED = """
    import os, signal
    from zenml.pipelines import pipeline
    from zenml.steps import step

    @step
    def first() -> int:
        return 1

    @step
    def dies(x: int) -> int:
        os.kill(os.getpid(), signal.SIGKILL)
        return x

    @pipeline
    def killed(first, second):
        second(first())

    if __name__ == "__main__":
        killed(first=first(), second=dies()).run()
"""


def test_the_steps_of_a_killed_run_show_failed(tmp_path: Path, zen: Any) -> None:
    done = run_script(tmp_path, KILLED)
    assert done.returncode == -9
    run = Repository().get_pipeline("killed").runs[-1]
    assert run.status is ExecutionStatus.FAILED
    assert run.get_step("first").status is ExecutionStatus.COMPLETED
    second = run.get_step("second")
    assert second.status is ExecutionStatus.FAILED
    assert second.error == "the run's process ended before the step finished"
    out = zen("pipeline", "runs", "describe", run.name).output
    assert "running" not in out
    assert "second failed: the run's process ended before the step finished" in out


# -- defect 11: the deployment off the command line -------------------------------------------
def _entrypoint(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "zenml.execution.entrypoint", *args],
                          capture_output=True, text=True, timeout=120, **kwargs)


def test_the_deployment_can_come_from_standard_input() -> None:
    deployment = traversal(only=env_probe()).deployment(Repository().active_stack)
    done = _entrypoint(["--deployment", "-", "--step", "only"], input=deployment.to_json())
    assert done.returncode == 0, done.stderr
    run = Repository().get_pipeline("traversal").get_run(deployment.run_name)
    assert run.get_step("only").output.read() is False


def test_the_deployment_can_come_from_an_environment_variable() -> None:
    deployment = traversal(only=env_probe()).deployment(Repository().active_stack)
    done = _entrypoint(["--step", "only"],
                       env={**os.environ, "ZENML_DEPLOYMENT": deployment.to_json()})
    assert done.returncode == 0, done.stderr
    run = Repository().get_pipeline("traversal").get_run(deployment.run_name)
    # the step (and whatever it starts) does not inherit the deployment
    assert run.get_step("only").output.read() is False


def test_the_entrypoint_names_a_missing_deployment_in_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ZENML_DEPLOYMENT"}
    done = _entrypoint(["--step", "only"], env=env)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "Error: no deployment given: pass --deployment FILE, --deployment - (standard "
        "input) or set ZENML_DEPLOYMENT")
    empty = _entrypoint(["--deployment", "-", "--step", "only"], input="", env=env)
    assert empty.returncode == 1
    assert empty.stderr.strip() == (
        "Error: cannot read the deployment from standard input: it is empty")

