"""A materializer picked when the step runs is covered by the cache.

When an output's materializer is chosen by the value's type (``-> object``
returning a type that has its own, or a value more specific than its
annotation), the cache key, computed before the step runs, cannot name it;
the launcher records its code hash on the step run and reuses the step only
while that code is unchanged. Each run is a separate ``python run.py``
process, as a user edits the materializer between runs.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from zenml.execution.cache import RUNTIME_MATERIALIZERS
from zenml.repository import Repository

MATERIALIZERS = '''
from typing import Any

from zenml.materializers import BaseMaterializer, register_materializer


class Shape:
    def __init__(self, name: str) -> None:
        self.name = name


class Square(Shape):
    pass


class Box:
    def __init__(self, label: str) -> None:
        self.label = label


@register_materializer
class ShapeMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES = (Shape,)

    def handle_return(self, data: Any) -> None:
        with self.open("shape.txt", "w") as handle:
            handle.write(data.name)

    def handle_input(self, data_type: type) -> Any:
        with self.open("shape.txt", "r") as handle:
            return Shape(handle.read())


@register_materializer
class SquareMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES = (Square,)

    def handle_return(self, data: Any) -> None:
        with self.open("square.txt", "w") as handle:
            handle.write(PREFIX + data.name)

    def handle_input(self, data_type: type) -> Any:
        with self.open("square.txt", "r") as handle:
            return Square(handle.read())


@register_materializer
class BoxMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES = (Box,)

    def handle_return(self, data: Any) -> None:
        with self.open("box.txt", "w") as handle:
            handle.write(PREFIX + data.label)

    def handle_input(self, data_type: type) -> Any:
        with self.open("box.txt", "r") as handle:
            return Box(handle.read())
'''

RUN = '''
from mats import Box, Shape, Square
from zenml.pipelines import pipeline
from zenml.repository import Repository
from zenml.steps import step


@step
def make_box() -> object:
    return Box("b")


@step
def make_shape() -> Shape:
    return Square("s")


@pipeline
def boxes(box, shape):
    box()
    shape()


if __name__ == "__main__":
    boxes(box=make_box(), shape=make_shape()).run()
    run = Repository().get_pipeline("boxes").runs[-1]
    print("BOX", run.get_step("box").output.read().label)
    print("SHAPE", run.get_step("shape").output.read().name)
'''


def _write(folder: Path, prefix: str, extra: str = "") -> None:
    (folder / "mats.py").write_text(f"PREFIX = {prefix!r}\n{extra}" + MATERIALIZERS)
    (folder / "run.py").write_text(RUN)


def _run(folder: Path) -> tuple[dict[str, bool], str]:
    done = subprocess.run([sys.executable, "run.py"], cwd=folder, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    run = Repository().get_pipeline("boxes").runs[-1]
    return {s.name: s.is_cached for s in run.steps}, done.stdout


def test_a_changed_runtime_materializer_runs_the_step_again(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    _write(folder, "v1:")
    cached, out = _run(folder)
    assert cached == {"box": False, "shape": False}
    assert "BOX v1:b" in out and "SHAPE v1:s" in out

    cached, out = _run(folder)  # nothing changed, in a new process: both reused
    assert cached == {"box": True, "shape": True}

    _write(folder, "v2:")  # both materializers chosen at run time now write "v2:"
    cached, out = _run(folder)
    assert cached == {"box": False, "shape": False}
    assert "BOX v2:b" in out and "SHAPE v2:s" in out

    cached, _ = _run(folder)
    assert cached == {"box": True, "shape": True}


def test_a_change_elsewhere_in_the_module_keeps_the_cache(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    _write(folder, "v1:")
    _run(folder)
    _write(folder, "v1:", extra=textwrap.dedent('''
        def unrelated() -> int:
            return 2
    '''))
    cached, out = _run(folder)
    assert cached == {"box": True, "shape": True}
    assert "BOX v1:b" in out


def test_the_recorded_hashes_are_internal(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    _write(folder, "v1:")
    _run(folder)
    run = Repository().get_pipeline("boxes").runs[-1]
    box = run.get_step("box")
    assert box.extra == {}  # what `zenml pipeline runs describe` shows
    record = box._record.extra[RUNTIME_MATERIALIZERS]
    assert record["output"]["materializer"] == "mats:BoxMaterializer"
    shape = run.get_step("shape")._record.extra[RUNTIME_MATERIALIZERS]
    assert shape["output"]["materializer"] == "mats:SquareMaterializer"
