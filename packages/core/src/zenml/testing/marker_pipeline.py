"""The marker tests' pipeline: two steps that scan every process's command line.

``python -m zenml.testing.marker_pipeline DEPLOYMENT.json`` writes the run's
deployment to the file, runs the pipeline on the active stack and prints the
run's name and status. Each step calls
:func:`zenml.testing.secrets.scan_command_lines` (``$PROBE_WANTED``,
``$PROBE_OUT``: see :class:`zenml.testing.secrets.MarkerProbe`) and goes
through the stack's artifact and metadata stores, so a run uses the
credentials the test made markers of.
"""

from __future__ import annotations

import sys
from typing import Any

from zenml.pipelines.decorator import pipeline
from zenml.steps.decorator import step
from zenml.testing.secrets import scan_command_lines


@step
def produce() -> list:  # type: ignore[type-arg]  # a plain list output
    """Scan, then write a list through the artifact store."""
    scan_command_lines()
    return list(range(100))


@step
def consume(data: list) -> int:  # type: ignore[type-arg]
    """Scan, then read it back."""
    scan_command_lines()
    return sum(data)


@pipeline(enable_cache=False)
def marker_pipeline(produce: Any, consume: Any) -> None:
    """``produce`` -> ``consume``."""
    consume(produce())


def main(deployment_path: str) -> None:
    """Write the deployment, run the pipeline, print ``RUN_NAME STATUS``."""
    from zenml.repository import Repository
    from zenml.utils.files import replace_privately

    instance = marker_pipeline(produce=produce(), consume=consume())
    # The deployment may name secret references: private, like every file we write.
    with replace_privately(deployment_path) as handle:
        handle.write(instance.deployment(Repository().active_stack).to_json())
    run = instance.run()
    assert run is not None
    print(run.name, run.status.value)


if __name__ == "__main__":
    main(sys.argv[1])
