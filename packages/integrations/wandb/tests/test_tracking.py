"""Pipelines on a stack with the ``wandb`` tracker: real wandb, offline, files read back."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from wandb_records import WandbRunFile

from zenml.errors import RunFailedError
from zenml.execution.source import code_hash
from zenml.repository import Repository

from conftest import Zen, require_wandb, run_dirs, timed

require_wandb()  # the steps' module imports wandb

import wandb_pipelines as wp  # noqa: E402

pytestmark = pytest.mark.usefixtures("wandb_dir")


def wandb_run_of(step: Any) -> WandbRunFile:
    """The W&B run recorded on a step run, read from its offline file."""
    extra = step.extra
    assert set(extra) == {"wandb_run_id", "wandb_run_dir"}, extra
    run = WandbRunFile.in_dir(extra["wandb_run_dir"])
    assert run.run_id == extra["wandb_run_id"]
    return run


def bodies(path: Path) -> list[str]:
    return path.read_text().split()


def test_each_tracked_step_gets_a_run_with_its_metrics_config_and_tags(
        wandb_stack: Zen, wandb_dir: Path, body_log: Path, report: Any) -> None:
    before = run_dirs(wandb_dir)
    pipeline = wp.training(load=wp.load_data(),
                           train=wp.trainer(config=wp.TrainerConfig(learning_rate=0.5)),
                           evaluate=wp.evaluator())
    run, seconds = timed(pipeline.run, run_name="first")
    assert run is not None
    report(f"pipeline with 1 untracked and 2 tracked steps, in process: {seconds:.2f} s")
    assert len(run_dirs(wandb_dir) - before) == 2  # load_data is not tracked: no run
    assert run.get_step("load").extra == {}

    trained = wandb_run_of(run.get_step("train"))
    assert trained.name == "first_train"
    assert (trained.project, trained.entity) == ("tracking", "zenml-tests")
    assert trained.tags == ["training", "first"]
    assert (trained.group, trained.job_type) == ("first", "train")
    assert trained.user_config == {"learning_rate": 0.5, "epochs": 3, "fail_after": -1}
    assert trained.metric("loss") == [12.0, 6.0, 4.0]
    assert trained.metric("lr") == [0.5, 0.5, 0.5]
    assert trained.summary["final_loss"] == 4.0
    assert trained.exit_code == 0

    evaluated = wandb_run_of(run.get_step("evaluate"))
    assert evaluated.name == "first_evaluate"
    assert evaluated.metric("accuracy") == [0.5 + 6.0 / 100]
    assert evaluated.user_config == {}
    assert evaluated.run_id != trained.run_id
    notes = [r.run.notes for r in _records(evaluated) if r.WhichOneof("record_type") == "run"]
    assert notes == ["noted by settings"]  # @enable_wandb(settings=wandb.Settings(...))
    assert bodies(body_log) == ["load_data", "trainer", "evaluator"]

    describe = wandb_stack("pipeline", "runs", "describe", "first").output
    assert f"train wandb_run_id: {trained.run_id}" in describe
    assert f"evaluate wandb_run_id: {evaluated.run_id}" in describe
    assert "train wandb_run_dir: " in describe

    # tracked steps are not cached by default: a second run logs again
    again, seconds = timed(pipeline.run, run_name="second")
    assert again is not None
    report(f"the same pipeline again (wandb imported, its service up): {seconds:.2f} s")
    assert again.get_step("load").is_cached
    assert not again.get_step("train").is_cached
    assert wandb_run_of(again.get_step("train")).name == "second_train"


def _records(run: WandbRunFile) -> list[Any]:
    from wandb_records import read_records

    return read_records(run.path)


def test_a_failing_step_finishes_its_run_marked_failed(wandb_stack: Zen, body_log: Path
                                                       ) -> None:
    pipeline = wp.train_only(load=wp.load_data(),
                             train=wp.trainer(config=wp.TrainerConfig(fail_after=2)))
    with pytest.raises(RunFailedError, match="diverged at epoch 2"):
        pipeline.run(run_name="diverging")
    run = _run_view("diverging")
    assert run.status.value == "failed"
    failed = run.get_step("train")
    assert failed.status.value == "failed"
    file = wandb_run_of(failed)
    assert file.exit_code == 1  # finished, marked failed
    assert file.metric("loss") == [12.0, 6.0]  # what was logged before the error is kept
    assert "final_loss" not in file.summary
    describe = wandb_stack("pipeline", "runs", "describe", "diverging").output
    assert f"train wandb_run_id: {file.run_id}" in describe
    assert "train failed: RuntimeError: diverged at epoch 2" in describe


def _run_view(name: str) -> Any:
    from zenml.post_execution.views import PipelineRunView

    store = Repository().active_stack.metadata_store
    return PipelineRunView(store, store.get_run(name))


def test_without_a_wandb_tracker_the_step_fails_before_its_body(
        zen: Zen, wandb_dir: Path, body_log: Path) -> None:
    before = run_dirs(wandb_dir)
    pipeline = wp.train_only(load=wp.load_data(), train=wp.trainer())
    with pytest.raises(RunFailedError) as caught:
        pipeline.run(run_name="untracked")
    message = str(caught.value)
    assert len(message.splitlines()) == 1
    assert "Step 'train' uses @enable_wandb, but stack 'default' has no experiment tracker" \
        in message
    assert "zenml experiment-tracker register wandb_tracker --flavor=wandb" in message
    assert "zenml stack update default -e wandb_tracker" in message
    assert bodies(body_log) == ["load_data"]  # the tracked step's body never ran
    assert run_dirs(wandb_dir) == before
    describe = zen("pipeline", "runs", "describe", "untracked").output
    assert "train failed: WandbTrackerMissingError: Step 'train' uses @enable_wandb" in describe


def test_another_tracker_flavor_is_refused_with_the_fix(zen: Zen, body_log: Path) -> None:
    from zenml.experiment_trackers.config import BaseExperimentTrackerConfig
    from zenml.plugins import hookimpl
    from zenml.stack.flavor import Flavor
    from zenml.testing import plugin_registered

    class OtherConfig(BaseExperimentTrackerConfig):
        """Another tracker."""

    class Other:
        @hookimpl
        def zenml_flavors(self) -> list[Flavor]:
            return [Flavor(name="other", type="experiment_tracker", config_class=OtherConfig,
                           implementation="zenml.experiment_trackers.base:"
                                          "BaseExperimentTracker")]

    with plugin_registered(Other(), "other-tracker"):
        zen("experiment-tracker", "register", "mine", "--flavor=other")
        zen("stack", "update", "default", "-e", "mine")
        with pytest.raises(RunFailedError, match="the experiment tracker 'mine' of stack "
                                                 "'default' has flavor 'other', not 'wandb'"):
            wp.train_only(load=wp.load_data(), train=wp.trainer()).run()
    assert bodies(body_log) == ["load_data"]


def test_mode_from_the_tracker_config_wins_over_wandb_mode(zen: Zen, wandb_dir: Path,
                                                          body_log: Path) -> None:
    zen("experiment-tracker", "register", "off", "--flavor=wandb", "--mode=DISABLED")
    zen("stack", "update", "default", "-e", "off")
    before = run_dirs(wandb_dir)
    run = wp.train_only(load=wp.load_data(), train=wp.trainer()).run()
    assert run is not None
    assert run.get_step("train").status.value == "completed"
    assert run.get_step("train").extra == {}  # nothing logged anywhere: nothing to point at
    assert run_dirs(wandb_dir) == before
    assert bodies(body_log) == ["load_data", "trainer"]


def test_online_without_an_api_key_fails_before_the_body_with_the_fix(
        zen: Zen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body_log: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.netrc: nobody is logged in
    monkeypatch.setenv("NETRC", str(tmp_path / "netrc"))
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    zen("experiment-tracker", "register", "online", "--flavor=wandb", "--mode=online")
    zen("stack", "update", "default", "-e", "online")
    with pytest.raises(RunFailedError) as caught:
        wp.train_only(load=wp.load_data(), train=wp.impatient()).run()
    message = str(caught.value)
    assert len(message.splitlines()) == 1
    assert ("WandbRunError: Could not start the W&B run of step 'train' (experiment tracker "
            "'online'): ") in message
    assert "set the key with 'zenml experiment-tracker update online --api_key=KEY'" in message
    assert bodies(body_log) == ["load_data"]


def test_bad_settings_fail_the_step_before_its_body(wandb_stack: Zen, body_log: Path) -> None:
    with pytest.raises(RunFailedError) as caught:
        wp.train_only(load=wp.load_data(), train=wp.misconfigured()).run()
    assert str(caught.value).endswith(
        "WandbRunError: The settings of @enable_wandb on step 'train' are invalid: "
        "no_such_setting: Extra inputs are not permitted")
    assert bodies(body_log) == ["load_data"]


def test_project_defaults_to_the_pipeline_name(zen: Zen) -> None:
    zen("experiment-tracker", "register", "plain", "--flavor=wandb")
    zen("stack", "update", "default", "-e", "plain")
    run = wp.class_training(load=wp.load_data(),
                            train=wp.ClassTrainer(config=wp.TrainerConfig(learning_rate=2))
                            ).run(run_name="classy")
    assert run is not None
    file = wandb_run_of(run.get_step("train"))
    assert (file.project, file.entity) == ("class_training", "")
    assert file.metric("class_loss") == [24.0]
    assert file.user_config["learning_rate"] == 2.0
    assert file.name == "classy_train"


def test_explicitly_cached_steps_start_no_run_when_reused(wandb_stack: Zen, wandb_dir: Path,
                                                          body_log: Path) -> None:
    def pipeline() -> Any:
        return wp.cached_scoring(load=wp.load_data(), train=wp.trainer(),
                                 score=wp.cached_scorer())

    first = pipeline().run(run_name="scored")
    assert first is not None
    scored = wandb_run_of(first.get_step("score"))
    assert scored.metric("score") == [1.2000000000000002]
    notes = [r.run.notes for r in _records(scored) if r.WhichOneof("record_type") == "run"]
    assert notes == ["settings as a positional dict"]
    before = run_dirs(wandb_dir)
    second = pipeline().run(run_name="rescored")
    assert second is not None
    assert second.get_step("score").is_cached
    # a reused step points at the wandb run that produced its outputs
    assert second.get_step("score").extra == first.get_step("score").extra
    assert not second.get_step("train").is_cached  # trainer sets no enable_cache: off
    assert len(run_dirs(wandb_dir) - before) == 1  # the trainer's run only
    assert bodies(body_log).count("cached_scorer") == 1


def test_tracked_steps_in_parallel_each_log_to_their_own_run(zen: Zen, body_log: Path) -> None:
    zen("orchestrator", "register", "threads", "--flavor=local", "--parallel=threads",
        "--max_workers=3")
    zen("experiment-tracker", "register", "wandb_tracker", "--flavor=wandb")
    zen("stack", "register", "par", "-o", "threads", "-a", "default", "-m", "default",
        "-e", "wandb_tracker", "--set")
    run = wp.fan_out(load=wp.load_data(), left=wp.side(config=wp.TrainerConfig(epochs=2)),
                     right=wp.side(config=wp.TrainerConfig(epochs=5)),
                     middle=wp.plain()).run(run_name="parallel")
    assert run is not None
    left, right = wandb_run_of(run.get_step("left")), wandb_run_of(run.get_step("right"))
    assert left.metric("side_2") == [0, 1] and "side_5" not in left.history[0]
    assert right.metric("side_5") == [0, 1, 2, 3, 4] and not left.metric("side_5")
    assert not right.metric("side_2")
    assert run.get_step("middle").extra == {}
    assert sorted(bodies(body_log)) == ["load_data", "plain", "side-2", "side-5"]


def test_a_step_run_by_the_step_entrypoint_in_its_own_process(
        wandb_stack: Zen, tmp_path: Path, report: Any) -> None:
    pipeline = wp.train_only(load=wp.load_data(),
                             train=wp.trainer(config=wp.TrainerConfig(epochs=2)))
    deployment = pipeline.deployment(Repository().active_stack, run_name="remote")
    assert json.loads(deployment.to_json())["stack"]["components"]  # carries the tracker
    file = tmp_path / "deployment.json"
    file.write_text(deployment.to_json())
    seconds = {}
    for spec in deployment.steps:
        done, seconds[spec.name] = timed(
            subprocess.run, [sys.executable, "-m", "zenml.execution.entrypoint",
                             "--deployment", str(file), "--step", spec.name],
            capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    # both processes import wandb (the steps' module does): the difference is the
    # wandb-core service that the tracked step's wandb.init starts
    report(f"step entrypoint in a fresh process: untracked step {seconds['load']:.2f} s, "
           f"tracked step {seconds['train']:.2f} s")
    step = _run_view("remote").get_step("train")
    remote = wandb_run_of(step)
    assert remote.metric("loss") == [12.0, 6.0]
    assert remote.exit_code == 0
    assert remote.name == "remote_train"


def test_the_decorated_step_keeps_its_signature_and_cache_key() -> None:
    signature = inspect.signature(wp.trainer.entrypoint)
    assert list(signature.parameters) == ["data", "config"]
    assert signature.parameters["data"].annotation is int
    assert signature.parameters["config"].annotation is wp.TrainerConfig
    assert wp.trainer.entrypoint.__wrapped__.__name__ == "trainer"  # type: ignore[attr-defined]
    assert wp.trainer.entrypoint.__doc__ == "Logs one loss per epoch."
    user_function = wp.trainer.entrypoint_function()
    assert user_function is wp.trainer.entrypoint.__wrapped__  # type: ignore[attr-defined]
    assert "wandb.log" in inspect.getsource(user_function)
    interface = wp.trainer.interface()
    assert list(interface.inputs) == ["data"]
    assert list(interface.outputs) == ["model", "trained_epochs"]
    # the cache key covers the user's code and the helpers it calls (scaled), as without
    # the decorator, and not the wrapper's
    deployment = wp.train_only(load=wp.load_data(), train=wp.trainer()).deployment(
        Repository().active_stack)
    assert deployment.step("train").code_hash == code_hash(user_function)
    assert deployment.step("train").enable_cache is False
    assert deployment.step("load").enable_cache is True
    assert wp.cached_scorer().enable_cache is True  # explicit enable_cache=True is kept


def test_what_one_tracked_step_costs_in_a_fresh_process(wandb_stack: Zen, report: Any
                                                       ) -> None:
    script = Path("timed_script.py")
    script.write_text(
        "import time\n"
        "started = time.perf_counter()\n"
        "import wandb\n"
        "imported = time.perf_counter() - started\n"
        "from zenml.pipelines import pipeline\n"
        "from zenml.steps import step\n"
        "from zenml_wandb import enable_wandb\n"
        "@step\n"
        "def plain() -> int:\n"
        "    return 1\n"
        "@enable_wandb\n"
        "@step\n"
        "def tracked(x: int) -> int:\n"
        "    wandb.log({'x': x})\n"
        "    return x\n"
        "@pipeline\n"
        "def p(first, second):\n"
        "    second(first())\n"
        "run = p(first=plain(), second=tracked()).run()\n"
        "first, second = run.get_step('first'), run.get_step('second')\n"
        "assert second.extra['wandb_run_id']\n"
        "print(f'{imported:.2f} {first.duration:.2f} {second.duration:.2f}')\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    imported, untracked, tracked = done.stdout.split()
    report(f"fresh process: import wandb {imported} s; untracked step {untracked} s, "
           f"first tracked step {tracked} s (wandb.init starts wandb-core)")


def test_a_step_without_the_decorator_imports_no_wandb(wandb_stack: Zen) -> None:
    code = (
        "from zenml.pipelines import pipeline\n"
        "from zenml.steps import step\n"
        "@step\n"
        "def one() -> int:\n"
        "    return 1\n"
        "@pipeline\n"
        "def p(one):\n"
        "    one()\n"
        "run = p(one=one()).run()\n"
        "assert run.get_step('one').extra == {}\n"
    )
    script = Path("plain_script.py")
    script.write_text(code + "import sys; assert 'wandb' not in sys.modules\n"
                      "assert 'zenml_wandb.tracker' in sys.modules\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


def test_an_online_run_records_its_url() -> None:
    # online runs cannot start here (no network, no account): the recording alone, with
    # stand-ins for the run and the step run
    from types import SimpleNamespace

    from zenml_wandb.tracker import WandbExperimentTracker

    recorded: dict[str, Any] = {}
    info = SimpleNamespace(step_name="train", record=recorded.__setitem__)
    run = SimpleNamespace(id="2x4yq1tl", url="https://wandb.ai/team/mnist/runs/2x4yq1tl",
                          settings=SimpleNamespace(mode="online"))
    WandbExperimentTracker._record(info, run)  # type: ignore[arg-type]
    assert recorded == {"wandb_run_id": "2x4yq1tl",
                        "wandb_run_url": "https://wandb.ai/team/mnist/runs/2x4yq1tl"}
