"""Run one step of a deployment: ``python -m zenml.execution.entrypoint``.

This is what remote orchestrators put in their containers. It needs no
stack store: the deployment carries the stack's configuration. Arguments::

    --deployment FILE | --deployment-json JSON   the deployment
    --step NAME                                  the step to run
    [--run-name NAME] [--run-id ID]              override the run (e.g. KFP's run id)

Exit code 0 when the step finished or was cached, 1 when it failed (its
error on stderr, one line).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

__all__ = ["main"]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m zenml.execution.entrypoint",
                                     description="Run one step of a zenml deployment.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--deployment", type=Path, help="a deployment JSON file")
    source.add_argument("--deployment-json", help="the deployment as a JSON string")
    parser.add_argument("--step", required=True, help="the step's name in the pipeline")
    parser.add_argument("--run-name", help="use this run name instead of the deployment's")
    parser.add_argument("--run-id", help="use this run id instead of the deployment's")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the step; return the process exit code."""
    from zenml.errors import ZenMLError
    from zenml.execution.deployment import Deployment
    from zenml.execution.launcher import StepLauncher
    from zenml.logger import enable_console_logging

    args = _parse(argv)
    enable_console_logging()
    from zenml.pipelines.base_pipeline import PREVENT_EXECUTION_ENV

    os.environ[PREVENT_EXECUTION_ENV] = "1"  # importing the user's script must not run it
    try:
        text = (args.deployment.read_text(encoding="utf-8") if args.deployment
                else args.deployment_json)
        deployment = Deployment.from_json(text)
    except (OSError, ValueError) as error:
        print(f"Error: cannot read the deployment: {error}", file=sys.stderr)
        return 1
    updates = {k: v for k, v in (("run_name", args.run_name), ("run_id", args.run_id)) if v}
    if updates:
        deployment = deployment.model_copy(update=updates)
    for root in reversed(deployment.source_roots):
        if os.path.isdir(root) and root not in sys.path:
            sys.path.insert(0, root)
    try:
        stack = deployment.stack.to_stack()
        launcher = StepLauncher(deployment, stack)
        launcher.ensure_run()
        try:
            launcher.launch(args.step)
        except ZenMLError as error:
            with contextlib.suppress(ZenMLError):  # the store may be what failed
                launcher.fail_run(str(error))
            raise
        launcher.finish_run_if_done()
    except ZenMLError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
