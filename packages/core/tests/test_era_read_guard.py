"""Reading an artifact never runs user code at module level (issue 15, item 9): reading
an output whose materializer lives in a script imports that script, and a script that
calls ``pipeline.run()`` at module level (as many of the era's examples do) must not
start another run then."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent("""
    import json
    import os

    from zenml.materializers import BaseMaterializer, register_materializer
    from zenml.pipelines import pipeline
    from zenml.steps import step


    class Box:
        def __init__(self, value):
            self.value = value


    @register_materializer
    class BoxMaterializer(BaseMaterializer):
        ASSOCIATED_TYPES = (Box,)

        def handle_input(self, data_type):
            with self.artifact_store.open(os.path.join(self.uri, "box.json"), "r") as f:
                return Box(json.load(f))

        def handle_return(self, data):
            with self.artifact_store.open(os.path.join(self.uri, "box.json"), "w") as f:
                json.dump(data.value, f)


    @step
    def make() -> Box:
        return Box(41)


    @pipeline
    def boxes(make):
        make()


    boxes(make=make()).run()  # at module level, no __main__ guard
""")

READ = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from zenml.repository import Repository
    runs = Repository().get_pipeline("boxes").runs
    box = runs[-1].get_step("make").output.read()
    print(box.value, len(Repository().get_pipeline("boxes").runs))
""")


def test_reading_an_artifact_does_not_rerun_the_script_that_defines_its_materializer(
        tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "box_pipeline.py").write_text(SCRIPT)
    first = subprocess.run([sys.executable, "box_pipeline.py"], cwd=folder,
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    read = subprocess.run([sys.executable, "-c", READ, str(folder)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert read.returncode == 0, read.stderr
    assert read.stdout.split() == ["41", "1"]  # the value, and still one run
