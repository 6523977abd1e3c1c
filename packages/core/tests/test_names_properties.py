"""Generated names at every place a name enters zenml (issue 13, Hypothesis).

Each name is either refused with one line or stored and read back
identically; and no file is ever created or removed outside the config
folder (which holds the default artifact store's root).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from zenml.errors import (
    ConfigError,
    PipelineConfigurationError,
    PipelineInterfaceError,
    StepInterfaceError,
    ZenMLError,
)
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.stack import StackComponentType
from zenml.steps import Output, step
from zenml.utils.names import MAX_NAME_LENGTH, name_problem

from conftest import Zen

ORCHESTRATOR = StackComponentType.ORCHESTRATOR

# Pieces an attacker or a clumsy user would combine.
FRAGMENTS = ["/", "\\", "..", ".", " ", "\t", "\n", "\r", "\x00", "\x1b[31m", "\u202e",
             "\u200b", "\u00a0", "\ud800", "\udcff", "é", "名", "😀", "a", "Z", "0", "-", "_",
             "~", "$HOME", "%2e%2e", "CON", ":", "*", "'", '"', "--help", "-x", "v1.2"]
PLAUSIBLE = st.text(st.characters(categories=("L", "N")) | st.sampled_from("._- "),
                    min_size=1, max_size=30)  # mostly valid: letters of any script
NAMES = st.one_of(
    PLAUSIBLE,
    st.text(st.characters(codec=None), max_size=24),  # any code point, surrogates included
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8).map("".join),
    st.text(st.sampled_from("ab._- /"), min_size=MAX_NAME_LENGTH - 8,
            max_size=MAX_NAME_LENGTH + 40),  # around the length bound
    st.sampled_from(["default", "local_stack", "my-s3_store", "v1.2", ".hidden", "..", ".",
                     "../../../../victim", "x" * 5000]),
)
# What a YAML file can hold where a name belongs.
FILE_NAMES = st.one_of(NAMES, NAMES, st.integers(), st.floats(allow_nan=False),
                       st.booleans(), st.lists(st.integers(), max_size=3))

FAST = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
SLOW = settings(FAST, max_examples=40)
COSTLY = settings(FAST, max_examples=8)  # a real pipeline run per example


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config folder and working folder four levels down, so that climbing names stay inside."""
    deep = tmp_path / "sandbox" / "a" / "b" / "c"
    (deep / "work").mkdir(parents=True)
    (tmp_path / "inputs").mkdir()
    monkeypatch.setenv("ZENML_CONFIG_PATH", str(deep / "config"))
    monkeypatch.chdir(deep / "work")
    assert Repository().active_stack_model.name == "default"  # created before any snapshot
    return tmp_path


def _tree(root: Path, skip: Path) -> set[str]:
    found = set()
    for folder, dirs, files in os.walk(root):
        if Path(folder) == skip.parent:
            dirs[:] = [d for d in dirs if Path(folder, d) != skip]
        found.update(os.path.join(folder, name) for name in dirs + files)
    return found


def _watched(sandbox: Path, action: Callable[[], Any]) -> Any:
    """Run ``action``; fail if it created or removed anything outside the config folder."""
    config = Path(os.environ["ZENML_CONFIG_PATH"])
    before = _tree(sandbox, config)
    result = action()
    after = _tree(sandbox, config)
    assert after == before, (sorted(after - before), sorted(before - after))
    return result


def _one_line(message: str) -> None:
    assert message and "\n" not in message and "\r" not in message, message
    assert all(c.isprintable() for c in message), repr(message)
    assert len(message) < 400, len(message)


def _cli(zen: Zen, *args: str) -> tuple[bool, str]:
    """Run the CLI; True when it succeeded, else check the one-line error contract."""
    result = zen(*args, ok=False)
    event("accepted" if result.exit_code == 0 else "refused")
    if result.exit_code == 0:
        return True, result.output
    line = zen.error(*args)
    _one_line(line)
    return False, line


# -- the rule itself -------------------------------------------------------------------------

