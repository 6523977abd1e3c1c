"""``zenml pipeline run FILE -c CONFIG.yaml`` and the original framework's run configuration
(issue 15, item 7): ``name``, ``steps.<name>.source`` / ``parameters`` / ``materializers``
beside our ``run_name`` and ``enable_cache``; ``schedule`` accepted and refused in one line
on orchestrators that cannot schedule. FILE is imported without running its module-level
``run()`` or its ``__main__`` block, and every bad input is one line with nothing run."""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from zenml.errors import PipelineConfigurationError
from zenml.pipelines.from_file import import_python_file
from zenml.pipelines.schedule import Schedule
from zenml.repository import Repository

RUN_PY = '''
from pathlib import Path

from zenml.pipelines import pipeline
from zenml.steps import BaseStepConfig, Output, step


class MultiplierConfig(BaseStepConfig):
    multiplier: int = 4


@step
def load_numbers() -> Output(first=int, second=float):
    return 7, 0.5


@step
def multiply(config: MultiplierConfig, first: int, second: float) -> float:
    return config.multiplier * first * second


@pipeline
def first_pipeline(step_1, step_2):
    first, second = step_1()
    step_2(first, second)


# the era's docs warn against this in a file run by the CLI; it must not start a run here
first_pipeline(step_1=load_numbers(), step_2=multiply()).run()

if __name__ == "__main__":
    Path(__file__).with_name("main_block_ran").write_text("yes")
'''

TRAINER_PY = '''
from zenml.steps import BaseStepConfig, step


class AddConfig(BaseStepConfig):
    amount: float = 1.0


@step
def add_amount(config: AddConfig, first: int, second: float) -> float:
    return first + second + config.amount
'''

MATERIALIZERS_PY = '''
from typing import Any

from zenml.materializers.base import BaseMaterializer


class TextFloatMaterializer(BaseMaterializer):
    """A float as the text of value.txt."""

    def handle_return(self, data: Any) -> None:
        with self.open("value.txt", "w") as handle:
            handle.write(repr(float(data)))

    def handle_input(self, data_type: type) -> Any:
        with self.open("value.txt", "r") as handle:
            return float(handle.read())
'''

