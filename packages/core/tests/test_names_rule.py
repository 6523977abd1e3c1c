"""A name is data, never a path: one rule, checked where a name is given (issue 13)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from zenml.errors import (
    ConfigError,
    PipelineConfigurationError,
    PipelineInterfaceError,
    StepInterfaceError,
)
from zenml.pipelines import BasePipeline, pipeline
from zenml.repository import Repository
from zenml.stack import StackComponentType
from zenml.steps import BaseStep, Output, step
from zenml.utils.names import MAX_NAME_LENGTH, validate_identifier, validate_name

from conftest import Zen

GOOD = ["default", "local_stack", "my-s3_store", "v1.2", ".hidden", "a b", "ñ名前", "x" * 128,
        "kubeflow_stack", "s3-store", "Model.v2_final"]
BAD = ["", " lead", "trail ", "tab\there", "new\nline", "nul\x00", "../../x", "a/b", "a\\b",
       ".", "..", "v1..2", "x" * 129, "\ud800", "bidi\u202eoverride", "zero\u200bwidth",
       "nbsp\u00a0inside"]


@pytest.mark.parametrize("name", GOOD)
def test_the_rule_keeps_names_in_use_today(name: str) -> None:
    assert validate_name("stack", name) == name


@pytest.mark.parametrize("name", [*BAD, 123, [1, 2], None, {"a": 1}])
def test_the_rule_refuses_with_one_line_naming_the_kind(name: object) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_name("artifact store", name)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message
    assert message.startswith("Invalid artifact store name ")
    assert len(message) < 300 and f"1 to {MAX_NAME_LENGTH}" in message


def test_output_names_must_be_identifiers() -> None:
    assert validate_identifier("output", "train_set") == "train_set"
    with pytest.raises(StepInterfaceError, match="not a Python identifier"):
        validate_identifier("output", "my-output", StepInterfaceError)


# -- the CLI and the Repository -------------------------------------------------------------

def test_a_5000_character_component_name_is_refused(zen: Zen) -> None:
    long = "c" * 5000
    line = zen.error("orchestrator", "register", long, "--flavor=local")
    assert "5000 characters" in line and len(line) < 300
    line = zen.error("orchestrator", "rename", "default", long)
    assert "Invalid orchestrator name" in line
    assert [m.name for m in Repository().store.list_components(
        StackComponentType.ORCHESTRATOR)] == ["default"]


@pytest.mark.parametrize("name", ["../../x", "..", "a/b", "v1..2"])
def test_path_like_names_are_refused_everywhere_in_the_cli(zen: Zen, name: str) -> None:
    assert "Invalid" in zen.error("artifact-store", "register", name, "--flavor=local",
                                  "--path=/tmp/nowhere")
    assert "Invalid" in zen.error("stack", "register", name, "-o", "default", "-a", "default",
                                  "-m", "default")
    assert "Invalid" in zen.error("stack", "rename", "default", name)
    assert "Invalid" in zen.error("metadata-store", "rename", "default", name)


def test_the_name_rule_is_on_the_bottom_floor() -> None:
    import ast

    import zenml.utils.names as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {m for m in imported if m and m.startswith("zenml")} == {"zenml.errors"}


def test_interactive_register_refuses_the_name_before_prompting(zen: Zen) -> None:
    line = zen.error("orchestrator", "register", "../o", "--flavor=local", "-i", input="\n" * 5)
    assert "Invalid orchestrator name" in line


def test_repository_refuses_bad_names() -> None:
    repo = Repository()
    with pytest.raises(ConfigError, match="Invalid orchestrator name"):
        repo.register_component(StackComponentType.ORCHESTRATOR, "../x", "local", {})
    with pytest.raises(ConfigError, match="Invalid stack name"):
        repo.register_stack(123, {})  # type: ignore[arg-type]


# -- pipelines, steps, outputs, runs -----------------------------------------------------------

@step
def one() -> int:
    return 1


@step
def take(x: int) -> int:
    return x


@pipeline
def chain(one, take):
    take(one())


def test_pipeline_names_are_checked_where_they_are_given() -> None:
    with pytest.raises(PipelineInterfaceError, match=r"Invalid pipeline name '\.\./\.\./x'"):
        pipeline(name="../../x")(lambda one: one())
    with pytest.raises(PipelineInterfaceError, match="Invalid pipeline name"):
        class Climbing(BasePipeline):
            NAME = "../up"

            def connect(self, one: BaseStep) -> None:
                one()


def test_step_and_output_names_are_checked_where_they_are_given() -> None:
    with pytest.raises(StepInterfaceError, match="Invalid step name"):
        step(name="../s")(lambda: None)
    with pytest.raises(StepInterfaceError, match="Invalid output name"):
        Output(**{"../../../../y": int})
    with pytest.raises(StepInterfaceError, match="not a Python identifier"):
        Output(**{"my-output": int})


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim" / "a" / "output"
    victim.mkdir(parents=True)
    (victim / "keep.txt").write_text("mine")
    return victim


def test_run_name_that_climbs_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(PipelineConfigurationError, match="Invalid run name"):
        chain(one=one(), take=take()).run(run_name="../../../../victim")
    with pytest.raises(PipelineConfigurationError, match="Invalid run name"):
        chain(one=one(), take=take()).run(run_name=" padded")
    assert (victim / "keep.txt").read_text() == "mine"
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert [p for p in after if p not in before and p.parts[0] != "config"] == []


def test_run_name_in_a_config_file_is_checked_when_read(tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    config = tmp_path / "run.yaml"
    for value in ("../../../../victim", "123", "[1, 2]", "''"):
        config.write_text(f"run_name: {value}\n")
        with pytest.raises(PipelineConfigurationError) as caught:
            chain(one=one(), take=take()).with_config(config)
        assert str(config) in str(caught.value) and "Invalid run name" in str(caught.value)
        assert "\n" not in str(caught.value)
    config.write_text('steps:\n  "bad\\nstep": {parameters: {}}\n')
    with pytest.raises(PipelineConfigurationError, match="Invalid step name") as caught:
        chain(one=one(), take=take()).with_config(config)
    assert "\n" not in str(caught.value)
    assert (victim / "keep.txt").read_text() == "mine"


def test_a_long_pipeline_name_still_gets_a_valid_default_run_name() -> None:
    long = pipeline(name="p" * MAX_NAME_LENGTH)(lambda one, take: take(one()))
    instance = long(one=one(), take=take())
    assert validate_name("run", instance.default_run_name())


def test_a_valid_odd_run_name_is_stored_and_read_back() -> None:
    name = "Run v1.2 – ñ名前"
    run = chain(one=one(), take=take()).run(run_name=name)
    assert run is not None and run.name == name
    assert Repository().get_pipeline("chain").get_run(name).name == name


# -- stack import / export ----------------------------------------------------------------------

def _stack_file(path: Path, stack_name: str = "s", orchestrator: str = "o",
                version: str | None = None) -> Path:
    head = f"zenml_version: {version}\n" if version is not None else ""
    path.write_text(
        f"{head}stack_name: {stack_name}\n"
        "components:\n"
        f"  orchestrator: {{name: {orchestrator}, flavor: local}}\n"
        f"  artifact_store: {{name: a_{path.stem}, flavor: local,\n"
        f"                   configuration: {{path: {path}.a}}}}\n"
        f"  metadata_store: {{name: m_{path.stem}, flavor: sqlite,\n"
        f"                   configuration: {{uri: {path}.db}}}}\n")
    return path


def test_import_refuses_names_that_are_not_strings(zen: Zen, tmp_path: Path) -> None:
    path = _stack_file(tmp_path / "list.yaml", stack_name="[1, 2]")
    line = zen.error("stack", "import", str(path))
    assert "Invalid stack name [1, 2]" in line and "not a string" in line
    path = _stack_file(tmp_path / "int.yaml", orchestrator="123")
    line = zen.error("stack", "import", "s", str(path))
    assert "Invalid orchestrator name 123" in line and str(path) in line
    path = _stack_file(tmp_path / "climb.yaml", orchestrator="'../../o'")
    assert "Invalid orchestrator name" in zen.error("stack", "import", "s", str(path))
    assert "Invalid stack name" in zen.error("stack", "import", "../s", str(path))
    assert [s.name for s in Repository().store.list_stacks()] == ["default"]


def test_import_never_makes_up_a_name_that_breaks_the_rule(zen: Zen, tmp_path: Path) -> None:
    long = "o" * 100
    zen("orchestrator", "register", long, "--flavor=local", "--max_workers=2")
    path = _stack_file(tmp_path / "taken.yaml", orchestrator=long)
    path.write_text(path.read_text().replace("flavor: local}",
                                              "flavor: local, configuration: {max_workers: 3}}"))
    line = zen.error("stack", "import", "s" * 40, str(path))
    assert "is taken here" in line and "shorter stack name" in line
    assert [s.name for s in Repository().store.list_stacks()] == ["default"]
    assert len(Repository().store.list_components(StackComponentType.ORCHESTRATOR)) == 2
    result = zen("stack", "import", "short", str(path))
    assert f"registered here as 'short_{long}'" in result.stderr


def test_import_of_a_newer_file_warns_with_one_line(zen: Zen, tmp_path: Path) -> None:
    path = _stack_file(tmp_path / "new.yaml", version="99.0.0")
    result = zen("stack", "import", str(path))
    warnings = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and warnings[0].startswith("Warning: ")
    assert "99.0.0" in warnings[0] and "newer" in warnings[0]
    assert Repository().store.get_stack("s").name == "s"
    path = _stack_file(tmp_path / "same.yaml", stack_name="t", version="0.0.1")
    assert "Warning" not in zen("stack", "import", str(path)).stderr
    path = _stack_file(tmp_path / "odd.yaml", stack_name="u", version="[1]")
    assert "zenml_version" in zen.error("stack", "import", str(path))


def test_export_to_a_missing_folder_or_a_folder_is_one_line(zen: Zen, tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "s.yaml"
    line = zen.error("stack", "export", "default", str(missing))
    assert str(missing.parent) in line and "does not exist" in line
    folder = tmp_path / "folder"
    folder.mkdir()
    line = zen.error("stack", "export", "default", str(folder))
    assert str(folder) in line and "is a folder" in line
    assert list(folder.iterdir()) == [] and not missing.parent.exists()


def test_export_is_private_and_leaves_no_temporary_file(zen: Zen, tmp_path: Path) -> None:
    target = tmp_path / "out" / "s.yaml"
    target.parent.mkdir()
    zen("stack", "export", "default", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["s.yaml"]


def test_export_to_an_unwritable_folder_is_one_line(tmp_path: Path) -> None:
    """Run as an unprivileged user (root ignores permission bits): forked, every module loaded."""
    base = Path(tempfile.mkdtemp(prefix="zt-names-"))
    os.chmod(base, 0o755)
    config, locked = base / "config", base / "locked"
    config.mkdir()
    locked.mkdir()
    zen = Zen()
    os.environ["ZENML_CONFIG_PATH"] = str(config)
    try:
        zen("stack", "export", "default", str(base / "warm.yaml"))  # load every module first
        (base / "warm.yaml").unlink()
        if os.geteuid() == 0:
            for path in [config, *config.rglob("*")]:
                os.chown(path, 65534, 65534)
        else:
            locked.chmod(0o555)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: drop privileges, run the command, report, exit
            try:
                os.close(read)
                os.chdir(base)  # the test's own folder is private to root
                if os.geteuid() == 0:
                    os.setgroups([])
                    os.setgid(65534)
                    os.setuid(65534)
                result = zen("stack", "export", "default", str(locked / "s.yaml"), ok=False)
                os.write(write, f"{result.exit_code}\n{result.stderr}".encode())
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            report = pipe.read()
        os.waitpid(pid, 0)
    finally:
        del os.environ["ZENML_CONFIG_PATH"]
        locked.chmod(0o755)
        import shutil

        shutil.rmtree(base)
    code, _, stderr = report.partition("\n")
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == "1", report
    assert len(lines) == 1 and lines[0].startswith("Error: "), report
    assert str(locked) in lines[0] and "not writable" in lines[0], report


def test_default_export_file_stays_here_for_a_name_stored_before_the_rule(
        zen: Zen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from zenml.config.global_config import store_path

    zen("stack", "list")  # creates the store and the default stack
    with sqlite3.connect(store_path()) as db:  # a name an older zenml let through
        db.execute("UPDATE stacks SET name = '../escaped' WHERE name = 'default'")
    here = tmp_path / "work" / "here"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)
    zen("stack", "export", "../escaped")
    written = list(here.iterdir())
    assert len(written) == 1 and written[0].suffix == ".yaml" and "/" not in written[0].name
    assert not (here.parent / "escaped.yaml").exists()
    zen("stack", "import", "copy", written[0].name)
    assert "copy" in zen("stack", "list").output