@settings(FAST, max_examples=1500)
@given(NAMES | FILE_NAMES)
def test_a_valid_name_is_one_path_segment_and_a_refusal_is_one_line(name: object) -> None:
    from zenml.utils.names import validate_name

    try:
        checked = validate_name("stack", name)
    except ConfigError as error:
        _one_line(str(error))
        assert name_problem(name) is not None
        return
    assert checked is name and isinstance(checked, str)
    assert 1 <= len(checked) <= MAX_NAME_LENGTH and checked.isprintable()
    root = os.path.join(os.sep, "root")
    joined = os.path.normpath(os.path.join(root, checked))
    assert os.path.dirname(joined) == root and os.path.basename(joined) == checked


# -- the CLI ------------------------------------------------------------------------------------

@FAST
@given(name=NAMES)
@example(name="../../x").via("issue 13")
@example(name="c" * 5000).via("issue 13")
def test_component_register_via_cli(sandbox: Path, name: str) -> None:
    zen = Zen()
    repo = Repository()
    taken = {c.name for c in repo.store.list_components(ORCHESTRATOR)}
    ok, _ = _watched(sandbox, lambda: _cli(zen, "orchestrator", "register", "--flavor=local",
                                           "--", name))
    assert ok == (name_problem(name) is None and name not in taken), name
    if ok:
        assert name in {c.name for c in repo.store.list_components(ORCHESTRATOR)}
        assert repo.store.get_component(ORCHESTRATOR, name).name == name
        renamed, _ = _cli(zen, "orchestrator", "rename", "--", name, name + "2")
        assert renamed == (name_problem(name + "2") is None)
        repo.delete_component(ORCHESTRATOR, name + "2" if renamed else name)


@SLOW
@given(name=NAMES)
def test_stack_register_via_cli(sandbox: Path, name: str) -> None:
    zen = Zen()
    repo = Repository()
    taken = {s.name for s in repo.store.list_stacks()}
    ok, _ = _watched(sandbox, lambda: _cli(zen, "stack", "register", "-o", "default", "-a",
                                           "default", "-m", "default", "--", name))
    assert ok == (name_problem(name) is None and name not in taken), name
    if ok:
        assert repo.store.get_stack(name).name == name
        assert name in {s.name for s in repo.store.list_stacks()}
        repo.delete_stack(name)


@SLOW
@given(stack_name=FILE_NAMES, component_name=FILE_NAMES)
@example(stack_name=[1, 2], component_name="o").via("issue 13")
@example(stack_name="s", component_name=123).via("issue 13")
@example(stack_name="s v1.2", component_name="orchestrator 名").via("round trip")
def test_stack_import(sandbox: Path, stack_name: object, component_name: object) -> None:
    zen = Zen()
    repo = Repository()
    default = repo.store.get_stack("default").components
    components: dict[str, Any] = {
        t.value: {"name": c.name, "flavor": c.flavor, "configuration": c.config}
        for t, c in default.items()}
    components["orchestrator"] = {"name": component_name, "flavor": "local"}
    file = sandbox / "inputs" / "stack.yaml"
    file.write_text(yaml.safe_dump({"stack_name": stack_name, "components": components}))
    taken = {s.name for s in repo.store.list_stacks()}
    ok, _ = _watched(sandbox, lambda: _cli(zen, "stack", "import", str(file)))
    valid = name_problem(stack_name) is None and name_problem(component_name) is None
    assert ok == (valid and stack_name not in list(taken)), (stack_name, component_name)
    if ok:
        assert isinstance(stack_name, str) and isinstance(component_name, str)
        stack = repo.store.get_stack(stack_name)
        assert stack.name == stack_name
        assert stack.components[ORCHESTRATOR].name == component_name
        repo.delete_stack(stack_name)
        if component_name != "default":
            repo.delete_component(ORCHESTRATOR, component_name)


# -- decorators, run(), run configuration files -------------------------------------------------

def _refused(error: ZenMLError, kind: str) -> None:
    _one_line(str(error))
    assert f"Invalid {kind} name" in str(error) or "not a Python identifier" in str(error)


