"""Progress lines name a step as the original framework did (issue 15, item 10): its
function or class name, and its pipeline parameter name when that differs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent("""
    from zenml.pipelines import pipeline
    from zenml.steps import step

    @step
    def importer() -> int:
        return 1

    @step
    def svc_trainer(x: int) -> int:
        return x + 1

    @pipeline
    def training(importer, trainer):
        trainer(importer())

    training(importer=importer(), trainer=svc_trainer()).run()
    training(importer=importer(), trainer=svc_trainer()).run()
""")


def test_progress_lines_name_the_step_function_and_its_pipeline_name(tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert "Step `importer` has started." in lines
    assert "Step `svc_trainer` (as `trainer`) has started." in lines
    assert any(line.startswith("Step `svc_trainer` (as `trainer`) has finished in ")
               for line in lines)
    assert "Using cached version of step `svc_trainer` (as `trainer`)." in lines