FULL_CONFIG = '''
name: first_pipeline
run_name: configured_run
enable_cache: false
steps:
  step_1:
    source:
      name: load_numbers
  step_2:
    source:
      name: add_amount
      file: steps/trainer.py
    parameters:
      amount: 2.5
    materializers:
      output:
        name: TextFloatMaterializer
        file: custom/float_materializer.py
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An era project in the working directory; the modules it imports are forgotten after."""
    folder = tmp_path / "project"
    (folder / "steps").mkdir(parents=True)
    (folder / "steps" / "__init__.py").write_text("")
    (folder / "run.py").write_text(RUN_PY)
    (folder / "steps" / "trainer.py").write_text(TRAINER_PY)
    (folder / "materializers.py").write_text(MATERIALIZERS_PY)
    (folder / "custom").mkdir()  # a plain folder: a namespace package, as the era named it
    (folder / "custom" / "float_materializer.py").write_text(MATERIALIZERS_PY)
    (folder / "config.yaml").write_text(FULL_CONFIG)
    monkeypatch.chdir(folder)
    path = list(sys.path)
    yield folder
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None) or ""
        if file.startswith(str(folder)):
            del sys.modules[name]
    sys.path[:] = path


def write(folder: Path, name: str, text: str) -> str:
    (folder / name).write_text(textwrap.dedent(text))
    return name


def run_count() -> int:
    return sum(len(p.runs) for p in Repository().get_pipelines())


def test_the_full_era_config_runs_the_pipeline_from_the_cli(zen: Any, project: Path) -> None:
    zen("pipeline", "run", "run.py", "-c", "config.yaml")
    assert not (project / "main_block_ran").exists()  # __main__ block not executed
    (run,) = Repository().get_pipeline("first_pipeline").runs  # module-level run() skipped
    assert run.name == "configured_run" and not run.enable_cache
    step_2 = run.get_step("step_2")
    assert step_2.entrypoint_name == "add_amount"
    assert step_2.parameters == {"amount": 2.5}
    output = step_2.output
    # named from the working directory, so a later `python inspect.py` there imports it
    assert output.materializer == "custom.float_materializer:TextFloatMaterializer"
    assert Path(output.uri, "value.txt").read_text() == "10.0"  # 7 + 0.5 + 2.5
    assert output.read() == 10.0


def test_the_eras_minimal_config_and_parameters_from_the_cli(zen: Any, project: Path) -> None:
    write(project, "minimal.yaml", """
        name: first_pipeline
        steps:
          step_1:
            source:
              name: load_numbers
          step_2:
            source:
              name: multiply
            parameters:
              multiplier: 3
        """)
    zen("pipeline", "run", str(project / "run.py"), "--config", "minimal.yaml")
    (run,) = Repository().get_pipeline("first_pipeline").runs
    assert run.get_step("step_2").output.read() == 10.5  # 3 * 7 * 0.5
    assert run.name.startswith("first_pipeline-")


def test_with_config_reads_the_same_file(project: Path) -> None:
    era_run = import_python_file(project / "run.py")  # its module-level run() is skipped
    from steps.trainer import add_amount  # importable: run.py's folder is on sys.path now

    config = project / "config.yaml"
    made = era_run.first_pipeline(step_1=era_run.load_numbers(), step_2=add_amount())
    result = made.with_config(config).run()
    assert result is not None and result.name == "configured_run"
    assert result.get_step("step_2").output.read() == 10.0
    assert result.get_step("step_2").parameters == {"amount": 2.5}


@pytest.mark.parametrize(("config", "message"), [
    ("name: first_pipeline\nsteps:\n  step_1:\n    source: {name: load_numbers}\n"
     "  step_3:\n    source: {name: multiply}\n",
     r"has no step 'step_3' \(steps: step_1, step_2\)"),
    ("name: first_pipeline\nstepz: {}\n", r"unknown key\(s\) stepz \(known: name, steps,"),
    ("name: first_pipeline\nsteps:\n  step_1:\n    source: {name: load_numbers}\n"
     "    parameter: {x: 1}\n", r"steps.step_1 has unknown key\(s\) parameter"),
    ("name: first_pipeline\nsteps:\n  step_1:\n    source: {name: load_numberz}\n"
     "  step_2:\n    source: {name: multiply}\n", r"steps.step_1.source: .*run.py has no "
                                                   r"'load_numberz'"),
    ("name: first_pipeline\nsteps:\n  step_1:\n    source: {name: load_numbers, "
     "file: nowhere.py}\n", r"steps.step_1.source.file nowhere.py does not exist"),
    ("name: first_pipeline\nsteps:\n  step_1:\n    source: load_numbers\n",
     r"steps.step_1.source must be a mapping like \{name: load_numbers, file: "),
    ("name: second_pipeline\nsteps: {}\n",
     r"name: 'second_pipeline' does not exist in .*run.py \(pipelines there: first_pipeline\)"),
    ("name: MultiplierConfig\nsteps: {}\n", r"name: 'MultiplierConfig' is not a pipeline"),
    ("steps:\n  step_1:\n    source: {name: load_numbers}\n", r"name: is missing"),
    ("name: first_pipeline\nsteps:\n  step_1:\n    source: {name: MultiplierConfig}\n",
     r"'MultiplierConfig' is not a step"),
    ("name: first_pipeline\nsteps:\n  step_1:\n    source: {name: load_numbers}\n"
     "  step_2:\n    source: {name: multiply}\n    materializers:\n      output: "
     "{name: load_numbers}\n", r"'load_numbers' is not a materializer class"),
    ("name: first_pipeline\nsteps:\n  step_1:\n    source: {name: load_numbers}\n"
     "  step_2:\n    source: {name: multiply}\n    materializers:\n      nope: "
     "{name: TextFloatMaterializer, file: materializers.py}\n", r"has no output 'nope'"),
    ("name: first_pipeline\nsteps:\n  step_1:\n    source: {name: load_numbers}\n"
     "  step_2:\n    source: {name: multiply}\n    parameters: {multiplyer: 2}\n",
     r"no parameter multiplyer"),
    ("name: first_pipeline\nsteps:\n  step_1:\n    source: {name: load_numbers}\n"
     "  step_2:\n    source: {name: multiply}\nschedule:\n  start_time: 2022-07-01T10:00:00\n"
     "  interval_second: 3600\n",
     r"Orchestrator 'default' \(local\) cannot schedule runs; run pipeline 'first_pipeline' "
     r"without a schedule"),
    ("name: first_pipeline\nsteps: {}\nschedule:\n  start_time: 2022-07-01T10:00:00\n",
     r"schedule.interval_second: field required"),
])
def test_bad_input_is_one_line_and_nothing_runs(zen: Any, project: Path, config: str,
                                                message: str) -> None:
    (project / "bad.yaml").write_text(config)
    line = zen.error("pipeline", "run", "run.py", "-c", "bad.yaml")
    assert re.search(message, line), line
    assert run_count() == 0


def test_missing_files_are_one_line(zen: Any, project: Path) -> None:
    assert "Cannot read the run config nowhere.yaml" in zen.error(
        "pipeline", "run", "run.py", "-c", "nowhere.yaml")
    assert "Python file nowhere.py does not exist" in zen.error(
        "pipeline", "run", "nowhere.py", "-c", "config.yaml")
    write(project, "broken.py", "import no_such_module_here\n")
    assert ("Importing broken.py failed: ModuleNotFoundError: No module named "
            "'no_such_module_here'") in zen.error("pipeline", "run", "broken.py", "-c",
                                                  "config.yaml")
    assert run_count() == 0


def test_run_with_a_schedule_is_refused_where_the_orchestrator_cannot_schedule(
        project: Path) -> None:
    era_run = import_python_file(project / "run.py")

    schedule = Schedule(start_time=datetime(2022, 7, 1, 10), interval_second=3600)
    assert schedule.interval_second == timedelta(hours=1)
    assert schedule.utc_end_time is None
    made = era_run.first_pipeline(step_1=era_run.load_numbers(), step_2=era_run.multiply())
    with pytest.raises(PipelineConfigurationError, match=r"^Orchestrator 'default' \(local\) "
                                                         r"cannot schedule runs"):
        made.run(schedule=schedule)
    with pytest.raises(PipelineConfigurationError, match=r"schedule\.interval_second"):
        made.run(schedule={"start_time": datetime(2022, 7, 1)})  # type: ignore[arg-type]
    assert run_count() == 0
    assert made.run() is not None  # without a schedule it runs
    assert run_count() == 1


def test_our_run_config_keys_keep_working(zen: Any, project: Path) -> None:
    write(project, "ours.yaml", """
        steps:
          step_2:
            parameters:
              multiplier: 2
        run_name: ours
        enable_cache: true
        """)
    era_run = import_python_file(project / "run.py")

    made = era_run.first_pipeline(step_1=era_run.load_numbers(), step_2=era_run.multiply())
    result = made.with_config(project / "ours.yaml").run()
    assert result is not None and result.name == "ours" and result.enable_cache
    assert result.get_step("step_2").output.read() == 7.0
