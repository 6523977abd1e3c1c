"""Integration metadata is written once, in each integration's ``pyproject.toml``.

The core's catalog (``zenml/integrations/catalog.json``) is generated from those
files by ``packages/core/scripts/integration_catalog.py``; installed, a plugin
reads the same fields from its distribution's metadata
(:func:`zenml.integrations.metadata.integration_info`).
"""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from zenml.integrations.catalog import CATALOG, CATALOG_FILE
from zenml.integrations.metadata import (
    canonical_requirement,
    description_from_summary,
    integration_info,
    integration_requirements,
)
from zenml.stack.component_type import StackComponentType as T

ROOT = Path(__file__).resolve().parents[3]
INTEGRATIONS = ROOT / "packages" / "integrations"
SCRIPT = ROOT / "packages" / "core" / "scripts" / "integration_catalog.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("integration_catalog", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_catalog_is_generated_from_the_pyproject_files() -> None:
    script = _script()
    assert CATALOG_FILE.read_text(encoding="utf-8") == script.build_catalog(), (
        f"{CATALOG_FILE.name} is stale: run 'python {SCRIPT.relative_to(ROOT)}'")
    assert script.main(["--check"]) == 0


def test_the_catalog_names_every_integration_package() -> None:
    folders = sorted(p.parent.name for p in INTEGRATIONS.glob("*/pyproject.toml")
                     if not p.parent.name.startswith("_"))
    # and the plugin packages beside them that `zenml integration install` manages
    assert [entry.name for entry in CATALOG] == sorted([*folders, "dashboard"])
    assert [entry.name for entry in CATALOG if entry.kind == "integration"] == folders
    s3 = next(entry for entry in CATALOG if entry.name == "s3")
    assert s3.flavors == ((T.ARTIFACT_STORE, "s3"),)
    assert s3.description == "Amazon S3 (and S3-compatible) artifact store"
    assert s3.requirements == ("s3fs>=2023.1",)


def test_the_dashboard_is_a_tool_installed_from_its_own_folder() -> None:
    dashboard = next(entry for entry in CATALOG if entry.name == "dashboard")
    assert dashboard.is_tool and dashboard.flavors == () and dashboard.commands == ("dashboard",)
    assert dashboard.source_folder == "packages/dashboard"
    assert (ROOT / dashboard.source_folder / "pyproject.toml").is_file()
    assert dashboard.distribution == "zenml-dashboard"
    assert any(r.startswith("starlette") for r in dashboard.requirements)
    s3 = next(entry for entry in CATALOG if entry.name == "s3")
    assert not s3.is_tool and s3.source_folder == "packages/integrations/s3"


