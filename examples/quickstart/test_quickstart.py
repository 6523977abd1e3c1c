"""The quickstart as a user runs it: ``python run.py``, twice, against a fresh config folder.

Each test runs the script in a subprocess with its own ``ZENML_CONFIG_PATH``
(so the default stack is created under ``tmp_path``) and checks what it
prints, the exit codes, and what the metadata store recorded, through the
``zenml pipeline runs`` commands and the post-execution snippet the script
prints.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent / "run.py"
ZENML = str(Path(sys.executable).with_name("zenml"))
STEPS = ["importer", "splitter", "trainer", "evaluator"]

pytestmark = pytest.mark.slow


class Quickstart:
    """Runs ``run.py``, ``zenml`` and Python snippets with one isolated config folder."""

    def __init__(self, tmp_path: Path) -> None:
        self.cwd = tmp_path / "work"
        self.cwd.mkdir()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("ZENML_") and k not in ("PYTHONPATH", "PYTHONHOME")}
        self.env = {**env, "ZENML_CONFIG_PATH": str(tmp_path / "config"), "COLUMNS": "400"}

    def _call(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(args, capture_output=True, text=True, env=self.env, cwd=self.cwd,
                              timeout=300)
        assert done.returncode == 0, (f"{' '.join(args)} exited {done.returncode}:\n"
                                      f"{done.stdout}\n{done.stderr}")
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def run(self, *args: str) -> tuple[str, float, dict[str, str], str]:
        """Run the script; return its run name, accuracy, step states and stdout."""
        out = self._call([sys.executable, str(RUN), *args]).stdout
        accuracy = re.search(r"^Accuracy on the test set: (\d\.\d{4})$", out, re.MULTILINE)
        assert accuracy is not None, out
        summary = re.search(r"^Run '([^']+)': (.*)$", out, re.MULTILINE)
        assert summary is not None, out
        states = dict(re.findall(r"(\w+) \((\w+)\)", summary.group(2)))
        assert list(states) == STEPS, out
        return summary.group(1), float(accuracy.group(1)), states, out

    def zenml(self, *args: str) -> str:
        return self._call([ZENML, *args]).stdout

    def python(self, code: str) -> str:
        return self._call([sys.executable, "-c", code]).stdout


def _cells(table: str, first_cell: str) -> list[str]:
    """The cells of the table row whose first cell is ``first_cell``."""
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│┃").split("│")]
        if cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row '{first_cell}' in:\n{table}")


def _python_snippet(out: str) -> str:
    """The post-execution snippet the script prints after 'or in Python:'."""
    block = out.split("or in Python:\n", 1)[1]
    return "\n".join(line[4:] for line in block.splitlines() if line.startswith("    "))


def test_second_run_reuses_every_step(tmp_path: Path) -> None:
    quickstart = Quickstart(tmp_path)
    first, accuracy, states, out = quickstart.run()
    assert accuracy > 0.95
    assert states == dict.fromkeys(STEPS, "completed")
    assert f"zenml pipeline runs describe {first}" in out

    second, again, states, _ = quickstart.run()
    assert second != first
    assert again == accuracy
    assert states == dict.fromkeys(STEPS, "cached")

    # What the script tells the user to type shows the same thing.
    listing = quickstart.zenml("pipeline", "runs", "list")
    assert _cells(listing, second)[1:3] == ["digits_pipeline", "completed"]
    assert _cells(listing, first)[1:3] == ["digits_pipeline", "completed"]
    assert listing.index(second) < listing.index(first)  # newest first
    described = quickstart.zenml("pipeline", "runs", "describe", second)
    for name in STEPS:
        assert _cells(described, name)[1:3] == ["cached", "yes"]
    # A cached step's outputs are the first run's artifacts.
    # (<pipeline>/<run>/<step>/<attempt>/<output>)
    assert re.search(rf"/digits_pipeline/{first}/trainer/[0-9a-f]{{8}}/output",
                     _cells(described, "trainer")[4])
    described = quickstart.zenml("pipeline", "runs", "describe", first)
    for name in STEPS:
        assert _cells(described, name)[1:3] == ["completed", "no"]

    # The printed post-execution snippet reads the latest run's accuracy and model.
    snippet = _python_snippet(out)
    assert snippet.startswith("from zenml.repository import Repository")
    printed, model = quickstart.python(snippet + "\nprint(type(model).__name__)").split()
    assert round(float(printed), 4) == accuracy
    assert model == "SVC"


def test_changed_parameter_reruns_only_what_depends_on_it(tmp_path: Path) -> None:
    quickstart = Quickstart(tmp_path)
    _, accuracy, _, _ = quickstart.run()
    _, other, states, _ = quickstart.run("--gamma", "0.01")
    assert states == {"importer": "cached", "splitter": "cached", "trainer": "completed",
                      "evaluator": "completed"}
    assert other != accuracy
