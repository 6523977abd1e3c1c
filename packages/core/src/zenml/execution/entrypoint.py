"""Run one step of a deployment: ``python -m zenml.execution.entrypoint``.

This is what remote orchestrators put in their containers. It needs no
stack store: the deployment carries the stack's configuration. Arguments::

    --deployment FILE       the deployment, from a file (keep it 0600)
    --deployment -          ... from standard input
    (neither)               ... from the environment variable ZENML_DEPLOYMENT
    --deployment-json JSON  ... as an argument: UNSAFE, kept for compatibility
                            (every local user sees arguments in ``ps``)
    --step NAME             the step to run
    [--run-name NAME] [--run-id ID]   override the run (e.g. KFP's run id)

The deployment holds the stack's configuration, secret fields included, so
it should not travel on a command line. ``ZENML_DEPLOYMENT`` is removed from
the environment once read: the step's code and what it starts do not see it.

The stack is the deployment's: a :class:`~zenml.execution.runtime.StackRuntime`
built from it, as ``pipeline.run()`` builds it. A deployment made by a newer
zenml (a newer ``zenml_version`` or deployment format) is refused with one line.

Exit code 0 when the step finished or was cached, 1 when it failed (its
error on stderr, one line), also when the step's code called ``sys.exit()``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import sys
from pathlib import Path

__all__ = ["DEPLOYMENT_ENV", "main"]

#: The environment variable the deployment JSON is read from when no flag gives it.
DEPLOYMENT_ENV = "ZENML_DEPLOYMENT"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m zenml.execution.entrypoint",
                                     description="Run one step of a zenml deployment.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--deployment", metavar="FILE",
                        help="a deployment JSON file (keep it private: it holds the stack's "
                             "secrets), or - for standard input; without it the "
                             f"deployment is read from ${DEPLOYMENT_ENV}")
    source.add_argument("--deployment-json", metavar="JSON",
                        help="the deployment as an argument; UNSAFE: command lines are "
                             "visible to every local user (kept for compatibility)")
    parser.add_argument("--step", required=True, help="the step's name in the pipeline")
    parser.add_argument("--run-name", help="use this run name instead of the deployment's")
    parser.add_argument("--run-id", help="use this run id instead of the deployment's")
    return parser.parse_args(argv)


class _NoDeployment(Exception):
    """No deployment given, or an empty one."""


def _deployment_text(args: argparse.Namespace) -> tuple[str, str]:
    """Where the deployment came from, and its JSON text."""
    if args.deployment_json is not None:
        return "--deployment-json", str(args.deployment_json)
    if args.deployment == "-":
        origin, text = "standard input", sys.stdin.read()
    elif args.deployment is not None:
        origin, text = str(args.deployment), Path(args.deployment).read_text(encoding="utf-8")
    elif DEPLOYMENT_ENV in os.environ:
        origin, text = f"${DEPLOYMENT_ENV}", os.environ.pop(DEPLOYMENT_ENV)
    else:
        raise _NoDeployment(f"no deployment given: pass --deployment FILE, --deployment - "
                            f"(standard input) or set {DEPLOYMENT_ENV}")
    os.environ.pop(DEPLOYMENT_ENV, None)  # the step's code does not need it
    if not text.strip():
        raise _NoDeployment(f"cannot read the deployment from {origin}: it is empty")
    return origin, text


def _problem(error: ValueError) -> str:
    """What is wrong with a deployment, without echoing its values (they hold secrets)."""
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors(include_input=False)[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    return type(error).__name__


def _release(version: str) -> tuple[int, ...]:
    """``"1.2.3rc1"`` -> ``(1, 2, 3)``: the numeric release part of a version."""
    numbers = []
    for part in version.split("."):
        digits = "".join(itertools.takewhile(str.isdigit, part))
        if not digits:
            break
        numbers.append(int(digits))
        if digits != part:
            break
    return tuple(numbers)


def _newer_problem(text: str) -> str | None:
    """Why a deployment cannot run here (made by a newer zenml), before it is validated."""
    from zenml.__about__ import __version__
    from zenml.execution.deployment import DEPLOYMENT_VERSION

    try:
        data = json.loads(text)
    except ValueError:
        return None  # validation says what is wrong
    if not isinstance(data, dict):
        return None
    made_by, version = data.get("zenml_version"), data.get("version", DEPLOYMENT_VERSION)
    if not isinstance(made_by, str) or not isinstance(version, int):
        return None
    if version > DEPLOYMENT_VERSION or _release(made_by) > _release(__version__):
        return (f"the deployment comes from a newer zenml ({made_by}, deployment format "
                f"{version}) than this one ({__version__}, format {DEPLOYMENT_VERSION}); "
                f"install zenml-core {made_by} where the steps run")
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the step; return the process exit code."""
    from zenml.errors import ZenMLError
    from zenml.execution.deployment import Deployment
    from zenml.execution.launcher import StepLauncher
    from zenml.execution.runtime import StackRuntime
    from zenml.execution.step_info import PREVENT_EXECUTION_ENV
    from zenml.logger import enable_console_logging

    args = _parse(argv)
    enable_console_logging()
    os.environ[PREVENT_EXECUTION_ENV] = "1"  # importing the user's script must not run it
    try:
        origin, text = _deployment_text(args)
    except _NoDeployment as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as error:
        print(f"Error: cannot read the deployment: {error}", file=sys.stderr)
        return 1
    newer = _newer_problem(text)
    if newer is not None:
        print(f"Error: {newer}", file=sys.stderr)
        return 1
    try:
        deployment = Deployment.from_json(text)
    except ValueError as error:
        print(f"Error: cannot read the deployment from {origin}: {_problem(error)}",
              file=sys.stderr)
        return 1
    updates = {k: v for k, v in (("run_name", args.run_name), ("run_id", args.run_id)) if v}
    if updates:
        deployment = deployment.model_copy(update=updates)
    for root in reversed(deployment.source_roots):
        if os.path.isdir(root) and root not in sys.path:
            sys.path.insert(0, root)
    try:
        launcher = StepLauncher(deployment, StackRuntime.from_deployment(deployment))
        launcher.ensure_run()
        try:
            launcher.launch(args.step)
        except ZenMLError as error:
            with contextlib.suppress(ZenMLError):  # the store may be what failed
                launcher.fail_run(str(error))
            raise
        except KeyboardInterrupt:
            with contextlib.suppress(ZenMLError):
                launcher.fail_run(f"Step '{args.step}' was interrupted (KeyboardInterrupt)")
            print(f"Error: step '{args.step}' was interrupted", file=sys.stderr)
            return 130
        launcher.finish_run_if_done()
    except ZenMLError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