def _pyproject(folder: Path, text: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(textwrap.dedent(text))
    return path


GOOD = """\
    [project]
    name = "zenml-foo"
    description = "zenml integration: Foo orchestrator."
    dependencies = ["zenml-core>=0.1,<0.2", "foo-sdk <2, >=1.2", 'bar; extra == "dev"']

    [project.entry-points.zenml]
    foo = "zenml_foo.plugin"

    [tool.zenml]
    flavors = [{ type = "orchestrator", name = "foo" }]
"""


def test_an_entry_comes_from_the_project_table_and_tool_zenml(tmp_path: Path) -> None:
    entry = _script().entry_from_pyproject(_pyproject(tmp_path, GOOD))
    assert entry == {"name": "foo", "description": "Foo orchestrator",
                     "flavors": [{"type": "orchestrator", "name": "foo"}],
                     "requirements": ["foo-sdk>=1.2,<2"]}


@pytest.mark.parametrize(("old", "new", "message"), [
    ('foo = "zenml_foo.plugin"', "", "must hold one entry point"),
    ('name = "zenml-foo"', 'name = "foo"', 'expected name = "zenml-foo"'),
    ("zenml integration: Foo", "Foo", "must start with 'zenml integration: '"),
    ('type = "orchestrator"', 'type = "orchestra"', "[tool.zenml] flavors"),
    ("[tool.zenml]", '[tool.zenml]\nkind = "app"', "[tool.zenml] kind must be one of"),
    ("[tool.zenml]", '[tool.zenml]\ncommands = "x"', "[tool.zenml] commands must be"),
])
def test_a_pyproject_lacking_what_the_catalog_needs_is_named(tmp_path: Path, old: str,
                                                             new: str, message: str) -> None:
    script = _script()
    path = _pyproject(tmp_path, GOOD.replace(old, new))
    with pytest.raises(script.CatalogError, match=message.replace("[", r"\[")) as caught:
        script.entry_from_pyproject(path)
    assert str(caught.value).startswith(str(path))


def test_the_template_makes_a_valid_entry_once_its_markers_are_replaced(tmp_path: Path) -> None:
    text = (INTEGRATIONS / "_template" / "pyproject.toml").read_text()
    text = text.replace("REPLACE_ME_DESCRIPTION", "Foo orchestrator").replace(
        "REPLACE_ME_REQUIREMENT", "foo-sdk>=1.2,<2").replace("REPLACE_ME", "foo")
    entry = _script().entry_from_pyproject(_pyproject(tmp_path, text))
    assert entry == {"name": "foo", "description": "Foo orchestrator", "flavors": [],
                     "requirements": []}


@pytest.mark.parametrize(("written", "canonical"), [
    ("kfp<3,>=2.15", "kfp>=2.15,<3"),  # as hatchling writes Requires-Dist
    ("kfp >=2.15, <3", "kfp>=2.15,<3"),
    ("pymysql[rsa]<2,>=1.2", "pymysql[rsa]>=1.2,<2"),
    ('uvloop<0.22; sys_platform != "win32"', "uvloop<0.22; sys_platform != 'win32'"),
    ("wandb (<1,>=0.19.10)", "wandb>=0.19.10,<1"),
    ("foo!=1.3,<2,>=1", "foo>=1,<2,!=1.3"),
    ("pkg @ https://example.com/pkg.whl", "pkg @ https://example.com/pkg.whl"),
])
def test_requirements_have_one_spelling(written: str, canonical: str) -> None:
    assert canonical_requirement(written) == canonical
    assert canonical_requirement(canonical) == canonical


def test_requirements_leave_out_the_core_and_extras_and_are_ordered_by_name() -> None:
    assert integration_requirements(
        ["zenml-core<0.2,>=0.1", "mlserver-sklearn>=1.6", "mlserver>=1.6", "Jsonschema>=4",
         'pytest; extra == "test"', "kubernetes>=28"]) == [
        "Jsonschema>=4", "kubernetes>=28", "mlserver>=1.6", "mlserver-sklearn>=1.6"]


def test_description_is_the_summary_without_its_prefix() -> None:
    assert description_from_summary("zenml integration: Foo (and bar) tracker.") == \
        "Foo (and bar) tracker"
    assert description_from_summary("A third-party plugin") == "A third-party plugin"


def test_integration_info_reads_the_installed_distribution(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    info_dir = tmp_path / "zenml_foo-1.4.0.dist-info"
    info_dir.mkdir()
    (info_dir / "METADATA").write_text(
        "Metadata-Version: 2.4\nName: zenml-foo\nVersion: 1.4.0\n"
        "Summary: zenml integration: Foo orchestrator.\n"
        "Requires-Dist: foo-sdk<2,>=1.2\nRequires-Dist: zenml-core<0.2,>=0.1\n"
        "Requires-Dist: bar; extra == \"dev\"\n"
        "Requires-Dist: uvloop<0.22; sys_platform != \"win32\"\n")
    (info_dir / "entry_points.txt").write_text("[zenml]\nfoo = zenml_foo.plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    info = integration_info("zenml-foo")
    assert (info.name, info.version, info.description) == ("foo", "1.4.0", "Foo orchestrator")
    assert info.requirements == ["foo-sdk>=1.2,<2", "uvloop<0.22; sys_platform != 'win32'"]
