"""``zenml pipeline runs describe RUN --graph`` (issue 17, item 3): the steps drawn as a
graph of who read whose outputs, with statuses, for fresh, cached and failed runs."""

from __future__ import annotations

import re
from typing import Any

import pytest

from zenml.pipelines import pipeline
from zenml.post_execution.graph import run_graph
from zenml.steps import BaseStepConfig, step


class Boom(BaseStepConfig):
    fail: bool = False


@step
def load() -> int:
    return 3


@step
def left(x: int) -> int:
    return x + 1


@step
def right(x: int, config: Boom) -> int:
    if config.fail:
        raise ValueError("right broke")
    return x * 2


@step
def join(a: int, b: int) -> int:
    return a + b


@pipeline
def diamond(load, left, right, join):
    x = load()
    join(a=left(x), b=right(x))


def _run(name: str, fail: bool = False, **kwargs: Any) -> Any:
    return diamond(load=load(), left=left(), right=right(config=Boom(fail=fail)),
                   join=join()).run(run_name=name, **kwargs)


def test_the_graph_of_a_diamond_fresh_then_cached() -> None:
    first = _run("fresh")
    graph = run_graph(first)
    assert sorted(graph.edges) == [("left", "join"), ("load", "left"), ("load", "right"),
                                   ("right", "join")]
    assert graph.levels() == [["load"], ["left", "right"], ["join"]]
    assert graph.roots == ["load"]
    cached = run_graph(_run("again"))  # every step cached: the same edges
    assert sorted(cached.edges) == sorted(graph.edges)
    assert {n.step.status.value for n in cached.nodes.values()} == {"cached"}


def _drawn(out: str) -> dict[str, tuple[int, str]]:
    """Each drawn step: the column of its status symbol, and the rest of its line."""
    found = {}
    for line in out.splitlines()[1:]:
        match = re.search(r"[✔◆✘▶+=x>] (\w+)(.*)$", line)
        assert match, line
        found[match[1]] = (match.start(), match[2])
    return found


def test_describe_graph_draws_statuses_and_parents(zen: Any) -> None:
    _run("fresh")
    out = zen("pipeline", "runs", "describe", "fresh", "--graph").output
    assert out.splitlines()[0] == "fresh  completed"
    drawn = _drawn(out)
    assert sorted(drawn) == ["join", "left", "load", "right"]  # each step once
    assert all(rest.startswith("  completed  ") for _, rest in drawn.values())
    # indented under a parent it read from: load, then left and right, then join
    assert drawn["load"][0] < drawn["left"][0] == drawn["right"][0] < drawn["join"][0]
    assert drawn["join"][1].endswith("also after right")  # its other parent, named
    _run("again")
    again = _drawn(zen("pipeline", "runs", "describe", "again", "--graph").output)
    assert all(rest.startswith("  cached") and not re.search(r"\d\.\d{3}s", rest)
               for _, rest in again.values())  # reused: no duration of its own


def test_describe_graph_of_a_failed_run_and_ascii(zen: Any) -> None:
    with pytest.raises(Exception, match="right broke"):
        _run("broken", fail=True, enable_cache=False)
    out = zen("pipeline", "runs", "describe", "broken", "--graph").output
    assert out.splitlines()[0] == "broken  failed"
    assert "✘ right  failed" in out and "✔ load  completed" in out
    assert " join" not in out  # never started: not part of the run's record
    from conftest import run_zenml

    done = run_zenml(["pipeline", "runs", "describe", "broken", "--graph"],
                     env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert "x right  failed" in done.stdout and "+ load  completed" in done.stdout
    assert done.stdout.isascii()


def _statement_counter(statements: list[str]) -> Any:
    def count(*args: Any) -> None:
        statements.append(str(args[2]))
    return count


def test_a_run_prefetch_reads_what_each_step_reads_in_two_queries() -> None:
    """``prefetch_artifacts`` gives every step the same inputs and outputs as asking each
    step (fresh and cached runs), with two statements for the whole run."""
    import sqlalchemy as sa

    from zenml.repository import Repository

    _run("p-fresh")
    _run("p-cached")
    store, artifact_store = Repository().run_stores()
    for name in ("p-fresh", "p-cached"):
        from zenml.post_execution.views import PipelineRunView

        record = store.get_run(name)
        one_by_one = PipelineRunView(store, record, artifact_store)
        expected = {s.name: ({k: a.id for k, a in s.inputs.items()},
                             {k: (a.id, a.content_hash) for k, a in s.outputs.items()})
                    for s in one_by_one.steps}
        statements: list[str] = []
        count = _statement_counter(statements)

        batched = PipelineRunView(store, record, artifact_store)
        steps = batched.steps  # one query of its own
        sa.event.listen(store.engine, "before_cursor_execute", count)
        try:
            batched.prefetch_artifacts()
            got = {s.name: ({k: a.id for k, a in s.inputs.items()},
                            {k: (a.id, a.content_hash) for k, a in s.outputs.items()})
                   for s in steps}
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", count)
        assert got == expected
        assert sum(1 for s in statements if s.lstrip().upper().startswith("SELECT")) == 2
        assert any(inputs for inputs, _ in got.values()) and all(o for _, o in got.values())
