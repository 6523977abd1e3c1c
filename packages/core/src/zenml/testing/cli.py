"""Running the zenml CLI in tests, each test in a fresh config folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest
    from click.testing import Result

__all__ = ["ZenCLI", "isolate_zenml"]


def isolate_zenml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give a test its own ``ZENML_CONFIG_PATH`` and working folder; return the config folder.

    Clears the variables that would point zenml elsewhere (repository path,
    disabled plugins, verbose output) and forgets the loaded plugins.
    """
    from zenml.plugins.manager import reset_plugins

    config = tmp_path / "config"
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    monkeypatch.setenv("ZENML_CONFIG_PATH", str(config))
    for name in ("ZENML_REPOSITORY_PATH", "ZENML_DISABLE_PLUGINS", "ZENML_VERBOSE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(work)
    reset_plugins()
    return config


class ZenCLI:
    """The ``zenml`` CLI in this process (click's CliRunner).

    ``zen("stack", "list")`` fails the test unless the command succeeds;
    ``zen.fails(...)`` asserts the error contract: exit code 1, no traceback,
    and exactly one ``Error:`` line on stderr (``allow_warnings`` lets
    ``Warning:`` lines stand beside it).
    """

    def __init__(self, allow_warnings: bool = False) -> None:
        from click.testing import CliRunner

        self.runner = CliRunner()
        self.allow_warnings = allow_warnings

    def __call__(self, *args: str, input: str | None = None, ok: bool = True) -> Result:
        from zenml.cli import cli

        result = self.runner.invoke(cli, list(args), input=input)
        if ok and result.exit_code != 0:
            raise AssertionError(f"zenml {' '.join(args)} failed ({result.exit_code}):\n"
                                 f"{result.output}\n{result.exception!r}")
        return result

    def fails(self, *args: str, input: str | None = None) -> Result:
        """Run a command that must fail with one ``Error:`` line and exit code 1."""
        result = self(*args, input=input, ok=False)
        assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
        assert "Traceback" not in result.output
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        if self.allow_warnings:
            lines = [line for line in lines if not line.startswith("Warning: ")]
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        return result

    def error(self, *args: str, input: str | None = None) -> str:
        """Like :meth:`fails`, returning the ``Error:`` line."""
        lines = self.fails(*args, input=input).stderr.splitlines()
        return next(line for line in lines if line.startswith("Error: "))