def _nothing() -> None:
    return None


@FAST
@given(name=NAMES)
def test_decorators_and_outputs(name: str) -> None:
    valid = name_problem(name) is None
    try:
        made = pipeline(name=name)(lambda load: load())
    except PipelineInterfaceError as error:
        assert not valid
        _refused(error, "pipeline")
    else:
        assert valid and name == made.NAME
    try:
        made_step = step(name=name)(_nothing)
    except StepInterfaceError as error:
        assert not valid
        _refused(error, "step")
    else:
        assert valid and made_step().name == name
    try:
        output = Output(**{name: int})
    except StepInterfaceError as error:
        assert not (valid and name.isidentifier())
        _refused(error, "output")
    else:
        assert valid and name.isidentifier() and list(output) == [name]


@step
def produce() -> int:
    return 7


@step
def consume(value: int) -> int:
    return value + 1


RUN_NAMES = st.one_of(st.sampled_from(["../../../../victim", "..", "run/../x", " padded",
                                       "x" * 200, "ok run v1.2", "名前-😀"]), NAMES)


@COSTLY
@given(run_name=RUN_NAMES)
@example(run_name="../../../../victim")
@example(run_name="ok run v1.2 名前-😀")
def test_run_names_given_to_run(sandbox: Path, run_name: str) -> None:
    runs = {r.name for p in Repository().get_pipelines() for r in p.runs}
    assume(not (isinstance(run_name, str) and run_name in runs))
    made = pipeline(name="props")(lambda produce, consume: consume(produce()))

    def run() -> Any:
        try:
            return made(produce=produce(), consume=consume()).run(run_name=run_name)
        except PipelineConfigurationError as error:
            return error

    result = _watched(sandbox, run)
    event("refused" if isinstance(result, ZenMLError) else "accepted")
    if isinstance(result, ZenMLError):
        assert name_problem(run_name) is not None
        _refused(result, "run")
    else:
        assert name_problem(run_name) is None and result.name == run_name
        assert Repository().get_pipeline("props").get_run(run_name).name == run_name


@COSTLY
@given(run_name=st.one_of(RUN_NAMES, FILE_NAMES))
@example(run_name="../../../../victim")
@example(run_name=123)
@example(run_name="configured v1.2")
def test_run_names_in_config_files(sandbox: Path, run_name: object) -> None:
    runs = {r.name for p in Repository().get_pipelines() for r in p.runs}
    assume(not (isinstance(run_name, str) and run_name in runs))
    config = sandbox / "inputs" / "run.yaml"
    config.write_text(yaml.safe_dump({"run_name": run_name}))
    made = pipeline(name="props_config")(lambda produce, consume: consume(produce()))

    def run() -> Any:
        try:
            return made(produce=produce(), consume=consume()).with_config(config).run()
        except PipelineConfigurationError as error:
            return error

    result = _watched(sandbox, run)
    event("refused" if isinstance(result, ZenMLError) else "accepted")
    if isinstance(result, ZenMLError):
        assert name_problem(run_name) is not None and str(config) in str(result)
        _refused(result, "run")
    else:
        assert name_problem(run_name) is None and result.name == run_name


@FAST
@given(step_name=st.one_of(NAMES, NAMES, st.integers(), st.floats(allow_nan=False),
                           st.booleans()))
@example(step_name="../../x")
@example(step_name="produce")
def test_step_names_in_config_files(sandbox: Path, step_name: object) -> None:
    config = sandbox / "inputs" / "steps.yaml"
    try:
        config.write_text(yaml.safe_dump({"steps": {step_name: {"parameters": {}}}}))
    except yaml.YAMLError:  # a key YAML cannot write is no file at all
        return
    made = pipeline(name="props_steps")(lambda produce, consume: consume(produce()))
    try:
        _watched(sandbox, lambda: made(produce=produce(), consume=consume()).with_config(config))
    except PipelineConfigurationError as error:
        _one_line(str(error))
        assert str(config) in str(error)
        assert step_name not in ("produce", "consume")
    else:
        assert step_name in ("produce", "consume")
