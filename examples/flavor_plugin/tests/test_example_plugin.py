"""The example plugin, installed the way a user installs it, used through the real CLI.

One fresh virtual environment per test session gets ``zenml-core`` (from
``packages/core``) and this plugin, both non-editable, exactly as
``pip install ./examples/flavor_plugin`` would; every check then runs that
environment's own ``zenml`` executable against a throw-away config folder.
uv makes the environment in a few seconds; without uv, venv + pip is used.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parents[1]
CORE = Path(__file__).resolve().parents[3] / "packages" / "core"

pytestmark = pytest.mark.slow


def _find_uv() -> str | None:
    """uv on PATH, or next to the running interpreter (``pip install uv`` in a venv)."""
    found = shutil.which("uv")
    if found:
        return found
    beside = Path(sys.executable).with_name("uv")
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


def _run(args: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=300, env=env)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n"
                    f"{result.stderr}")
    return result


def _clean_env() -> dict[str, str]:
    """The environment minus anything that would leak the outer interpreter or zenml setup."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "ZENML_CONFIG_PATH",
                 "ZENML_REPOSITORY_PATH", "ZENML_DISABLE_PLUGINS", "ZENML_DEBUG_PLUGINS",
                 "ZENML_VERBOSE"):
        env.pop(name, None)
    return env


@dataclass(frozen=True)
class Venv:
    root: Path

    @property
    def bin(self) -> Path:
        return self.root / ("Scripts" if os.name == "nt" else "bin")

    @property
    def python(self) -> Path:
        return self.bin / ("python.exe" if os.name == "nt" else "python")

    @property
    def zenml(self) -> Path:
        return self.bin / ("zenml.exe" if os.name == "nt" else "zenml")


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A fresh virtual environment with zenml-core and the example plugin installed."""
    env = Venv(tmp_path_factory.mktemp("venv") / "env")
    packages = [str(CORE), str(PLUGIN)]
    uv = _find_uv()
    if uv is not None:
        _run([uv, "venv", "--quiet", "--python", sys.executable, str(env.root)],
             env=_clean_env())
        # --refresh-package: uv caches wheels built from local folders by their
        # pyproject.toml alone; rebuild both so the test sees the current sources.
        _run([uv, "pip", "install", "--quiet", "--python", str(env.python),
              "--refresh-package", "zenml-core", "--refresh-package", "zenml-example-flavor",
              *packages], env=_clean_env())
    else:
        _run([sys.executable, "-m", "venv", str(env.root)], env=_clean_env())
        _run([str(env.python), "-m", "pip", "install", "--quiet", *packages],
             env=_clean_env())
    assert env.zenml.exists(), f"no zenml executable in {env.bin}"
    return env


class Zen:
    """Runs the venv's ``zenml`` with its own config folder, outside any repository."""

    def __init__(self, venv: Venv, home: Path) -> None:
        self.venv = venv
        self.cwd = home / "work"
        self.cwd.mkdir(parents=True)
        self.env = {**_clean_env(), "ZENML_CONFIG_PATH": str(home / "config"),
                    "COLUMNS": "200"}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.venv.zenml), *args], capture_output=True, text=True,
                              env=self.env, cwd=self.cwd, timeout=60)

    def __call__(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, (f"zenml {' '.join(args)} failed "
                                        f"({result.returncode}):\n{result.stdout}\n"
                                        f"{result.stderr}")
        return result.stdout

    def python(self, code: str) -> str:
        result = subprocess.run([str(self.venv.python), "-c", textwrap.dedent(code)],
                                capture_output=True, text=True, env=self.env, cwd=self.cwd,
                                timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout


@pytest.fixture
def zen(venv: Venv, tmp_path: Path) -> Zen:
    return Zen(venv, tmp_path)


def _row(table: str, first_cell: str) -> list[str]:
    """The cells of the rich-table row whose first cell is ``first_cell``."""
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│┃").split("│")]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row '{first_cell}' in:\n{table}")


def test_plugin_is_loaded_and_its_flavor_listed(zen: Zen) -> None:
    result = zen.run("plugins")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no plugin failed to load
    row = _row(result.stdout, "example-flavor")
    assert row == ["example-flavor", "zenml-example-flavor", "0.1.0", "loaded",
                   "zenml_cli_commands, zenml_flavors"]

    _flavor, integration, fields, description = _row(zen("alerter", "flavor", "list"), "file")
    assert integration == "example-flavor"
    assert fields == "path, prefix"
    assert description.startswith("Appends every message")

    # The register --help is built from the config class's field descriptions.
    help_text = zen("alerter", "register", "--help")
    assert "--flavor=file" in help_text
    assert "File that messages are appended to" in help_text


def _modules_after(zen: Zen, args: list[str]) -> list[str]:
    """The modules imported by running ``zenml ARGS`` in the venv's interpreter."""
    output = zen.python(f"""
        import json, sys
        from zenml.cli import cli
        try:
            cli.main({args!r}, standalone_mode=False)
        except SystemExit:
            pass
        print(json.dumps(sorted(sys.modules)))
    """)
    modules: list[str] = json.loads(output.strip().splitlines()[-1])
    return modules


def test_plugin_keeps_the_cli_light(zen: Zen) -> None:
    # --help loads the plugin (for its commands) but not its flavors or pydantic.
    modules = _modules_after(zen, ["--help"])
    assert "zenml_example_flavor.plugin" in modules
    assert "zenml_example_flavor.flavors" not in modules
    assert "pydantic" not in modules
    # Listing flavors reads the config classes, never the implementation.
    modules = _modules_after(zen, ["alerter", "flavor", "list"])
    assert "zenml_example_flavor.flavors" in modules
    assert "zenml_example_flavor.alerter" not in modules


def test_post_through_the_active_stack(zen: Zen, tmp_path: Path) -> None:
    alerts = tmp_path / "alerts.txt"
    zen("alerter", "register", "file_alerter", "--flavor=file", f"--path={alerts}")
    assert _row(zen("alerter", "describe", "file_alerter"), "PATH")[1] == str(alerts)
    out = zen("stack", "register", "alert_stack", "-o", "default", "-a", "default",
              "-m", "default", "-al", "file_alerter", "--set")
    assert "Active stack set to: 'alert_stack'" in out

    zen("alert", "post", "hello")
    assert alerts.read_text() == "[zenml] hello\n"

    # Updating the component's config changes what the next post writes.
    zen("alerter", "update", "file_alerter", "--prefix=[ci]")
    zen("alert", "post", "a second message")
    assert alerts.read_text() == "[zenml] hello\n[ci] a second message\n"

    listing = zen("stack", "list")
    active_row = _row(listing, "👉")
    assert active_row[1] == "alert_stack" and "file_alerter" in active_row
    assert _row(listing, "")[1] == "default"  # the default stack is still there, inactive


def test_post_without_an_alerter_names_the_fix(zen: Zen) -> None:
    result = zen.run("alert", "post", "hello")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: The active stack 'default' has no alerter")
    assert "zenml stack update -al NAME" in lines[0]


def test_help_lists_the_plugin_command(zen: Zen) -> None:
    help_text = zen("--help")
    assert any(line.split()[:1] == ["alert"] for line in help_text.splitlines()), help_text
    assert "post" in zen("alert", "--help")
