"""Plugins through real entry points: loading, failures, listing, CLI commands."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from zenml.plugins.manager import plugin_records
from zenml.testing.plugins import HEAVY_MODULES, imported_modules_after

from conftest import Zen, run_zenml


def make_distribution(site: Path, dist: str, version: str, package: str,
                      files: dict[str, str], entry_point: str) -> None:
    """Write an installed distribution (dist-info + package) into ``site``."""
    (site / package).mkdir(parents=True)
    for name, text in files.items():
        (site / package / name).write_text(textwrap.dedent(text))
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[zenml]\n{entry_point}\n")


@pytest.fixture
def plugin_site(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "site"
    make_distribution(site, "zenml-broken", "0.3", "zenml_broken", {
        "__init__.py": "",
        "plugin.py": "import kfp_that_is_not_installed\n",
    }, "broken = zenml_broken.plugin")
    make_distribution(site, "zenml-good", "1.2", "zenml_good", {
        "__init__.py": "",
        "plugin.py": '''
            import click
            from zenml.plugins import hookimpl

            @hookimpl
            def zenml_flavors():
                from zenml.stack import Flavor
                from zenml_good.flavors import GoodConfig
                return [Flavor(name="good", type="alerter", config_class=GoodConfig,
                               implementation="zenml_good.impl:GoodAlerter")]

            @hookimpl
            def zenml_cli_commands(cli):
                @cli.command("good-hello", help="Say hello from a plugin.")
                def hello():
                    click.echo("hello from zenml-good")
        ''',
        "flavors.py": '''
            from pydantic import Field
            from zenml.alerters.config import BaseAlerterConfig

            class GoodConfig(BaseAlerterConfig):
                """A good alerter."""
                channel: str = Field(default="#ml", description="Where to post.")
        ''',
        "impl.py": '''
            raise RuntimeError("the implementation must not be imported to list flavors")
        ''',
    }, "good = zenml_good.plugin")
    return {"PYTHONPATH": str(site)}


def test_broken_plugin_is_reported_and_skipped(plugin_site: dict[str, str]) -> None:
    result = run_zenml(["--help"], env=plugin_site)
    assert result.returncode == 0
    assert "good-hello" in result.stdout
    assert "Plugin 'broken' (zenml-broken 0.3" in result.stderr
    assert "kfp_that_is_not_installed" in result.stderr
    assert "Traceback" not in result.stderr
    listing = run_zenml(["plugins"], env=plugin_site)
    assert listing.returncode == 0
    assert "broken" in listing.stdout and "failed" in listing.stdout
    assert "zenml-good" in listing.stdout and "1.2" in listing.stdout
    assert run_zenml(["stack", "list"], env=plugin_site).returncode == 0
    hello = run_zenml(["good-hello"], env=plugin_site)
    assert hello.stdout.strip() == "hello from zenml-good"


def test_plugin_flavors_list_without_importing_implementations(
        plugin_site: dict[str, str]) -> None:
    result = run_zenml(["alerter", "flavor", "list"], env=plugin_site)
    assert result.returncode == 0, result.stderr
    assert "good" in result.stdout and "zenml_good" not in result.stderr
    assert run_zenml(["alerter", "register", "a", "--flavor=good", "--channel=#x"],
                     env=plugin_site).returncode == 0
    assert "#x" in run_zenml(["alerter", "describe", "a"], env=plugin_site).stdout


def test_disabled_and_debug_switches(plugin_site: dict[str, str]) -> None:
    env = {**plugin_site, "ZENML_DISABLE_PLUGINS": "broken,good"}
    result = run_zenml(["plugins"], env=env)
    assert "disabled" in result.stdout and result.stderr == ""
    assert "good-hello" not in run_zenml(["--help"], env=env).stdout
    debug = run_zenml(["--help"], env={**plugin_site, "ZENML_DEBUG_PLUGINS": "1"})
    assert debug.returncode != 0 and "ModuleNotFoundError" in debug.stderr


def test_core_is_a_plugin_like_any_other() -> None:
    core = [r for r in plugin_records() if r.name == "zenml"]
    assert core and core[0].distribution == "zenml-core" and "zenml_flavors" in core[0].hooks


def test_plugins_command(zen: Zen) -> None:
    out = zen("plugins").output
    assert "zenml-core" in out and "loaded" in out


HEAVY = list(HEAVY_MODULES)


def _modules_after(args: list[str]) -> set[str]:
    return imported_modules_after(args)


def test_help_imports_nothing_heavy() -> None:
    modules = _modules_after(["--help"])
    for name in ["sqlalchemy", "pydantic", "rich", "fsspec", "yaml", *HEAVY]:
        assert name not in modules, name


def test_stack_list_imports_no_sdk_and_no_implementation() -> None:
    modules = _modules_after(["stack", "list"])
    for name in [*HEAVY, "fsspec", "pydantic", "sqlalchemy.orm", "zenml.orchestrators.local",
                 "zenml.artifact_stores.local", "zenml.metadata_stores.sqlite"]:
        assert name not in modules, name


def test_flavor_list_imports_no_implementation() -> None:
    modules = _modules_after(["artifact-store", "flavor", "list"])
    assert "zenml.artifact_stores.config" in modules
    for name in ["zenml.artifact_stores.local", "zenml.orchestrators.local",
                 "zenml.metadata_stores.sqlite", "fsspec", *HEAVY]:
        assert name not in modules, name


def test_every_command_has_working_help(zen: Zen) -> None:
    """Lazy loading must not hide a broken command: run --help on all of them."""
    import click

    from zenml.cli import cli

    def walk(group: click.Group, path: list[str]) -> int:
        count = 0
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, name
            zen(*path, name, "--help")
            count += 1
            if isinstance(command, click.Group):
                count += walk(command, [*path, name])
        return count

    assert walk(cli, []) > 100


RUN_ON_CORE_TYPES = '''
from zenml.pipelines import pipeline
from zenml.steps import step


@step
def first() -> int:
    return 1


@step
def double(value: int) -> dict:
    return {"value": value * 2}


@pipeline
def core_types(first, double):
    double(first())


run = core_types(first=first(), double=double()).run()
assert run.get_step("double").output.read() == {"value": 2}
'''


def test_core_flavors_and_core_types_load_no_plugin(
        plugin_site: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A run on the default stack with outputs of types the core's materializers name,
    and reading its runs back, import no plugin (not even pluggy): a broken one is
    neither loaded nor reported."""
    monkeypatch.setenv("PYTHONPATH", plugin_site["PYTHONPATH"])
    script = tmp_path / "core_types.py"
    script.write_text(RUN_ON_CORE_TYPES)
    for modules in (imported_modules_after(code=f"import runpy; runpy.run_path({str(script)!r})"),
                    imported_modules_after(["pipeline", "runs", "list"]),
                    imported_modules_after(["stack", "describe"])):
        assert "zenml.execution.launcher" in modules or "zenml.cli.pipeline" in modules \
            or "zenml.cli.stack" in modules
        for name in ("pluggy", "zenml_good", "zenml_broken", "zenml.plugins.builtin"):
            assert name not in modules, name
    listed = run_zenml(["pipeline", "runs", "list"], env=plugin_site)
    assert listed.returncode == 0 and "core_types" in listed.stdout
    assert "zenml_broken" not in listed.stderr and "broken" not in listed.stderr


def test_a_plugin_flavor_still_loads_the_plugins(plugin_site: dict[str, str]) -> None:
    registered = run_zenml(["alerter", "register", "a", "--flavor=good"], env=plugin_site)
    assert registered.returncode == 0, registered.stderr
    described = run_zenml(["alerter", "describe", "a"], env=plugin_site)
    assert described.returncode == 0 and "#ml" in described.stdout, described.stderr
