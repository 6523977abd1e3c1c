"""``zenml --help`` lists the built-in commands without importing them, with their own help;
plugins' entry points are read without importlib.metadata, and read the same."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from zenml.cli.base import BUILTIN_COMMANDS, BUILTIN_SHORT_HELP, COMPONENT_GROUPS
from zenml.plugins.entry_points import entry_points

from conftest import run_zenml

#: Run in a fresh interpreter: the built-in commands' short help as ``zenml --help``
#: shows it (the static table) and as the imported commands give it, at several widths.
_COMPARE = """
import json, sys
import click
from zenml.cli import cli

ctx = click.Context(cli, info_name="zenml")
shown = {}
for width in (40, 80, 200):
    formatter = click.HelpFormatter(width=width)
    cli.format_commands(ctx, formatter)
    shown[width] = formatter.getvalue()
lazy = sorted(m for m in sys.modules if m.startswith("zenml.cli.") and m not in
              ("zenml.cli.base", "zenml.cli.output"))
real = {}
for width in (40, 80, 200):
    for name in cli.list_commands(ctx):
        cli.get_command(ctx, name)
    formatter = click.HelpFormatter(width=width)
    click.Group.format_commands(cli, ctx, formatter)
    real[width] = formatter.getvalue()
print(json.dumps({"shown": shown, "real": real, "imported": lazy}))
"""


def test_help_lists_builtin_commands_with_their_own_help_without_importing_them() -> None:
    result = subprocess.run([sys.executable, "-c", _COMPARE], capture_output=True, text=True,
                            timeout=120, check=True)
    found = json.loads(result.stdout)
    assert found["imported"] == [], "listing the commands imported built-in command modules"
    for width in ("40", "80", "200"):
        assert found["shown"][width] == found["real"][width]
    assert set(BUILTIN_SHORT_HELP) == set(BUILTIN_COMMANDS)
    for group in COMPONENT_GROUPS:
        assert group in found["shown"]["200"]


def test_help_runs_whole_process_and_lists_every_command() -> None:
    result = run_zenml(["--help"], env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    for name in [*BUILTIN_COMMANDS, *COMPONENT_GROUPS]:
        assert f"\n  {name} " in result.stdout


def _distribution(site: Path, folder: str, metadata: str, entry_points_text: str) -> None:
    info = site / folder
    info.mkdir(parents=True)
    (info / ("PKG-INFO" if folder.endswith(".egg-info") else "METADATA")).write_text(metadata)
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points_text))


def test_entry_points_reader_matches_importlib_metadata(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _distribution(first, "zenml_alpha-1.0.dist-info",
                  "Metadata-Version: 2.1\nName: zenml-alpha\nVersion: 1.0\n\nbody: x\n", """
                  [console_scripts]
                  alpha = zenml_alpha.cli:main

                  [zenml]
                  alpha = zenml_alpha.plugin
                  alpha_extra = zenml_alpha.extra:hooks [fast]
                  """)
    # the same distribution again, later on the path: shadowed, as importlib.metadata does
    _distribution(second, "zenml_alpha-2.0.dist-info",
                  "Metadata-Version: 2.1\nName: zenml-alpha\nVersion: 2.0\n", """
                  [zenml]
                  shadowed = zenml_alpha.other
                  """)
    _distribution(second, "Zenml.Beta-0.3.egg-info",
                  "Metadata-Version: 1.0\nName: Zenml.Beta\nVersion: 0.3\n", """
                  [zenml]
                  beta = zenml_beta.plugin:hooks
                  """)
    (second / "not-a-dist.dist-info").write_text("a file, not a folder")
    paths = [str(first), str(second), str(tmp_path / "missing"), str(tmp_path / "x.zip")]
    code = (
        "import json, sys\n"
        "from importlib.metadata import entry_points\n"
        f"sys.path[:0] = {paths!r}\n"
        "print(json.dumps(sorted([e.name, e.value, e.dist.metadata['Name'],"
        " e.dist.version] for e in entry_points(group='zenml')"
        " if e.dist._path.parent.parent.name == " + repr(tmp_path.name) + ")))\n")
    expected = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                         text=True, check=True, timeout=60).stdout)
    ours = sorted([e.name, e.value, e.distribution, e.version]
                  for e in entry_points("zenml", paths))
    assert ours == expected
    assert ["alpha", "zenml_alpha.plugin", "zenml-alpha", "1.0"] in ours
    assert ["beta", "zenml_beta.plugin:hooks", "Zenml.Beta", "0.3"] in ours


def test_entry_point_load_resolves_module_and_attribute(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "zenml_gamma.py").write_text("class hooks:\n    inner = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    from zenml.plugins.entry_points import EntryPoint

    module = EntryPoint("g", "zenml_gamma", "zenml", "zenml-gamma", "1").load()
    assert module.__name__ == "zenml_gamma"
    assert EntryPoint("g", "zenml_gamma:hooks.inner [extra]", "zenml", "zenml-gamma",
                      "1").load() == 42


@pytest.mark.parametrize("columns", ["30", "60", "79", "80", "81", "120", "300", "", "x", "-5"])
def test_root_help_is_as_wide_as_clicks_own(columns: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import click

    from zenml.cli import cli

    monkeypatch.setenv("COLUMNS", columns)
    for max_width in (None, 100):
        ctx = cli.make_context("zenml", ["version"], max_content_width=max_width)
        assert type(ctx).__name__ == "_Context"
        assert ctx.make_formatter().width == click.Context.make_formatter(ctx).width
